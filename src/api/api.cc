// Handlers of the HTTP API. Each one decodes (shape check, then the core's
// strict decoder), calls the core and storage, and encodes. Errors become
// application/problem+json with a status that says whose fault it is: 4xx
// for anything about the request, 503 when the database cannot be reached,
// 500 only for a bug.
#include "src/api/api.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

#include "backaid/assess.h"
#include "backaid/calendar.h"
#include "backaid/case_json.h"
#include "backaid/diary.h"
#include "backaid/engine.h"
#include "backaid/handover.h"
#include "backaid/plan.h"
#include "backaid/report.h"
#include "backaid/vocabulary.h"
#include "src/api/json_check.h"
#include "src/server/failure_budget.h"
#include "src/cdshooks/cdshooks.h"
#include "src/fhir/fhir.h"

namespace backaid::api {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::Problem;

constexpr std::string_view kJson = "application/json";

// ---- small helpers ---------------------------------------------------------

std::string Hex(const unsigned char* p, size_t n) {
  std::string s(n * 2, '0');
  sodium_bin2hex(s.data(), s.size() + 1, p, n);
  return s;
}

// BLAKE2b of `data` under a purpose label, as hex. Purpose labels keep the
// hashes of one value for different uses unlinkable.
std::string HashHex(std::string_view purpose, std::string_view data,
                    size_t bytes = 32) {
  crypto_generichash_state st;
  unsigned char out[crypto_generichash_BYTES_MAX];
  crypto_generichash_init(&st, nullptr, 0, bytes);
  crypto_generichash_update(
      &st, reinterpret_cast<const unsigned char*>(purpose.data()),
      purpose.size());
  const unsigned char sep = 0;
  crypto_generichash_update(&st, &sep, 1);
  crypto_generichash_update(
      &st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_generichash_final(&st, out, bytes);
  return Hex(out, bytes);
}

std::string RandomUrlSafe(size_t bytes) {
  unsigned char buf[64];
  randombytes_buf(buf, bytes);
  std::string s(sodium_base64_encoded_len(
                    bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                '\0');
  sodium_bin2base64(s.data(), s.size(), buf, bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  s.resize(std::strlen(s.c_str()));
  return s;
}

bool IsUrlSafeId(std::string_view s, size_t min, size_t max) {
  if (s.size() < min || s.size() > max) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

// Authenticated encryption of a remembered response under a key derived
// from the client's Idempotency-Key, so the database alone never reveals
// a response (which may hold a capability token).
std::string Seal(std::string_view key_material, std::string_view plain) {
  unsigned char key[crypto_secretbox_KEYBYTES];
  crypto_generichash(
      key, sizeof key,
      reinterpret_cast<const unsigned char*>(key_material.data()),
      key_material.size(), nullptr, 0);
  std::string out(
      crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(),
      '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(o, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(o + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()),
                        plain.size(), o, key);
  sodium_memzero(key, sizeof key);
  return Hex(o, out.size());
}

std::optional<std::string> Open(std::string_view key_material,
                                std::string_view sealed_hex) {
  std::string sealed(sealed_hex.size() / 2, '\0');
  size_t len = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(sealed.data()),
                     sealed.size(), sealed_hex.data(), sealed_hex.size(),
                     nullptr, &len, nullptr) != 0 ||
      len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return std::nullopt;
  }
  unsigned char key[crypto_secretbox_KEYBYTES];
  crypto_generichash(
      key, sizeof key,
      reinterpret_cast<const unsigned char*>(key_material.data()),
      key_material.size(), nullptr, 0);
  const auto* s = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string plain(
      len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  const int rc =
      crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 s + crypto_secretbox_NONCEBYTES,
                                 len - crypto_secretbox_NONCEBYTES, s, key);
  sodium_memzero(key, sizeof key);
  if (rc != 0) return std::nullopt;
  return plain;
}

HttpResponse Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = std::string(kJson);
  r.body = std::move(body);
  return r;
}

HttpResponse BadRequest(const HttpRequest& req, const Status& s) {
  return Problem(400, "invalid-request", "The request is not valid",
                 s.message(), req.request_id);
}

HttpResponse StorageProblem(const HttpRequest& req, const Status& s) {
  if (s.code() == StatusCode::kIoError) {
    return Problem(503, "storage-unavailable", "The database cannot be reached",
                   "try again shortly; nothing was changed by this request "
                   "unless it says otherwise",
                   req.request_id);
  }
  return Problem(500, "storage-error", "The database reported an error",
                 "the request could not be completed", req.request_id);
}

HttpResponse EpisodeNotFound(const HttpRequest& req) {
  return Problem(404, "episode-not-found", "No such episode",
                 "there is no episode with this id for this token (send "
                 "'Authorization: Bearer <token>')",
                 req.request_id);
}

// 415 unless the body is declared JSON.
std::optional<HttpResponse> RequireJson(const HttpRequest& req) {
  std::string_view ct = req.header("content-type");
  const size_t semi = ct.find(';');
  std::string_view type = ct.substr(0, semi);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  std::string lower(type);
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  // JSON is UTF-8 (RFC 8259): a charset parameter, if any, must say so.
  std::string params(semi == std::string_view::npos ? "" : ct.substr(semi));
  for (char& c : params) c = static_cast<char>(std::tolower(c));
  std::erase(params, ' ');
  const size_t cs = params.find(";charset=");
  const bool utf8 = cs == std::string::npos ||
                    params.compare(cs + 9, std::string::npos, "utf-8") == 0 ||
                    params.compare(cs + 9, 6, "utf-8;") == 0 ||
                    params.compare(cs + 9, std::string::npos, "\"utf-8\"") == 0;
  if (!utf8) {
    return Problem(415, "unsupported-media-type", "The body must be UTF-8",
                   "a JSON body is UTF-8: send 'charset=utf-8' or no charset",
                   req.request_id);
  }
  if (lower == "application/json" || lower == "application/fhir+json") {
    return std::nullopt;
  }
  return Problem(415, "unsupported-media-type", "The body must be JSON",
                 ct.empty() ? "send 'Content-Type: application/json'"
                            : "Content-Type must be application/json",
                 req.request_id);
}

// The JSON text of a top-level member (minified), or nullopt if absent.
std::optional<std::string> Member(std::string_view body,
                                  std::string_view name) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root)) return std::nullopt;
  simdjson::dom::element v;
  if (root[name].get(v)) return std::nullopt;
  return simdjson::minify(v);
}

