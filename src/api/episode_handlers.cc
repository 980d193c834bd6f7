// POST /v1/episodes, GET and DELETE /v1/episodes/{id}, and the export.
#include <fmt/format.h>

#include <algorithm>
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

HttpResponse Api::CreateEpisode(const HttpRequest& req) {
  const int64_t now = ctx_.now_ms();
  HttpResponse error;
  auto request = DecodeAssessment(
      req, {"answers", "findings", "region", "time_zone"}, now, &error);
  if (!request) return error;
  return OpenEpisode(req, request->start, now, "episodes", "", "");
}

// Opens an episode for `start`; the response is `prefix` + the episode
// object + `suffix` (POST /v1/assessments embeds it in its answer).
HttpResponse Api::OpenEpisode(const HttpRequest& req, const EpisodeStart& start,
                              int64_t now, std::string_view scope,
                              std::string prefix, std::string_view suffix) {
  Idempotency idem(req, std::string(scope));
  if (!idem.valid) return idem.problem;
  if (idem.present) {
    ForgetExpiredIdempotency();
    auto found = ctx_.storage->FindIdempotency(idem.key_hash);
    if (!found.ok()) return StorageProblem(req, found.status());
    if (found->has_value()) return ReplaySealed(req, idem, **found);
  }
  const std::string id = RandomUrlSafe(16);
  const std::string token = RandomUrlSafe(32);
  auto state = InitialState(*kb_, start, now);
  if (!state.ok()) {
    return Problem(500, "internal", "The episode could not be reviewed",
                   state.status().message(), req.request_id);
  }
  auto review = ReviewFromState(*kb_, start, *state, now);
  if (!review.ok()) {
    return Problem(500, "internal", "The episode could not be reviewed",
                   review.status().message(), req.request_id);
  }
  storage::EpisodeRecord record;
  record.id = id;
  record.token_hash = TokenHash(token);
  record.created_at = now;
  record.document = EpisodeDocument(*kb_, start, *state);

  std::string body = std::move(prefix);
  body += "{\"id\":";
  AppendJsonString(id, &body);
  // The token is shown once (issue 12, finding 6): a replay of this request
  // gets the same answer without it, marked "token_withheld", so that a
  // client that knows the Idempotency-Key and body cannot obtain it.
  const size_t token_at = body.size();
  body += ",\"token\":";
  AppendJsonString(token, &body);
  const size_t token_end = body.size();
  body += ",\"created_at\":";
  AppendJsonString(FormatUtc(now), &body);
  body += ",\"time_zone\":";
  AppendJsonString(start.time_zone, &body);
  body += ",\"region\":";
  AppendJsonString(start.region, &body);
  body += ",\"emergency_number\":";
  AppendJsonString(EmergencyNumber(*kb_, start.region), &body);
  body += ",\"review\":";
  AppendReviewJson(*kb_, *review, &body);
  body += "}";
  body += suffix;

  storage::IdempotencyRecord idem_record;
  std::optional<storage::IdempotencyRecord> existing;
  if (idem.present) {
    idem_record.key_hash = idem.key_hash;
    idem_record.request_hash = idem.request_hash;
    idem_record.status = 201;
    idem_record.episode_id = id;
    idem_record.created_at = now;
    std::string replay = body.substr(0, token_at);
    replay += ",\"token_withheld\":true";
    replay.append(body, token_end);
    idem_record.response = Seal(idem.key_material, replay);
  }
  const Status s = ctx_.storage->CreateEpisode(
      record, idem.present ? &idem_record : nullptr, &existing);
  if (!s.ok()) return StorageProblem(req, s);
  if (existing.has_value()) return ReplaySealed(req, idem, *existing);
  Audit(EpisodeRef(id, record.token_hash), TokenRef(token), "create", "ok");
  HttpResponse r = Json(201, std::move(body));
  r.headers.emplace_back("Location", "/v1/episodes/" + id);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse Api::GetEpisode(const HttpRequest& req) {
  Loaded e;
  Reviewed loaded;
  if (auto failed = ReadEpisode(req, "read", ctx_.now_ms(), &e, &loaded)) {
    return *failed;
  }
  const LoadedEntries* entries = &loaded.entries;
  const EpisodeReview* review = &loaded.review;
  std::string body;
  AppendEpisodeJson(e, *entries, *review, &body);
  Audit(e.ref, e.token_ref, "read", "ok");
  return Json(200, std::move(body));
}

void Api::AppendEpisodeJson(const Loaded& e, const LoadedEntries& entries,
                            const EpisodeReview& review, std::string* out) {
  const EpisodeStart& start = e.stored.start;
  *out += "{\"id\":";
  AppendJsonString(e.record.id, out);
  *out += ",\"created_at\":";
  AppendJsonString(FormatUtc(e.record.created_at), out);
  *out += ",\"time_zone\":";
  AppendJsonString(start.time_zone, out);
  *out += ",\"region\":";
  AppendJsonString(start.region, out);
  *out += ",\"emergency_number\":";
  AppendJsonString(EmergencyNumber(*kb_, start.region), out);
  *out += ",\"initial\":{\"answers\":";
  AppendAnswersJson(start.answers, out);
  *out += ",\"findings\":";
  AppendFindingsJson(*kb_, start.initial, out);
  *out += ",\"triage\":";
  const TriageResult initial = Evaluate(*kb_, start.initial);
  AppendResultJson(*kb_, start.initial, initial, out, ResultDetail::kFull,
                   start.region);
  *out += "},\"entries\":[";
  for (size_t i = 0; i < entries.entries.size(); ++i) {
    if (i > 0) *out += ',';
    AppendEntryJson(*kb_, entries.seqs[i], entries.entries[i], out);
  }
  *out += "]";
  if (entries.total >= 0) {
    // A page of the entries (?after=SEQ&limit=N): "next_after" is the
    // `after` of the next page, null on the last one.
    const int64_t last =
        entries.seqs.empty() ? entries.after : entries.seqs.back();
    *out += fmt::format(",\"entries_total\":{},\"next_after\":", entries.total);
    *out += last < entries.total ? std::to_string(last) : "null";
  }
  *out += ",\"review\":";
  AppendReviewJson(*kb_, review, out);
  *out += "}";
}

HttpResponse Api::Erase(const HttpRequest& req) {
  Loaded e;
  if (auto denied = Authorize(req, "erase", &e)) return *denied;
  const Status s = ctx_.storage->EraseEpisode(e.record.id);
  if (!s.ok()) {
    Audit(e.ref, e.token_ref, "erase", "error");
    return s.code() == StatusCode::kNotFound ? EpisodeNotFound(req)
                                             : StorageProblem(req, s);
  }
  Audit(e.ref, e.token_ref, "erase", "ok");
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

HttpResponse Api::Export(const HttpRequest& req) {
  Loaded e;
  Reviewed loaded;
  if (auto failed = ReadEpisode(req, "export", ctx_.now_ms(), &e, &loaded)) {
    return *failed;
  }
  const LoadedEntries* entries = &loaded.entries;
  const EpisodeReview* review = &loaded.review;
  // Audit first, so the export includes its own access.
  Audit(e.ref, e.token_ref, "export", "ok");
  auto audit = ctx_.storage->ListAudit(e.ref);
  if (!audit.ok()) return StorageProblem(req, audit.status());
  // Rows written before the keyed reference (LegacyEpisodeRef).
  auto legacy = ctx_.storage->ListAudit(LegacyEpisodeRef(e.record.id));
  if (!legacy.ok()) return StorageProblem(req, legacy.status());
  if (!legacy->empty()) {
    audit->insert(audit->begin(), legacy->begin(), legacy->end());
    std::stable_sort(audit->begin(), audit->end(),
                     [](const auto& a, const auto& b) { return a.at < b.at; });
  }
  std::string body = "{\"format\":\"backaid-episode-export/1\",";
  body += "\"exported_at\":";
  AppendJsonString(FormatUtc(ctx_.now_ms()), &body);
  body += ",\"episode\":";
  AppendEpisodeJson(e, *entries, *review, &body);
  body += ",\"access_log\":[";
  bool first = true;
  for (const auto& a : *audit) {
    if (!first) body += ',';
    first = false;
    body += "{\"at\":";
    AppendJsonString(FormatUtc(a.at), &body);
    body += ",\"action\":";
    AppendJsonString(a.action, &body);
    body += ",\"outcome\":";
    AppendJsonString(a.outcome, &body);
    body += ",\"token\":";
    AppendJsonString(a.token_ref, &body);
    body += "}";
  }
  body += "]}";
  HttpResponse r = Json(200, std::move(body));
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"backaid-episode.json\"");
  return r;
}

}  // namespace backaid::api
