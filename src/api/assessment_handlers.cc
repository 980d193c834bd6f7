// POST /v1/triage, GET /v1/questionnaire, GET /v1/vocabulary and
// POST /v1/assessments: the stateless routes over the core.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>

#include "backaid/assess.h"
#include "backaid/calendar.h"
#include "backaid/case_json.h"
#include "backaid/diary.h"
#include "backaid/engine.h"
#include "backaid/handover.h"
#include "backaid/plan.h"
#include "backaid/report.h"
#include "backaid/vocabulary.h"
#include "src/api/api_internal.h"
#include "src/api/crypto.h"
#include "src/api/json_check.h"
#include "src/api/responses.h"

namespace backaid::api {

using server::Problem;

HttpResponse Api::Triage(const HttpRequest& req) {
  if (auto r = RequireJson(req)) return *r;
  Status s = CheckJsonShape(req.body, {"id", "age", "sex", "findings",
                                       "expected", "narrative", "source"});
  if (!s.ok()) return BadRequest(req, s);
  thread_local std::unique_ptr<CaseReader> reader;
  thread_local const KnowledgeBase* reader_kb = nullptr;
  if (reader == nullptr || reader_kb != kb_) {
    reader = std::make_unique<CaseReader>(*kb_);
    reader_kb = kb_;
  }
  thread_local Case c;
  thread_local TriageResult result;
  s = reader->Read(req.body, &c);
  if (!s.ok()) return BadRequest(req, s);
  Evaluate(*kb_, c, &result);
  CountLevel(result.level);
  std::string body;
  body.reserve(2048);
  AppendResultJson(*kb_, c, result, &body);
  return Json(200, std::move(body));
}

HttpResponse Api::Questionnaire(const HttpRequest&) {
  std::string body;
  AppendQuestionnaireJson(*kb_, &body);
  return Json(200, std::move(body));
}

// The same for the life of the server (one knowledge base): built once per
// region. "?region=us" gives the texts in that region's words (the
// knowledge base's default region without it).
HttpResponse Api::Vocabulary(const HttpRequest& req) {
  std::string_view query = req.query;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (pair.substr(0, 7) != "region=") continue;
    const std::string_view id = pair.substr(7);
    std::string known;
    for (const auto& [region, vocabulary] : region_vocabularies_) {
      if (region == id) return Json(200, vocabulary);
      known += (known.empty() ? "\"" : ", \"") + region + "\"";
    }
    return BadRequest(req,
                      Status::InvalidArgument(
                          "region: must be one of " +
                          (known.empty() ? std::string("(none)") : known)));
  }
  return Json(200, vocabulary_);
}

std::optional<AssessmentRequest> Api::DecodeAssessment(
    const HttpRequest& req, const std::vector<std::string_view>& allowed,
    int64_t now, HttpResponse* error) {
  if (auto r = RequireJson(req)) {
    *error = *r;
    return std::nullopt;
  }
  std::map<std::string, std::string, std::less<>> top;
  Status s = CheckJsonShape(req.body, allowed, &top);
  if (!s.ok()) {
    *error = BadRequest(req, s);
    return std::nullopt;
  }
  auto start = ParseEpisodeStart(*kb_, req.body, now);
  if (!start.ok()) {
    *error = BadRequest(req, start.status());
    return std::nullopt;
  }
  AssessmentRequest out;
  out.start = std::move(*start);
  if (auto it = top.find("open_episode"); it != top.end()) {
    if (it->second != "true" && it->second != "false") {
      *error = BadRequest(
          req, Status::InvalidArgument("open_episode: must be true or false"));
      return std::nullopt;
    }
    out.open_episode = it->second == "true";
  }
  if (auto it = top.find("answers"); it != top.end()) {
    out.answers = std::move(it->second);
  }
  return out;
}

HttpResponse Api::Assessments(const HttpRequest& req) {
  const int64_t now = ctx_.now_ms();
  HttpResponse error;
  auto request = DecodeAssessment(
      req, {"answers", "findings", "region", "time_zone", "open_episode"}, now,
      &error);
  if (!request) return error;
  const EpisodeStart& start = request->start;
  // Where the person is in the questionnaire (answers only).
  std::string next_question = "null";
  std::string next_screen = "[]";
  Progress progress;
  bool finished = true;
  if (request->answers) {
    auto session = ResumeAssessment(ctx_.kb, *request->answers);
    if (!session.ok()) return BadRequest(req, session.status());
    if (const Question* q = session->NextQuestion()) {
      next_question.clear();
      AppendQuestionJson(QuestionInRegion(*kb_, start.region, *q),
                         &next_question);
      next_screen = "[";
      for (const Question* mate : session->NextScreen()) {
        if (next_screen.size() > 1) next_screen.push_back(',');
        AppendQuestionJson(QuestionInRegion(*kb_, start.region, *mate),
                           &next_screen);
      }
      next_screen.push_back(']');
      finished = false;
    }
    progress = session->progress();
  }
  const TriageResult result = Evaluate(*kb_, start.initial);
  CountLevel(result.level);
  auto plan = BuildCarePlan(*kb_, start.initial, result, start.region);
  if (!plan.ok()) {
    return Problem(500, "internal", "No care plan could be built",
                   plan.status().message(), req.request_id);
  }
  std::string body = "{\"finished\":";
  body += finished ? "true" : "false";
  body += ",\"next_question\":" + next_question;
  body += ",\"next_screen\":" + next_screen;
  body += fmt::format(
      ",\"progress\":{{\"answered\":{},\"about\":{},\"screens_answered\":{},"
      "\"screens_about\":{}}}",
      progress.answered, progress.about, progress.screens_answered,
      progress.screens_about);
  body += ",\"answers\":";
  AppendAnswersJson(start.answers, &body);
  body += ",\"findings\":";
  AppendFindingsJson(*kb_, start.initial, &body);
  body += ",\"triage\":";
  AppendResultJson(*kb_, start.initial, result, &body, ResultDetail::kFull,
                   start.region);
  body += ",\"plan\":";
  AppendPlanJson(*plan, &body);
  body += ",\"emergency_number\":";
  AppendJsonString(EmergencyNumber(*kb_, start.region), &body);
  // At most three steps, as `backaid assess` leads with them (report.h).
  body += ",\"what_to_do_now\":";
  AppendNowStepsJson(WhatToDoNow(*kb_, result, &*plan, start.region), &body);
  // At emergency, what to tell the call handler, filled in (report.h).
  body += ",\"call_script\":";
  AppendCallScriptJson(
      CallHandlerScript(*kb_, start.initial, result, start.region), &body);
  if (!request->open_episode) return Json(200, body + "}");
  return OpenEpisode(req, start, now, "assessments",
                     body + ",\"episode\":", "}");
}

}  // namespace backaid::api
