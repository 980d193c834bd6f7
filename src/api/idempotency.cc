// Idempotency-Key: remembered answers (sealed), replays and the purge of
// expired keys.
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

Idempotency::Idempotency(const HttpRequest& req, const std::string& scope) {
  const std::string_view key = req.header("idempotency-key");
  if (key.empty()) return;
  if (key.size() > 255 || key.find_first_of("\r\n") != key.npos) {
    valid = false;
    problem =
        Problem(400, "invalid-idempotency-key",
                "The Idempotency-Key header is not valid",
                "use 1-255 printable characters, e.g. a UUID", req.request_id);
    return;
  }
  present = true;
  key_material = scope + "|" + std::string(key);
  key_hash = HashHex("backaid idempotency key", key_material);
  request_hash = HashHex("backaid request", req.body);
}

// Deletes idempotency records older than the TTL, at most once per purge
// interval across all threads (one indexed DELETE). Called before a key is
// looked up, so an expired key is never replayed once purged. A failed
// purge is counted (backaid_idempotency_purge_failures_total) and tried
// again by the next write, not a whole interval later, since until it
// succeeds an expired key is still replayed; the write goes on.
void Api::ForgetExpiredIdempotency() {
  const int64_t now = ctx_.now_ms();
  int64_t due = next_purge_ms_.load(std::memory_order_relaxed);
  if (now < due) return;
  const int64_t every = std::min<int64_t>(
      60'000, std::max<int64_t>(1, ctx_.idempotency_ttl_ms / 2));
  if (!next_purge_ms_.compare_exchange_strong(due, now + every)) return;
  const Result<int64_t> purged =
      ctx_.storage->PurgeIdempotency(now - ctx_.idempotency_ttl_ms);
  if (!purged.ok()) {
    next_purge_ms_.store(now, std::memory_order_relaxed);
    if (ctx_.http != nullptr) {
      ctx_.http->CountMetric("backaid_idempotency_purge_failures_total", "");
    }
  }
}

HttpResponse Api::KeyReused(const HttpRequest& req) {
  return Problem(422, "idempotency-key-reused",
                 "This Idempotency-Key was used for another request",
                 "a retry must send the same body as the first request; "
                 "use a new key for a new request",
                 req.request_id);
}

HttpResponse Api::ReplaySealed(const HttpRequest& req, const Idempotency& idem,
                               const storage::IdempotencyRecord& found) {
  if (found.request_hash != idem.request_hash) return KeyReused(req);
  auto body = Open(idem.key_material, found.response);
  if (!body.has_value()) {
    return Problem(500, "internal", "A remembered answer cannot be read",
                   "the stored response does not decrypt", req.request_id);
  }
  HttpResponse r = Json(found.status, std::move(*body));
  r.headers.emplace_back("Idempotent-Replayed", "true");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// A retried diary entry: the remembered answer as it was (it holds no
// token). A key remembered before whole answers were kept (an entry
// document and its time) is answered by rebuilding the review from the
// stored entries up to and including that entry.
HttpResponse Api::ReplayEntry(const HttpRequest& req, const Loaded& e,
                              const Idempotency& idem,
                              const storage::IdempotencyRecord& found) {
  if (found.request_hash != idem.request_hash) return KeyReused(req);
  auto remembered = Open(idem.key_material, found.response);
  if (!remembered.has_value()) {
    return Problem(500, "internal", "A remembered answer cannot be read",
                   "the stored response does not decrypt", req.request_id);
  }
  if (remembered->rfind("{\"entry\":", 0) == 0) {
    Audit(e.ref, e.token_ref, "write", "replayed");
    HttpResponse r = Json(found.status, std::move(*remembered));
    r.headers.emplace_back("Idempotent-Replayed", "true");
    return r;
  }
  const size_t nl = remembered->rfind('\n');
  const std::string document = remembered->substr(0, nl);
  const int64_t at = std::stoll(remembered->substr(nl + 1));
  auto records = ctx_.storage->ListEntries(e.record.id);
  if (!records.ok()) return StorageProblem(req, records.status());
  std::vector<DiaryEntry> upto;
  for (const auto& rec : *records) {
    auto entry = EntryFromDocument(*kb_, rec.document);
    if (!entry.ok()) break;
    upto.push_back(std::move(*entry));
    if (rec.created_at == at && rec.document == document) {
      auto review = ReviewEpisode(*kb_, e.stored.start, upto, at);
      if (!review.ok()) break;
      std::string body = "{\"entry\":";
      AppendEntryJson(*kb_, rec.seq, upto.back(), &body);
      body += ",\"review\":";
      AppendReviewJson(*kb_, *review, &body);
      body += "}";
      Audit(e.ref, e.token_ref, "write", "replayed");
      HttpResponse r = Json(found.status, std::move(body));
      r.headers.emplace_back("Idempotent-Replayed", "true");
      return r;
    }
  }
  return Problem(500, "internal", "A remembered entry cannot be found",
                 "the entry of this Idempotency-Key is missing",
                 req.request_id);
}

}  // namespace backaid::api
