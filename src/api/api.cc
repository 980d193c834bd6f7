// The HTTP API's route table (kRoutes): the one list that RegisterRoutes
// binds and RouteList reports, so the OpenAPI test compares the document
// with what is bound. The handlers live in one file per resource (see
// api_internal.h).
#include "src/api/api.h"

#include <fmt/format.h>
#include <sodium.h>

#include <chrono>

#include "backaid/case.h"
#include "backaid/report.h"
#include "backaid/vocabulary.h"
#include "src/api/api_internal.h"
#include "src/api/crypto.h"
#include "src/cdshooks/cdshooks.h"
#include "src/fhir/fhir.h"

namespace backaid::api {

Api::Api(ApiContext ctx) : ctx_(std::move(ctx)) {
  if (!ctx_.now_ms) {
    ctx_.now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  kb_ = ctx_.kb.get();
  unknown_token_hash_ = TokenHash(RandomUrlSafe(32));
  AppendVocabularyJson(*kb_, &vocabulary_);
  for (const Region& r : Regions(*kb_)) {
    std::string v;
    AppendVocabularyJson(*kb_, &v, r.id);
    region_vocabularies_.emplace_back(r.id, std::move(v));
  }
  static_files_.Load(ctx_.web_root);
  // The page gets the knowledge base's vocabulary (regions and emergency
  // numbers included) with its first byte: no request needed to know whom
  // to call. '<' is escaped so the JSON cannot end the data block.
  std::string inline_vocabulary;
  for (char c : vocabulary_) {
    if (c == '<') {
      inline_vocabulary += "\\u003c";
    } else {
      inline_vocabulary += c;
    }
  }
  std::string numbers;
  const std::vector<Region> regions = Regions(*kb_);
  for (size_t i = 0; i < regions.size(); ++i) {
    if (i > 0) numbers += i + 1 == regions.size() ? " or " : ", ";
    numbers += regions[i].emergency_number + " (" + regions[i].name + ")";
  }
  static_files_.Fill(
      "index.html",
      {{"<!--backaid:vocabulary-->",
        "<script id=\"backaid-vocabulary\" type=\"application/json\">" +
            inline_vocabulary + "</script>"},
       {"{{emergency_number}}", EmergencyNumber(*kb_, "")},
       {"{{emergency_numbers}}",
        numbers.empty() ? "the emergency number" : numbers}});
}

// The web page: index.html at "/", its files under /assets/.
HttpResponse Api::WebIndex(const HttpRequest& req) {
  return static_files_.Serve(req, "index.html");
}
HttpResponse Api::WebAsset(const HttpRequest& req) {
  return static_files_.Serve(req, "assets/" + req.params.at(0));
}

void Api::CountLevel(TriageLevel level) {
  if (ctx_.http == nullptr) return;
  ctx_.http->CountMetric("backaid_triage_level_total",
                         fmt::format("level=\"{}\"", LevelName(level)));
}

namespace {

struct ApiRoute {
  const char* method;
  const char* path;
  HttpResponse (Api::*handler)(const HttpRequest&);
};

// Every route of the API (the FHIR and CDS Hooks fronts have their own
// tables), in registration order.
constexpr ApiRoute kRoutes[] = {
    {"GET", "/livez", &Api::Livez},
    {"GET", "/readyz", &Api::Readyz},
    {"GET", "/metrics", &Api::Metrics},
    {"GET", "/openapi.json", &Api::OpenApi},
    {"POST", "/v1/triage", &Api::Triage},
    {"GET", "/v1/questionnaire", &Api::Questionnaire},
    {"GET", "/v1/vocabulary", &Api::Vocabulary},
    {"POST", "/v1/assessments", &Api::Assessments},
    {"POST", "/v1/episodes", &Api::CreateEpisode},
    {"GET", "/v1/episodes/{id}", &Api::GetEpisode},
    {"DELETE", "/v1/episodes/{id}", &Api::Erase},
    {"POST", "/v1/episodes/{id}/entries", &Api::AddEntry},
    {"GET", "/v1/episodes/{id}/plan.ics", &Api::Calendar},
    {"GET", "/v1/episodes/{id}/export", &Api::Export},
    {"GET", "/v1/episodes/{id}/summary.pdf", &Api::Summary},
    {"GET", "/", &Api::WebIndex},
    {"GET", "/assets/{file}", &Api::WebAsset},
};

}  // namespace

std::vector<std::pair<std::string, std::string>> RouteList() {
  std::vector<std::pair<std::string, std::string>> routes;
  for (const ApiRoute& r : kRoutes) routes.emplace_back(r.method, r.path);
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
  for (const ApiRoute& r : kRoutes)
    http.Route(r.method, r.path, api, r.handler);
  fhir::RegisterRoutes(http, fhir::FhirContext{api_kb, api_now});
  cdshooks::CdsContext cds{api_kb, api_now, {}, {}, {}, {}};
  cdshooks::ConfigureFromEnvironment(&cds);
  cdshooks::RegisterRoutes(http, std::move(cds));
  return Status::Ok();
}

}  // namespace backaid::api