// ---- the API ---------------------------------------------------------------

class Api {
 public:
  explicit Api(ApiContext ctx) : ctx_(std::move(ctx)) {
    if (!ctx_.now_ms) {
      ctx_.now_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
    }
    kb_ = ctx_.kb.get();
    AppendVocabularyJson(*kb_, &vocabulary_);
  }

  HttpResponse Livez(const HttpRequest&) {
    return Json(200, "{\"status\":\"live\"}");
  }

  HttpResponse Readyz(const HttpRequest& req) {
    const Status db = ctx_.storage->Ping();
    std::string body = "{\"status\":";
    AppendJsonString(db.ok() ? "ready" : "not ready", &body);
    body += ",\"kb_version\":";
    AppendJsonString(kb_->version(), &body);
    body += ",\"database\":";
    AppendJsonString(db.ok() ? "ok" : "unreachable", &body);
    body += ",\"backend\":";
    AppendJsonString(ctx_.storage->backend(), &body);
    body += "}";
    if (!db.ok()) {
      HttpResponse r = Json(503, std::move(body));
      return r;
    }
    return Json(200, std::move(body));
  }

  HttpResponse Metrics(const HttpRequest&) {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = ctx_.http->MetricsText();
    return r;
  }

  HttpResponse OpenApi(const HttpRequest&) {
    return Json(200, std::string(OpenApiDocument()));
  }

