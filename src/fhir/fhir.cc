// FHIR R4 handlers: decode FHIR JSON, call the core, encode FHIR resources.
// See fhir.h. Resources are built with nlohmann::ordered_json so that
// "resourceType" comes first, as FHIR JSON recommends.
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

namespace backaid::fhir {
namespace {

using namespace internal;  // NOLINT: this module's own internals

class FhirFront {
 public:
  explicit FhirFront(FhirContext ctx) : ctx_(std::move(ctx)) {
    if (!ctx_.now_ms) {
      ctx_.now_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
    }
    questionnaire_ = QuestionnaireJson(*ctx_.kb);
    metadata_ = CapabilityStatementJson(*ctx_.kb);
    triage_operation_ = TriageOperationJson(*ctx_.kb);
  }

  HttpResponse ReadOperationDefinition(const HttpRequest& req) {
    if (req.params.at(0) != "backaid-triage") {
      return Outcome(404, "not-found",
                     "no OperationDefinition with id '" + req.params.at(0) +
                         "' (this server defines backaid-triage; $extract "
                         "and $next-question are SDC's)");
    }
    return Raw(triage_operation_);
  }

  HttpResponse Metadata(const HttpRequest&) { return Raw(metadata_); }

  HttpResponse ReadQuestionnaire(const HttpRequest& req) {
    if (req.params.at(0) == "$next-question") {
      // An operation path under the {id} template: only POST is served.
      HttpResponse r =
          Outcome(405, "not-supported", "$next-question is invoked with POST");
      r.headers.emplace_back("Allow", "POST");
      return r;
    }
    if (req.params.at(0) != kQuestionnaireId) {
      return Outcome(404, "not-found",
                     "no Questionnaire with id '" + req.params.at(0) + "'");
    }
    return Raw(questionnaire_);
  }

  // GET /fhir/Questionnaire[?url=..]: a searchset Bundle.
  HttpResponse SearchQuestionnaire(const HttpRequest& req) {
    std::string url;
    bool match = true;
    for (std::string_view q = req.query; !q.empty();) {
      const size_t amp = q.find('&');
      std::string_view kv = q.substr(0, amp);
      q = amp == q.npos ? std::string_view() : q.substr(amp + 1);
      if (kv.substr(0, 4) == "url=") {
        url = Unescape(kv.substr(4));
        const size_t bar = url.find('|');
        match = url.substr(0, bar) == QuestionnaireUrl() &&
                (bar == url.npos || url.substr(bar + 1) == ctx_.kb->version());
      }
    }
    json b = {{"resourceType", "Bundle"},
              {"type", "searchset"},
              {"total", match ? 1 : 0}};
    if (match) {
      b["entry"] = json::array(
          {{{"fullUrl", std::string("Questionnaire/") + kQuestionnaireId},
            {"resource", json::parse(questionnaire_)},
            {"search", {{"mode", "match"}}}}});
    }
    return Fhir(200, b);
  }

  HttpResponse Triage(const HttpRequest& req) {
    if (auto r = RequireJson(req)) return *r;
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded()) return Outcome(400, "structure", "not JSON");
    if (!in.is_object() || StringMember(in, "resourceType") != "Parameters" ||
        !in.contains("parameter") || !in["parameter"].is_array()) {
      return Outcome(400, "structure", "expected a Parameters resource");
    }
    const json* qr = nullptr;
    for (const json& p : in["parameter"]) {
      if (p.is_object() && StringMember(p, "name") == "response" &&
          p.contains("resource")) {
        qr = &p["resource"];
      }
    }
    if (qr == nullptr) {
      return Outcome(400, "required",
                     "parameter 'response' (a QuestionnaireResponse) is "
                     "required",
                     "Parameters.parameter");
    }
    return Run(*qr);
  }

  // SDC $extract: the QuestionnaireResponse itself, or a Parameters with
  // 'questionnaire-response'.
  HttpResponse Extract(const HttpRequest& req) {
    if (auto r = RequireJson(req)) return *r;
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded()) return Outcome(400, "structure", "not JSON");
    if (in.is_object() && StringMember(in, "resourceType") == "Parameters" &&
        in.contains("parameter") && in["parameter"].is_array()) {
      for (const json& p : in["parameter"]) {
        if (p.is_object() &&
            StringMember(p, "name") == "questionnaire-response" &&
            p.contains("resource")) {
          return Run(p["resource"]);
        }
      }
      return Outcome(400, "required",
                     "parameter 'questionnaire-response' is required",
                     "Parameters.parameter");
    }
    return Run(in);
  }

