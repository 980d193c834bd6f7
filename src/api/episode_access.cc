// Reaching an episode: the bearer token, the episode and its entries.
#include <fmt/format.h>
#include <sodium.h>

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
#include "src/server/http_util.h"

namespace backaid::api {

using server::Problem;

// Loads the episode named in the path and checks the bearer token.
// Returns the 404 (the same for a missing episode and a wrong token) or a
// storage problem; nullopt when authorised.
std::optional<HttpResponse> Api::Authorize(const HttpRequest& req,
                                           std::string_view action, Loaded* e) {
  const std::string& id = req.params.at(0);
  std::string_view auth = req.header("authorization");
  std::string_view token;
  // The scheme is case-insensitive (RFC 9110 11.1): "BEARER" as "Bearer".
  // A second Authorization header never gets here (400 in the server).
  if (auth.size() > 7 && auth[6] == ' ') {
    std::string scheme(auth.substr(0, 6));
    for (char& c : scheme) c = static_cast<char>(std::tolower(c));
    if (scheme == "bearer") {
      token = auth.substr(7);
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    }
  }
  e->token_ref = token.empty() ? "" : TokenRef(token);
  if (!IsUrlSafeId(id, 8, 64)) {
    e->ref = EpisodeRef(id, unknown_token_hash_);
    return EpisodeNotFound(req);
  }
  // The same work for an unknown id as for a wrong token (issue 12 finding
  // 7: a wrong token was measurably slower): the presented token is hashed
  // either way, compared in constant time with the episode's token hash or
  // a random stand-in of the same length, the audit reference is keyed by
  // that hash, and one audit row is written.
  const std::string presented = TokenHash(token);
  auto record = ctx_.storage->GetEpisode(id);
  if (!record.ok() && record.status().code() != StatusCode::kNotFound) {
    return StorageProblem(req, record.status());
  }
  const bool found = record.ok();
  const std::string& expected =
      found ? record->token_hash : unknown_token_hash_;
  const bool same =
      presented.size() == expected.size() &&
      sodium_memcmp(presented.data(), expected.data(), presented.size()) == 0;
  const bool well_formed = !token.empty() && IsUrlSafeId(token, 16, 128);
  e->ref = EpisodeRef(id, expected);
  if (!(found && well_formed && same)) {
    Audit(e->ref, e->token_ref, action, found ? "denied" : "not_found");
    return EpisodeNotFound(req);
  }
  auto stored = EpisodeFromDocument(*kb_, record->document);
  if (!stored.ok()) {
    Audit(e->ref, e->token_ref, action, "error");
    return Problem(500, "internal", "The stored episode cannot be read",
                   stored.status().message(), req.request_id);
  }
  e->record = std::move(*record);
  e->stored = std::move(*stored);
  return std::nullopt;
}

// Authorises a read of the episode named in the path (see Authorize),
// then loads its entries and reviews it as of `now`. On failure, the
// response to send instead.
std::optional<HttpResponse> Api::ReadEpisode(const HttpRequest& req,
                                             std::string_view action,
                                             int64_t now, Loaded* e,
                                             Reviewed* out) {
  if (auto denied = Authorize(req, action, e)) return denied;
  auto page = server::ParseEntryPage(req.query);
  if (!page.ok()) return BadRequest(req, page.status());
  auto entries = LoadEntries(req, *e, page->after, page->limit);
  if (!entries.ok()) {
    return entries.status().code() == StatusCode::kNotFound
               ? EpisodeNotFound(req)
               : StorageProblem(req, entries.status());
  }
  // The review comes from the state kept with the episode, not from the
  // page: the same answer whatever page is asked for.
  auto state = StateOf(req, *e);
  if (!state.ok()) return StorageProblem(req, state.status());
  entries->total = state->entries;
  entries->after = page->after;
  auto review = ReviewFromState(*kb_, e->stored.start, *state, now);
  if (!review.ok()) {
    return Problem(500, "internal", "The episode could not be reviewed",
                   review.status().message(), req.request_id);
  }
  out->entries = std::move(*entries);
  out->review = std::move(*review);
  return std::nullopt;
}

// The episode's review state: kept in its document; rebuilt once from the
// entries for a document written before it was kept.
Result<ReviewState> Api::StateOf(const HttpRequest& req, const Loaded& e) {
  if (e.stored.state) return *e.stored.state;
  auto entries = LoadEntries(req, e);
  if (!entries.ok()) return entries.status();
  return StateOfEpisode(*kb_, e.stored.start, entries->entries);
}

Result<Api::LoadedEntries> Api::LoadEntries(const HttpRequest& req,
                                            const Loaded& e, int64_t after,
                                            int64_t limit) {
  auto records = ctx_.storage->ListEntriesPage(e.record.id, after, limit);
  if (!records.ok()) return records.status();
  LoadedEntries out;
  for (const auto& r : *records) {
    auto entry = EntryFromDocument(*kb_, r.document);
    if (!entry.ok()) return Status::Internal(entry.status().message());
    out.entries.push_back(std::move(*entry));
    out.seqs.push_back(r.seq);
  }
  return out;
}

}  // namespace backaid::api
