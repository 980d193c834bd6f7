// The API's handlers and the state they share (not a public header). One
// Api object serves every route; its handlers are defined per resource:
//   health_handlers.cc      /livez, /readyz, /metrics, /openapi.json
//   assessment_handlers.cc  /v1/triage, /v1/questionnaire, /v1/vocabulary,
//                           /v1/assessments
//   episode_handlers.cc     /v1/episodes, /v1/episodes/{id} (read, erase,
//                           export)
//   entry_handlers.cc       /v1/episodes/{id}/entries
//   document_handlers.cc    /v1/episodes/{id}/plan.ics, summary.pdf
//   static_files.cc         /, /assets/{file}
// and the concerns they share: episode_access.cc (bearer token, loading
// and reviewing an episode), idempotency.cc, audit.cc, crypto.cc,
// responses.cc. api.cc holds the route table.
#ifndef BACKAID_SRC_API_API_INTERNAL_H_
#define BACKAID_SRC_API_API_INTERNAL_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/assess.h"
#include "backaid/diary.h"
#include "backaid/engine.h"
#include "src/api/api.h"
#include "src/api/static_files.h"
#include "src/server/failure_budget.h"
#include "src/server/http_server.h"
#include "src/storage/storage.h"

namespace backaid::api {

using server::HttpRequest;
using server::HttpResponse;

// The body of POST /v1/assessments and POST /v1/episodes, decoded once:
// the shape check, then the core's episode codec; the answers are resumed
// as an assessment to know the next question.
struct AssessmentRequest {
  EpisodeStart start;
  bool open_episode = false;
  std::optional<std::string> answers;  // the answers object's JSON text
};

// The Idempotency-Key of a write: absent, valid, or a 400 (`problem`).
struct Idempotency {
  Idempotency(const HttpRequest& req, const std::string& scope);
  bool present = false;
  bool valid = true;
  HttpResponse problem;
  std::string key_material, key_hash, request_hash;
};

class Api {
 public:
  explicit Api(ApiContext ctx);

  // health_handlers.cc
  HttpResponse Livez(const HttpRequest& req);
  HttpResponse Readyz(const HttpRequest& req);
  HttpResponse Metrics(const HttpRequest& req);
  HttpResponse OpenApi(const HttpRequest& req);
  // assessment_handlers.cc
  HttpResponse Triage(const HttpRequest& req);
  HttpResponse Questionnaire(const HttpRequest& req);
  HttpResponse Vocabulary(const HttpRequest& req);
  HttpResponse Assessments(const HttpRequest& req);
  // episode_handlers.cc
  HttpResponse CreateEpisode(const HttpRequest& req);
  HttpResponse GetEpisode(const HttpRequest& req);
  HttpResponse Erase(const HttpRequest& req);
  HttpResponse Export(const HttpRequest& req);
  // entry_handlers.cc
  HttpResponse AddEntry(const HttpRequest& req);
  // document_handlers.cc
  HttpResponse Calendar(const HttpRequest& req);
  HttpResponse Summary(const HttpRequest& req);
  // static files
  HttpResponse WebIndex(const HttpRequest& req);
  HttpResponse WebAsset(const HttpRequest& req);

 private:
  struct Loaded {
    storage::EpisodeRecord record;
    StoredEpisode stored;
    std::string ref;        // audit reference of the episode
    std::string token_ref;  // audit reference of the token
  };
  struct LoadedEntries {
    std::vector<DiaryEntry> entries;
    std::vector<int64_t> seqs;
    int64_t after = 0;   // the page starts after this seq
    int64_t total = -1;  // entries in the episode (-1: all are here)
  };
  struct Reviewed {
    LoadedEntries entries;
    EpisodeReview review;
  };

  // assessment_handlers.cc: decodes the body once; nullopt and `*error`
  // set when it is not valid.
  std::optional<AssessmentRequest> DecodeAssessment(
      const HttpRequest& req, const std::vector<std::string_view>& allowed,
      int64_t now, HttpResponse* error);

  // episode_handlers.cc
  // Opens an episode for `start`; the response is `prefix` + the episode
  // object + `suffix` (POST /v1/assessments embeds it in its answer).
  HttpResponse OpenEpisode(const HttpRequest& req, const EpisodeStart& start,
                           int64_t now, std::string_view scope,
                           std::string prefix, std::string_view suffix);
  void AppendEpisodeJson(const Loaded& e, const LoadedEntries& entries,
                         const EpisodeReview& review, std::string* out);

  // entry_handlers.cc: the diary's bounds.
  std::optional<HttpResponse> DiaryFull(const HttpRequest& req,
                                        const ReviewState& state, int64_t now);

  // episode_access.cc
  // Loads the episode named in the path and checks the bearer token.
  // Returns the 404 (the same for a missing episode and a wrong token) or a
  // storage problem; nullopt when authorised.
  std::optional<HttpResponse> Authorize(const HttpRequest& req,
                                        std::string_view action, Loaded* e);
  // Authorises a read (see Authorize), then loads the page of entries that
  // ?after=SEQ&limit=N asks for (400 for a bad one) and reviews the episode
  // from its kept state as of `now`. On failure, the response to send
  // instead.
  std::optional<HttpResponse> ReadEpisode(const HttpRequest& req,
                                          std::string_view action, int64_t now,
                                          Loaded* e, Reviewed* out);
  // The entries after seq `after`, at most `limit` of them.
  Result<LoadedEntries> LoadEntries(const HttpRequest& req, const Loaded& e,
                                    int64_t after = 0,
                                    int64_t limit = INT64_MAX);
  // The episode's review state (kept in its document; rebuilt from the
  // entries for a document written before it was).
  Result<ReviewState> StateOf(const HttpRequest& req, const Loaded& e);

  // idempotency.cc
  void ForgetExpiredIdempotency();
  HttpResponse KeyReused(const HttpRequest& req);
  HttpResponse ReplaySealed(const HttpRequest& req, const Idempotency& idem,
                            const storage::IdempotencyRecord& found);
  HttpResponse ReplayEntry(const HttpRequest& req, const Loaded& e,
                           const Idempotency& idem,
                           const storage::IdempotencyRecord& found);

  // audit.cc
  void Audit(const std::string& ref, const std::string& token_ref,
             std::string_view action, std::string_view outcome);
  // The audit reference of episode `id`: a hash keyed by the episode's
  // token hash, so that it cannot be computed from the id alone; once the
  // episode is erased (and its token hash with it) its audit rows cannot
  // be found by anyone who knows only the id (issue 12 finding 7).
  static std::string EpisodeRef(std::string_view id,
                                std::string_view token_hash);
  // The reference that rows written before the keyed one have (a plain
  // hash of the id): the export lists them too.
  static std::string LegacyEpisodeRef(std::string_view id);
  static std::string TokenRef(std::string_view token);
  static std::string TokenHash(std::string_view token);

  // api.cc
  void CountLevel(TriageLevel level);

  ApiContext ctx_;
  const KnowledgeBase* kb_;
  std::string vocabulary_;  // in the default region's words
  // By region id, the vocabulary in that region's words (?region=).
  std::vector<std::pair<std::string, std::string>> region_vocabularies_;
  StaticFiles static_files_;
  server::FailureBudget failed_audit_;
  // A random token hash for episodes that do not exist: compared with, and
  // keying the audit reference, exactly as a real one (Authorize does the
  // same work for an unknown id as for a wrong token).
  std::string unknown_token_hash_;
  std::atomic<int64_t> next_purge_ms_{0};
};

}  // namespace backaid::api

#endif  // BACKAID_SRC_API_API_INTERNAL_H_