  HttpResponse Triage(const HttpRequest& req) {
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

  HttpResponse Questionnaire(const HttpRequest&) {
    std::string body;
    AppendQuestionnaireJson(*kb_, &body);
    return Json(200, std::move(body));
  }

  // The same for the life of the server (one knowledge base): built once.
  HttpResponse Vocabulary(const HttpRequest&) { return Json(200, vocabulary_); }

  HttpResponse Assessments(const HttpRequest& req) {
    if (auto r = RequireJson(req)) return *r;
    // ParseEpisodeStart runs the shape check with the diary's member list.
    const int64_t now = ctx_.now_ms();
    auto start = ParseEpisodeStart(*kb_, req.body, now);
    if (!start.ok()) return BadRequest(req, start.status());
    bool open_episode = false;
    if (auto v = Member(req.body, "open_episode")) {
      if (*v != "true" && *v != "false") {
        return BadRequest(req, Status::InvalidArgument(
                                   "open_episode: must be true or false"));
      }
      open_episode = *v == "true";
    }
    // Where the person is in the questionnaire (answers only).
    std::string next_question = "null";
    Progress progress;
    bool finished = true;
    if (auto answers = Member(req.body, "answers")) {
      auto session = ResumeAssessment(ctx_.kb, *answers);
      if (!session.ok()) return BadRequest(req, session.status());
      if (const Question* q = session->NextQuestion()) {
        next_question.clear();
        AppendQuestionJson(*q, &next_question);
        finished = false;
      }
      progress = session->progress();
    }
    const TriageResult result = Evaluate(*kb_, start->initial);
    CountLevel(result.level);
    auto plan = BuildCarePlan(*kb_, start->initial, result);
    if (!plan.ok()) {
      return Problem(500, "internal", "No care plan could be built",
                     plan.status().message(), req.request_id);
    }
    std::string body = "{\"finished\":";
    body += finished ? "true" : "false";
    body += ",\"next_question\":" + next_question;
    body += fmt::format(",\"progress\":{{\"answered\":{},\"about\":{}}}",
                        progress.answered, progress.about);
    body += ",\"answers\":";
    AppendAnswersJson(start->answers, &body);
    body += ",\"findings\":";
    AppendFindingsJson(*kb_, start->initial, &body);
    body += ",\"triage\":";
    AppendResultJson(*kb_, start->initial, result, &body,
                     /*could_not_rule_out=*/true);
    body += ",\"plan\":";
    AppendPlanJson(*plan, &body);
    body += ",\"emergency_number\":";
    AppendJsonString(EmergencyNumber(start->region).value_or("112"), &body);
    if (!open_episode) return Json(200, body + "}");
    return OpenEpisode(req, *start, now, "assessments",
                       body + ",\"episode\":", "}");
  }

  HttpResponse CreateEpisode(const HttpRequest& req) {
    if (auto r = RequireJson(req)) return *r;
    const int64_t now = ctx_.now_ms();
    auto start = ParseEpisodeStart(*kb_, req.body, now);
    if (!start.ok()) return BadRequest(req, start.status());
    return OpenEpisode(req, *start, now, "episodes", "", "");
  }

  HttpResponse GetEpisode(const HttpRequest& req) {
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

  // The diary's bounds: a 409 when the episode holds as many entries as it
  // may, a 429 with Retry-After when the last 24 hours do. Both say that a
  // change for the worse is not to wait: a new assessment, or the
  // emergency number.
  std::optional<HttpResponse> DiaryFull(const HttpRequest& req,
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
    HttpResponse r = Problem(
        429, "diary-day-full", "Too many diary entries today",
        fmt::format("an episode takes at most {} entries in 24 hours.{}",
                    per_day, kWorse),
        req.request_id);
    const int64_t wait_s =
        std::max<int64_t>(1, (oldest + kDayMs - now) / 1000 + 1);
    r.headers.emplace_back("Retry-After", std::to_string(wait_s));
    return r;
  }

  HttpResponse AddEntry(const HttpRequest& req) {
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
    const int64_t now = ctx_.now_ms();
    auto entry = ParseDiaryEntry(*kb_, req.body, now);
    if (!entry.ok()) return BadRequest(req, entry.status());
    // The review state kept with the episode: one row read, two triages,
    // whatever the episode's length (issue 12 finding 1). A writer that
    // lost a race to another entry reads the episode again.
    storage::EntryRecord record;
    std::optional<EpisodeReview> review;
    std::optional<storage::IdempotencyRecord> existing;
    std::string body;
    Status s;
    for (int attempt = 0;; ++attempt) {
      if (attempt >= 64) {
        return Problem(503, "busy", "The diary is busy",
                       "other entries are being written to this episode; "
                       "retry",
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

  HttpResponse Calendar(const HttpRequest& req) {
    Loaded e;
    Reviewed loaded;
    if (auto failed =
            ReadEpisode(req, "calendar", ctx_.now_ms(), &e, &loaded)) {
      return *failed;
    }
    const EpisodeReview* review = &loaded.review;
    ScheduleOptions options;
    options.time_zone = e.stored.start.time_zone;
    auto local =
        LocalTimeIn(e.stored.start.started_at_ms / 1000, options.time_zone);
    if (!local.ok()) return BadRequest(req, local.status());
    options.start = *local;
    auto events = Schedule(review->plan, options);
    if (!events.ok()) return BadRequest(req, events.status());
    auto ics = ToICalendar(*events, options);
    if (!ics.ok()) {
      return Problem(500, "internal", "The calendar could not be written",
                     ics.status().message(), req.request_id);
    }
    Audit(e.ref, e.token_ref, "calendar", "ok");
    HttpResponse r;
    r.content_type = "text/calendar; charset=utf-8";
    r.body = std::move(*ics);
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"backaid-plan.ics\"");
    return r;
  }

  HttpResponse Export(const HttpRequest& req) {
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

  HttpResponse Summary(const HttpRequest& req) {
    const int64_t now = ctx_.now_ms();
    Loaded e;
    Reviewed loaded;
    if (auto failed = ReadEpisode(req, "summary", now, &e, &loaded)) {
      return *failed;
    }
    // The handover shows every entry (at most --max-entries) and the whole
    // pain chart, not a page.
    auto all = LoadEntries(req, e);
    if (!all.ok()) return StorageProblem(req, all.status());
    EpisodeReview review = std::move(loaded.review);
    review.trend = FullPainTrend(*kb_, e.stored.start, all->entries);
    auto pdf = HandoverPdf(*kb_, e.stored.start, all->entries, review, now);
    if (!pdf.ok()) {
      return Problem(500, "internal", "The summary could not be written",
                     pdf.status().message(), req.request_id);
    }
    Audit(e.ref, e.token_ref, "summary", "ok");
    HttpResponse r;
    r.content_type = "application/pdf";
    r.body = std::move(*pdf);
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"backaid-summary.pdf\"");
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }

  // The web page: index.html at "/", its files under /assets/. Files are
  // read once at start; names with a path separator never match.
  HttpResponse WebIndex(const HttpRequest& req) {
    return ServeStatic(req, "index.html");
  }
  HttpResponse WebAsset(const HttpRequest& req) {
    return ServeStatic(req, "assets/" + req.params.at(0));
  }

  void LoadWebRoot() {
    namespace fs = std::filesystem;
    if (ctx_.web_root.empty()) return;
    std::error_code ec;
    const fs::path root(ctx_.web_root);
    for (const auto& name : {fs::path("index.html")}) {
      LoadStatic(root, name);
    }
    for (fs::directory_iterator it(root / "assets", ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->is_regular_file()) {
        LoadStatic(root, fs::path("assets") / it->path().filename());
      }
    }
  }

  bool has_web() const { return !static_files_.empty(); }

 private:
  struct StaticFile {
    std::string content_type;
    std::string body;
  };

  void LoadStatic(const std::filesystem::path& root,
                  const std::filesystem::path& name) {
    std::ifstream in(root / name, std::ios::binary);
    if (!in) return;
    std::ostringstream data;
    data << in.rdbuf();
    const std::string ext = name.extension().string();
    static const std::map<std::string, std::string> kTypes = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
    };
    auto type = kTypes.find(ext);
    static_files_[name.generic_string()] = StaticFile{
        type == kTypes.end() ? "application/octet-stream" : type->second,
        data.str()};
  }

  HttpResponse ServeStatic(const HttpRequest& req, const std::string& name) {
    auto it = static_files_.find(name);
    if (it == static_files_.end()) {
      return Problem(404, "not-found", "No such page",
                     has_web() ? "there is no such file of the web page"
                               : "the web page is not served: start with "
                                 "--web DIR",
                     req.request_id);
    }
    HttpResponse r;
    r.content_type = it->second.content_type;
    r.body = it->second.body;
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Cache-Control", name == "index.html"
                                                ? "no-cache"
                                                : "public, max-age=300");
    return r;
  }

  std::map<std::string, StaticFile> static_files_;

 public:
  HttpResponse Erase(const HttpRequest& req) {
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

  // ?after=SEQ&limit=N of GET and export (src/server/http_util.h).
  static Result<server::EntryPageQuery> EntryPage(const HttpRequest& req) {
    return server::ParseEntryPage(req.query);
  }

  // The episode's review state: kept in its document; rebuilt once from
  // the entries for a document written before it was kept.
  Result<ReviewState> StateOf(const HttpRequest& req, const Loaded& e) {
    if (e.stored.state) return *e.stored.state;
    auto entries = LoadEntries(req, e);
    if (!entries.ok()) return entries.status();
    return StateOfEpisode(*kb_, e.stored.start, entries->entries);
  }

  // Deletes idempotency records older than the TTL, at most once per purge
  // interval across all threads (one indexed DELETE). Called before a key is
  // looked up, so an expired key is never replayed once purged. A failed
  // purge is tried again at the next interval; the write goes on.
  void ForgetExpiredIdempotency() {
    const int64_t now = ctx_.now_ms();
    int64_t due = next_purge_ms_.load(std::memory_order_relaxed);
    if (now < due) return;
    const int64_t every = std::min<int64_t>(
        60'000, std::max<int64_t>(1, ctx_.idempotency_ttl_ms / 2));
    if (!next_purge_ms_.compare_exchange_strong(due, now + every)) return;
    (void)ctx_.storage->PurgeIdempotency(now - ctx_.idempotency_ttl_ms);
  }

  // The Idempotency-Key of a write: absent, valid, or a 400.
  struct Idempotency {
    Idempotency(const HttpRequest& req, const std::string& scope) {
      const std::string_view key = req.header("idempotency-key");
      if (key.empty()) return;
      if (key.size() > 255 || key.find_first_of("\r\n") != key.npos) {
        valid = false;
        problem = Problem(400, "invalid-idempotency-key",
                          "The Idempotency-Key header is not valid",
                          "use 1-255 printable characters, e.g. a UUID",
                          req.request_id);
        return;
      }
      present = true;
      key_material = scope + "|" + std::string(key);
      key_hash = HashHex("backaid idempotency key", key_material);
      request_hash = HashHex("backaid request", req.body);
    }
    bool present = false;
    bool valid = true;
    HttpResponse problem;
    std::string key_material, key_hash, request_hash;
  };

  void CountLevel(TriageLevel level) {
    if (ctx_.http == nullptr) return;
    ctx_.http->CountMetric("backaid_triage_level_total",
                           fmt::format("level=\"{}\"", LevelName(level)));
  }

  void Audit(const std::string& ref, const std::string& token_ref,
             std::string_view action, std::string_view outcome) {
    // Refused attempts (wrong token, unknown id) are recorded within a
    // budget (src/server/failure_budget.h); the rest only counted. Real
    // accesses are always recorded.
    if ((outcome == "denied" || outcome == "not_found") &&
        !failed_audit_.Allow(ref, ctx_.now_ms())) {
      if (ctx_.http != nullptr) {
        ctx_.http->CountMetric("backaid_audit_failures_unrecorded_total", "");
      }
      return;
    }
    storage::AuditRecord a;
    a.episode_ref = ref;
    a.token_ref = token_ref;
    a.action = std::string(action);
    a.outcome = std::string(outcome);
    a.at = ctx_.now_ms();
    // An audit write that fails must not hide the answer; it is counted
    // so operations see it.
    if (!ctx_.storage->AppendAudit(a).ok() && ctx_.http != nullptr) {
      ctx_.http->CountMetric("backaid_audit_write_failures_total", "");
    }
  }

  static std::string EpisodeRef(std::string_view id) {
    return HashHex("backaid episode ref", id, 16);
  }
  static std::string TokenRef(std::string_view token) {
    return HashHex("backaid token ref", token, 8);
  }
  static std::string TokenHash(std::string_view token) {
    return HashHex("backaid token", token);
  }

  // Loads the episode named in the path and checks the bearer token.
  // Returns the 404 (the same for a missing episode and a wrong token) or a
  // storage problem; nullopt when authorised.
  std::optional<HttpResponse> Authorize(const HttpRequest& req,
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
    e->ref = EpisodeRef(id);
    e->token_ref = token.empty() ? "" : TokenRef(token);
    if (!IsUrlSafeId(id, 8, 64)) return EpisodeNotFound(req);
    auto record = ctx_.storage->GetEpisode(id);
    if (!record.ok()) {
      if (record.status().code() != StatusCode::kNotFound) {
        return StorageProblem(req, record.status());
      }
      Audit(e->ref, e->token_ref, action, "not_found");
      return EpisodeNotFound(req);
    }
    const std::string presented = TokenHash(token);
    if (token.empty() || !IsUrlSafeId(token, 16, 128) ||
        presented.size() != record->token_hash.size() ||
        sodium_memcmp(presented.data(), record->token_hash.data(),
                      presented.size()) != 0) {
      Audit(e->ref, e->token_ref, action, "denied");
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

  struct Reviewed {
    LoadedEntries entries;
    EpisodeReview review;
  };
  // Authorises a read of the episode named in the path (see Authorize),
  // then loads its entries and reviews it as of `now`. On failure, the
  // response to send instead.
  std::optional<HttpResponse> ReadEpisode(const HttpRequest& req,
                                          std::string_view action, int64_t now,
                                          Loaded* e, Reviewed* out) {
    if (auto denied = Authorize(req, action, e)) return denied;
    auto page = EntryPage(req);
    if (!page.ok()) return BadRequest(req, page.status());
    auto entries = LoadEntries(req, *e, page->after, page->limit);
    if (!entries.ok()) {
      return entries.status().code() == StatusCode::kNotFound
                 ? EpisodeNotFound(req)
                 : StorageProblem(req, entries.status());
    }
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

  Result<LoadedEntries> LoadEntries(const HttpRequest& req, const Loaded& e,
                                    int64_t after = 0,
                                    int64_t limit = INT64_MAX) {
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

  // Opens an episode for `start`; the response is `prefix` + the episode
  // object + `suffix` (POST /v1/assessments embeds it in its answer).
  HttpResponse OpenEpisode(const HttpRequest& req, const EpisodeStart& start,
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
    AppendJsonString(EmergencyNumber(start.region).value_or("112"), &body);
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
    Audit(EpisodeRef(id), TokenRef(token), "create", "ok");
    HttpResponse r = Json(201, std::move(body));
    r.headers.emplace_back("Location", "/v1/episodes/" + id);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }

  HttpResponse KeyReused(const HttpRequest& req) {
    return Problem(422, "idempotency-key-reused",
                   "This Idempotency-Key was used for another request",
                   "a retry must send the same body as the first request; "
                   "use a new key for a new request",
                   req.request_id);
  }

  HttpResponse ReplaySealed(const HttpRequest& req, const Idempotency& idem,
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

  // A retried diary entry: the answer is rebuilt from the stored entries up
  // to and including the remembered one, as of the time it was written.
  HttpResponse ReplayEntry(const HttpRequest& req, const Loaded& e,
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
    // Remembered before the whole answer was (an entry document and its
    // time): rebuilt from the stored entries up to it.
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

  void AppendEpisodeJson(const Loaded& e, const LoadedEntries& entries,
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
    AppendJsonString(EmergencyNumber(start.region).value_or("112"), out);
    *out += ",\"initial\":{\"answers\":";
    AppendAnswersJson(start.answers, out);
    *out += ",\"findings\":";
    AppendFindingsJson(*kb_, start.initial, out);
    *out += ",\"triage\":";
    const TriageResult initial = Evaluate(*kb_, start.initial);
    AppendResultJson(*kb_, start.initial, initial, out);
    *out += "},\"entries\":[";
    for (size_t i = 0; i < entries.entries.size(); ++i) {
      if (i > 0) *out += ',';
      AppendEntryJson(*kb_, entries.seqs[i], entries.entries[i], out);
    }
    *out += "]";
    if (entries.total >= 0) {
      // A page of the entries: ?after=SEQ&limit=N; "next" is the `after`
      // of the next page (null on the last one).
      const int64_t last =
          entries.seqs.empty() ? entries.after : entries.seqs.back();
      *out += fmt::format(",\"entries_total\":{},\"next_after\":", entries.total);
      *out += last < entries.total ? std::to_string(last) : "null";
    }
    *out += ",\"review\":";
    AppendReviewJson(*kb_, review, out);
    *out += "}";
  }

  ApiContext ctx_;
  const KnowledgeBase* kb_;
  server::FailureBudget failed_audit_;
  std::string vocabulary_;
  std::atomic<int64_t> next_purge_ms_{0};
};

}  // namespace

std::vector<std::pair<std::string, std::string>> RouteList() {
  std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/livez"},
      {"GET", "/readyz"},
      {"GET", "/metrics"},
      {"GET", "/openapi.json"},
      {"POST", "/v1/triage"},
      {"GET", "/v1/questionnaire"},
      {"GET", "/v1/vocabulary"},
      {"POST", "/v1/assessments"},
      {"POST", "/v1/episodes"},
      {"GET", "/v1/episodes/{id}"},
      {"DELETE", "/v1/episodes/{id}"},
      {"POST", "/v1/episodes/{id}/entries"},
      {"GET", "/v1/episodes/{id}/plan.ics"},
      {"GET", "/v1/episodes/{id}/export"},
      {"GET", "/v1/episodes/{id}/summary.pdf"},
      {"GET", "/"},
      {"GET", "/assets/{file}"},
  };
  // The FHIR and CDS Hooks fronts (src/fhir, src/cdshooks) register their
  // own routes.
  for (auto& r : fhir::RouteList()) routes.push_back(std::move(r));
  for (auto& r : cdshooks::RouteList()) routes.push_back(std::move(r));
  return routes;
}

Status RegisterRoutes(server::HttpServer& http, ApiContext ctx) {
  if ((ctx.crypto_init ? ctx.crypto_init() : sodium_init()) < 0) {
    return Status::FailedPrecondition(
        "libsodium failed to initialise (no safe source of randomness): "
        "cannot issue tokens");
  }
  ctx.http = &http;
  const auto api_kb = ctx.kb;
  const auto api_now = ctx.now_ms;
  auto api = std::make_shared<Api>(std::move(ctx));
  api->LoadWebRoot();
  using Method = HttpResponse (Api::*)(const HttpRequest&);
  auto bind = [&](const char* method, const char* path, Method m) {
    http.Route(method, path,
               [api, m](const HttpRequest& req) { return ((*api).*m)(req); });
  };
  bind("GET", "/livez", &Api::Livez);
  bind("GET", "/readyz", &Api::Readyz);
  bind("GET", "/metrics", &Api::Metrics);
  bind("GET", "/openapi.json", &Api::OpenApi);
  bind("POST", "/v1/triage", &Api::Triage);
  bind("GET", "/v1/questionnaire", &Api::Questionnaire);
  bind("GET", "/v1/vocabulary", &Api::Vocabulary);
  bind("POST", "/v1/assessments", &Api::Assessments);
  bind("POST", "/v1/episodes", &Api::CreateEpisode);
  bind("GET", "/v1/episodes/{id}", &Api::GetEpisode);
  bind("DELETE", "/v1/episodes/{id}", &Api::Erase);
  bind("POST", "/v1/episodes/{id}/entries", &Api::AddEntry);
  bind("GET", "/v1/episodes/{id}/plan.ics", &Api::Calendar);
  bind("GET", "/v1/episodes/{id}/export", &Api::Export);
  bind("GET", "/v1/episodes/{id}/summary.pdf", &Api::Summary);
  bind("GET", "/", &Api::WebIndex);
  bind("GET", "/assets/{file}", &Api::WebAsset);
  fhir::RegisterRoutes(http, fhir::FhirContext{api_kb, api_now});
  cdshooks::CdsContext cds{api_kb, api_now, {}, {}, {}, {}};
  cdshooks::ConfigureFromEnvironment(&cds);
  cdshooks::RegisterRoutes(http, std::move(cds));
  return Status::Ok();
}

}  // namespace backaid::api
