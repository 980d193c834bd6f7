// QuestionnaireResponse -> the core's answers: DecodeResponse ($triage,
// $extract) and NextQuestionOf ($next-question).
#include <fmt/format.h>
#include <sodium.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "backaid/assess.h"
#include "backaid/case.h"
#include "backaid/diary.h"
#include "backaid/engine.h"
#include "backaid/plan.h"
#include "backaid/report.h"
#include "src/assess/questionnaire_model.h"
#include "src/fhir/fhir_codes.h"
#include "src/fhir/fhir_internal.h"
#include "src/fhir/json_response.h"
#include "src/knowledge/program.h"

namespace backaid::fhir::internal {

namespace {

// Collects every answered item (any depth) by linkId.
bool CollectItems(const json& items, std::map<std::string, const json*>* out,
                  std::string* problem, const std::string& path) {
  if (!items.is_array()) {
    *problem = path + ": must be an array";
    return false;
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const json& it = items[i];
    const std::string here = fmt::format("{}[{}]", path, i);
    if (!it.is_object() || !it.contains("linkId") ||
        !it["linkId"].is_string()) {
      *problem = here + ": an item needs a linkId";
      return false;
    }
    if (it.contains("answer")) {
      const std::string id = it["linkId"];
      if (!out->emplace(id, &it).second) {
        *problem = here + ": linkId '" + id + "' appears twice";
        return false;
      }
      for (const json& a : it["answer"]) {
        if (a.is_object() && a.contains("item") &&
            !CollectItems(a["item"], out, problem, here + ".answer.item")) {
          return false;
        }
      }
    }
    if (it.contains("item") &&
        !CollectItems(it["item"], out, problem, here + ".item")) {
      return false;
    }
  }
  return true;
}

// The core's Reply for one answered item, or a problem.
std::optional<Reply> ToReply(const Question& q, const json& item,
                             std::string* problem) {
  const json& answers = item["answer"];
  if (!answers.is_array() || answers.empty()) {
    *problem = "answer must be a non-empty array";
    return std::nullopt;
  }
  if (q.kind == QuestionKind::kNumber) {
    if (answers.size() != 1 || !answers[0].is_object()) {
      *problem = "one answer expected";
      return std::nullopt;
    }
    const json& a = answers[0];
    for (const char* k : {"valueInteger", "valueDecimal"}) {
      if (a.contains(k) && a[k].is_number()) {
        return Reply::Number(a[k].get<double>());
      }
    }
    if (a.contains("valueCoding") && a["valueCoding"].is_object() &&
        StringMember(a["valueCoding"], "code") == kNotSure) {
      return Reply::NotSure();
    }
    *problem = "expected valueInteger or valueDecimal";
    return std::nullopt;
  }
  if (q.kind == QuestionKind::kSingle && answers.size() != 1) {
    *problem = "one answer expected (single choice)";
    return std::nullopt;
  }
  Reply r;
  for (const json& a : answers) {
    if (!a.is_object() || !a.contains("valueCoding") ||
        !a["valueCoding"].is_object() || !a["valueCoding"].contains("code") ||
        !a["valueCoding"]["code"].is_string()) {
      *problem = "expected valueCoding with a code";
      return std::nullopt;
    }
    const json& c = a["valueCoding"];
    if (c.contains("system") && c["system"] != OptionSystem()) {
      *problem = "valueCoding.system must be " + OptionSystem();
      return std::nullopt;
    }
    r.options.push_back(c["code"]);
  }
  return r;
}

std::string UnsureOption(const Question& q) {
  if (q.kind == QuestionKind::kNumber) return std::string(kNotSure);
  for (const QuestionOption& o : q.options)
    if (o.role == OptionRole::kUnsure) return o.id;
  return "";
}

// The response's `questionnaire`: backaid's Questionnaire (its canonical
// URL or Questionnaire/<id>, optionally |version, which must be this
// knowledge base's), or with `adaptive` also "#adaptive", the contained
// Questionnaire $next-question returns. Absent is accepted.
std::optional<HttpResponse> CheckQuestionnaireRef(const KnowledgeBase& kb,
                                                  const json& qr,
                                                  bool adaptive) {
  if (!qr.contains("questionnaire")) return std::nullopt;
  if (!qr["questionnaire"].is_string())
    return Outcome(400, "structure", "questionnaire must be a canonical URL",
                   "QuestionnaireResponse.questionnaire");
  std::string q = qr["questionnaire"];
  if (adaptive && q == "#adaptive") return std::nullopt;
  const size_t bar = q.find('|');
  std::string version = bar == q.npos ? "" : q.substr(bar + 1);
  q = q.substr(0, bar);
  if (q != QuestionnaireUrl() &&
      q != std::string("Questionnaire/") + kQuestionnaireId) {
    return Outcome(422, "not-found",
                   "unknown questionnaire '" + q + "'; expected " +
                       QuestionnaireUrl() + (adaptive ? " (or #adaptive)" : ""),
                   "QuestionnaireResponse.questionnaire");
  }
  if (!version.empty() && version != kb.version()) {
    return Outcome(422, "business-rule",
                   "the response answers questionnaire version " + version +
                       " but this server has " + kb.version(),
                   "QuestionnaireResponse.questionnaire");
  }
  return std::nullopt;
}

}  // namespace

// Decodes a QuestionnaireResponse into the answers of the core, replaying
// the assessment: a question the core asks that the response leaves
// unanswered is "not sure" (unknown, never "no"). The result is then read
// by ParseEpisodeStart exactly as POST /v1/assessments reads its answers.
Decoded DecodeResponse(const std::shared_ptr<const KnowledgeBase>& kb,
                       const json& qr, int64_t now) {
  Decoded d;
  auto fail = [&](int status, std::string_view code, std::string msg,
                  std::string_view expr = "") {
    d.error = Outcome(status, code, msg, expr);
    return d;
  };
  if (!qr.is_object() ||
      StringMember(qr, "resourceType") != "QuestionnaireResponse")
    return fail(400, "structure", "expected a QuestionnaireResponse");
  if (auto e = CheckQuestionnaireRef(*kb, qr, /*adaptive=*/false)) {
    d.error = std::move(e);
    return d;
  }
  if (!qr.contains("status") || !qr["status"].is_string())
    return fail(400, "required", "status is required",
                "QuestionnaireResponse.status");
  std::map<std::string, const json*> items;
  std::string problem;
  if (qr.contains("item") &&
      !CollectItems(qr["item"], &items, &problem, "QuestionnaireResponse.item"))
    return fail(400, "structure", problem);
  const auto* model = assess::QuestionnaireOf(*kb);
  if (model == nullptr)
    return fail(500, "exception", "this knowledge base has no questionnaire");
  std::map<std::string, Reply> replies;
  for (const auto& [id, item] : items) {
    if (id.size() > 5 && id.compare(id.size() - 5, 5, ".help") == 0) continue;
    auto at = model->index.find(id);
    if (at == model->index.end())
      return fail(422, "not-found", "unknown linkId '" + id + "'",
                  "QuestionnaireResponse.item");
    auto reply = ToReply(model->questions[at->second].view, *item, &problem);
    if (!reply.has_value())
      return fail(422, "invalid", id + ": " + problem,
                  "QuestionnaireResponse.item");
    replies.emplace(id, std::move(*reply));
  }
  // Replay in asking order; unanswered asked questions are "not sure".
  auto session = Assessment::Start(kb);
  if (!session.ok())
    return fail(500, "exception", std::string(session.status().message()));
  std::set<std::string> used;
  while (const Question* q = session->NextQuestion()) {
    auto it = replies.find(q->id);
    Reply r;
    if (it != replies.end()) {
      r = it->second;
      used.insert(q->id);
    } else {
      const std::string unsure = UnsureOption(*q);
      if (unsure.empty()) break;  // the core reports the gap below
      r = Reply::Option(unsure);
    }
    Status s = session->Answer(r);
    if (!s.ok())
      return fail(422, "invalid", q->id + ": " + std::string(s.message()),
                  "QuestionnaireResponse.item");
  }
  // Answers the session did not ask (after an emergency, or skipped):
  // handed to the core as given; it applies the first and rejects the
  // second, exactly as for POST /v1/assessments.
  auto answered = session->answers();
  for (const auto& [id, r] : replies)
    if (!used.count(id)) answered.emplace_back(id, r);
  std::string body = "{\"answers\":";
  AppendAnswersJson(answered, &body);
  d.answers_json = body.substr(11);
  body += "}";
  auto start = ParseEpisodeStart(*kb, body, now);
  if (!start.ok())
    return fail(422, "invalid", std::string(start.status().message()),
                "QuestionnaireResponse.item");
  d.start = std::move(*start);
  d.response = qr;
  return d;
}

NextStep NextQuestionOf(const std::shared_ptr<const KnowledgeBase>& kb,
                        const json& qr) {
  NextStep out;
  if (!qr.is_object() ||
      StringMember(qr, "resourceType") != "QuestionnaireResponse") {
    out.error = Outcome(400, "structure", "expected a QuestionnaireResponse");
    return out;
  }
  if (auto e = CheckQuestionnaireRef(*kb, qr, /*adaptive=*/true)) {
    out.error = std::move(e);
    return out;
  }
  std::map<std::string, const json*> items;
  std::string problem;
  if (qr.contains("item") && !CollectItems(qr["item"], &items, &problem,
                                           "QuestionnaireResponse.item")) {
    out.error = Outcome(400, "structure", problem);
    return out;
  }
  const auto* model = assess::QuestionnaireOf(*kb);
  if (model == nullptr) {
    out.error = Outcome(500, "exception", "no questionnaire");
    return out;
  }
  std::vector<std::pair<std::string, Reply>> answers;
  for (const auto& [id, item] : items) {
    if (id.size() > 5 && id.compare(id.size() - 5, 5, ".help") == 0) continue;
    auto at = model->index.find(id);
    if (at == model->index.end()) {
      out.error = Outcome(422, "not-found", "unknown linkId '" + id + "'",
                          "QuestionnaireResponse.item");
      return out;
    }
    auto reply = ToReply(model->questions[at->second].view, *item, &problem);
    if (!reply.has_value()) {
      out.error = Outcome(422, "invalid", id + ": " + problem,
                          "QuestionnaireResponse.item");
      return out;
    }
    answers.emplace_back(id, std::move(*reply));
  }
  // An item that is present without an answer was asked and left open:
  // "not sure" (a number item cannot carry the "not sure" option).
  std::function<void(const json&)> open_items = [&](const json& list) {
    if (!list.is_array()) return;
    for (const json& it : list) {
      if (!it.is_object()) continue;
      if (it.contains("item")) open_items(it["item"]);
      if (it.contains("answer") || !it.contains("linkId") ||
          !it["linkId"].is_string()) {
        continue;
      }
      auto at = model->index.find(it["linkId"].get<std::string>());
      if (at == model->index.end() || items.count(at->first)) continue;
      const std::string unsure =
          UnsureOption(model->questions[at->second].view);
      if (unsure.empty()) continue;
      answers.emplace_back(at->first, unsure == kNotSure
                                          ? Reply::NotSure()
                                          : Reply::Option(unsure));
    }
  };
  if (qr.contains("item")) open_items(qr["item"]);
  std::string answers_json;
  AppendAnswersJson(answers, &answers_json);
  auto session = ResumeAssessment(kb, answers_json);
  if (!session.ok()) {
    out.error = Outcome(422, "invalid", session.status().message(),
                        "QuestionnaireResponse.item");
    return out;
  }
  for (const auto& [id, r] : session->answers()) out.answered.push_back(id);
  for (const Question* q : session->NextScreen())
    out.next.push_back(&model->questions[model->index.at(q->id)]);
  return out;
}

}  // namespace backaid::fhir::internal
