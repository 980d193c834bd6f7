// POST /v1/episodes/{id}/entries: a diary entry, within the diary's bounds.
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

// The diary's bounds: a 409 when the episode holds as many entries as it
// may, a 429 with Retry-After when the last 24 hours do. Both say that a
// change for the worse is not to wait: a new assessment, or the
// emergency number.
std::optional<HttpResponse> Api::DiaryFull(const HttpRequest& req,
                                           const ReviewState& state,
                                           int64_t now) {
  constexpr std::string_view kWorse =
      " If anything has changed or got worse, do not wait: start a new "
      "assessment, and in an emergency call the emergency number.";
  const int per_episode = ctx_.max_entries_per_episode;
  if (per_episode > 0 && state.entries >= per_episode) {
    return Problem(409, "diary-full", "This diary is full",
                   fmt::format("an episode holds at most {} entries; "
                               "start a new episode to keep a diary.{}",
                               per_episode, kWorse),
                   req.request_id);
  }
  const int per_day = ctx_.max_entries_per_day;
  if (per_day <= 0) return std::nullopt;
  constexpr int64_t kDayMs = int64_t{24} * 3600 * 1000;
  // The state keeps the last day's entry times (O(1) in the length).
  const std::vector<int64_t> day = EntriesInLastDay(state, now);
  if (day.size() < static_cast<size_t>(per_day)) return std::nullopt;
  const int64_t oldest = day.front();
  HttpResponse r =
      Problem(429, "diary-day-full", "Too many diary entries today",
              fmt::format("an episode takes at most {} entries in 24 hours.{}",
                          per_day, kWorse),
              req.request_id);
  const int64_t wait_s =
      std::max<int64_t>(1, (oldest + kDayMs - now) / 1000 + 1);
  r.headers.emplace_back("Retry-After", std::to_string(wait_s));
  return r;
}

HttpResponse Api::AddEntry(const HttpRequest& req) {
  if (auto r = RequireJson(req)) return *r;
  Loaded e;
  if (auto denied = Authorize(req, "write", &e)) return *denied;
  const std::string scope = "entries|" + e.record.id;
  Idempotency idem(req, scope);
  if (!idem.valid) return idem.problem;
  if (idem.present) {
    ForgetExpiredIdempotency();
    auto found = ctx_.storage->FindIdempotency(idem.key_hash);
    if (!found.ok()) return StorageProblem(req, found.status());
    if (found->has_value()) return ReplayEntry(req, e, idem, **found);
  }
  // ParseDiaryEntry runs the shape check with the entry's member list.
  const int64_t now = ctx_.now_ms();
  auto entry = ParseDiaryEntry(*kb_, req.body, now);
  if (!entry.ok()) return BadRequest(req, entry.status());
  // The review state kept with the episode: one row read, two triages,
  // whatever the episode's length (issue 12 finding 1). A writer that lost
  // a race to another entry (the storage's expected_seq) reads the episode
  // again, a bounded number of times.
  storage::EntryRecord record;
  std::optional<EpisodeReview> review;
  std::optional<storage::IdempotencyRecord> existing;
  std::string body;
  Status s;
  for (int attempt = 0;; ++attempt) {
    if (attempt >= 64) {
      return Problem(503, "busy", "The diary is busy",
                     "other entries are being written to this episode; retry",
                     req.request_id);
    }
    if (attempt > 0) {
      // Another entry came first: read the episode (and its state) again.
      if (auto denied = Authorize(req, "write", &e)) return *denied;
    }
    auto state = StateOf(req, e);
    if (!state.ok()) return StorageProblem(req, state.status());
    if (auto full = DiaryFull(req, *state, now)) return *full;
    auto reviewed = AppendEntry(*kb_, e.stored.start, *entry, now, &*state);
    if (!reviewed.ok()) {
      return Problem(500, "internal", "The entry could not be reviewed",
                     reviewed.status().message(), req.request_id);
    }
    review = std::move(*reviewed);
    record = {};
    record.episode_id = e.record.id;
    record.created_at = now;
    record.document = EntryDocument(*kb_, *entry);
    record.expected_seq = state->entries;
    body = "{\"entry\":";
    AppendEntryJson(*kb_, record.expected_seq, *entry, &body);
    body += ",\"review\":";
    AppendReviewJson(*kb_, *review, &body);
    body += "}";
    storage::IdempotencyRecord idem_record;
    if (idem.present) {
      idem_record.key_hash = idem.key_hash;
      idem_record.request_hash = idem.request_hash;
      idem_record.status = 201;
      idem_record.episode_id = e.record.id;
      idem_record.created_at = now;
      // The whole first answer (it holds no token): a replay is O(1).
      idem_record.response = Seal(idem.key_material, body);
    }
    s = ctx_.storage->AddEntry(
        &record, EpisodeDocument(*kb_, e.stored.start, *state),
        idem.present ? &idem_record : nullptr, &existing);
    if (s.code() != StatusCode::kFailedPrecondition) break;
  }
  if (!s.ok()) {
    Audit(e.ref, e.token_ref, "write", "error");
    return s.code() == StatusCode::kNotFound ? EpisodeNotFound(req)
                                             : StorageProblem(req, s);
  }
  if (existing.has_value()) return ReplayEntry(req, e, idem, *existing);
  Audit(e.ref, e.token_ref, "write", "ok");
  CountLevel(review->result.level);
  if (review->escalated) {
    ctx_.http->CountMetric("backaid_diary_escalations_total", "");
  }
  HttpResponse r = Json(201, std::move(body));
  r.headers.emplace_back("Location", fmt::format("/v1/episodes/{}#entry-{}",
                                                 e.record.id, record.seq));
  return r;
}

}  // namespace backaid::api