  // SDC adaptive form: the response comes back with a contained
  // Questionnaire holding the questions asked so far plus the next screen
  // the core asks (one or more questions, Assessment::NextScreen; status
  // in-progress), or, when the core asks nothing more,
  // status completed.
  HttpResponse NextQuestion(const HttpRequest& req) {
    if (auto r = RequireJson(req)) return *r;
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded()) return Outcome(400, "structure", "not JSON");
    json qr = in;
    if (in.is_object() && StringMember(in, "resourceType") == "Parameters") {
      qr = json();
      if (in.contains("parameter") && in["parameter"].is_array()) {
        for (const json& p : in["parameter"]) {
          if (p.is_object() &&
              StringMember(p, "name") == "questionnaire-response" &&
              p.contains("resource")) {
            qr = p["resource"];
          }
        }
      }
      if (qr.is_null()) {
        return Outcome(400, "required",
                       "parameter 'questionnaire-response' is required",
                       "Parameters.parameter");
      }
    }
    NextStep step = NextQuestionOf(ctx_.kb, qr);
    if (step.error.has_value()) return *step.error;
    const auto& model = *assess::QuestionnaireOf(*ctx_.kb);
    json items = json::array();
    for (const std::string& id : step.answered) {
      json item =
          QuestionItem(*ctx_.kb, model, model.questions[model.index.at(id)]);
      item.erase("enableWhen");
      item.erase("enableBehavior");
      items.push_back(std::move(item));
    }
    for (const assess::QuestionDef* next : step.next) {
      json item = QuestionItem(*ctx_.kb, model, *next);
      item.erase("enableWhen");
      item.erase("enableBehavior");
      items.push_back(std::move(item));
    }
    json contained = {
        {"resourceType", "Questionnaire"},
        {"id", "adaptive"},
        {"url", QuestionnaireUrl() + "-adaptive"},
        {"version", ctx_.kb->version()},
        {"status", "active"},
        {"derivedFrom",
         json::array({QuestionnaireUrl() + "|" + ctx_.kb->version()})},
        {"extension",
         json::array({{{"url",
                        "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
                        "sdc-questionnaire-questionnaireAdaptive"},
                       {"valueBoolean", true}}})},
        {"item", items}};
    json out = qr;
    out["contained"] = json::array({contained});
    out["questionnaire"] = "#adaptive";
    out["status"] = step.next.empty() ? "completed" : "in-progress";
    return Fhir(200, out);
  }

 private:
  static HttpResponse Raw(const std::string& body) {
    HttpResponse r;
    r.content_type = kFhirJson;
    r.body = body;
    return r;
  }

  static std::string Unescape(std::string_view s) {
    auto hex = [](char c) {
      return c >= '0' && c <= '9'   ? c - '0'
             : c >= 'a' && c <= 'f' ? c - 'a' + 10
             : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                    : -1;
    };
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 &&
          hex(s[i + 2]) >= 0) {
        out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
        i += 2;
      } else {
        out += s[i] == '+' ? ' ' : s[i];
      }
    }
    return out;
  }

  HttpResponse Run(const json& qr) {
    const int64_t now = ctx_.now_ms();
    Decoded d = DecodeResponse(ctx_.kb, qr, now);
    if (d.error.has_value()) return *d.error;
    return Fhir(200, TriageBundle(*ctx_.kb, d, now));
  }

  FhirContext ctx_;
  std::string questionnaire_;
  std::string metadata_;
  std::string triage_operation_;
};

}  // namespace

Result<ResponseTriage> TriageQuestionnaireResponse(
    const std::shared_ptr<const KnowledgeBase>& kb, std::string_view qr_json,
    int64_t now_ms) {
  json qr = json::parse(qr_json, nullptr, false);
  if (qr.is_discarded()) return Status::InvalidArgument("not JSON");
  Decoded d = DecodeResponse(kb, qr, now_ms);
  if (d.error.has_value()) {
    json oo = json::parse(d.error->body, nullptr, false);
    std::string msg = "invalid QuestionnaireResponse";
    if (!oo.is_discarded()) msg = oo["issue"][0].value("diagnostics", msg);
    return Status::InvalidArgument(msg);
  }
  ResponseTriage out;
  out.start = std::move(d.start);
  out.result = Evaluate(*kb, out.start.initial);
  return out;
}

namespace {

// The route table: what RegisterRoutes binds and RouteList reports (so the
// OpenAPI test compares the document with what is bound).
struct FhirRoute {
  const char* method;
  const char* path;
  HttpResponse (FhirFront::*handler)(const HttpRequest&);
};
constexpr FhirRoute kRoutes[] = {
    {"GET", "/fhir/metadata", &FhirFront::Metadata},
    {"GET", "/fhir/Questionnaire", &FhirFront::SearchQuestionnaire},
    {"GET", "/fhir/Questionnaire/{id}", &FhirFront::ReadQuestionnaire},
    {"POST", "/fhir/$triage", &FhirFront::Triage},
    {"POST", "/fhir/QuestionnaireResponse/$extract", &FhirFront::Extract},
    {"POST", "/fhir/Questionnaire/$next-question", &FhirFront::NextQuestion},
    {"GET", "/fhir/OperationDefinition/{id}",
     &FhirFront::ReadOperationDefinition},
};

}  // namespace

std::vector<std::pair<std::string, std::string>> RouteList() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const FhirRoute& r : kRoutes) out.emplace_back(r.method, r.path);
  return out;
}

// Called by api::RegisterRoutes after it has started libsodium (whose
// failure it reports as a Status), so randombytes_buf is ready here.
void RegisterRoutes(server::HttpServer& http, FhirContext ctx) {
  auto front = std::make_shared<FhirFront>(std::move(ctx));
  for (const FhirRoute& r : kRoutes) {
    http.Route(r.method, r.path, front, r.handler);
  }
  // Any other path under /fhir, or another method: an OperationOutcome, as
  // a FHIR client expects, not the API's problem+json.
  http.OnUnmatched("/fhir", [](int status, std::string_view path) {
    return status == 404
               ? internal::Outcome(404, "not-found",
                                   "no resource or operation at " +
                                       std::string(path) +
                                       " (see /fhir/metadata)")
               : internal::Outcome(
                     405, "not-supported",
                     "this method is not supported at " + std::string(path));
  });
}

}  // namespace backaid::fhir
