#include "src/cdshooks/cdshooks.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "backaid/case.h"
#include "backaid/engine.h"
#include "backaid/report.h"
#include "src/cdshooks/jwt.h"
#include "src/cdshooks/orders.h"
#include "src/fhir/fhir.h"
#include "src/fhir/json_response.h"

namespace backaid::cdshooks {
namespace {

using json = nlohmann::ordered_json;
using server::HttpRequest;
using server::HttpResponse;

constexpr const char* kServiceId = "backaid-back-pain";
constexpr const char* kOrdersServiceId = "backaid-imaging-advice";
constexpr size_t kMaxSummary = 140;

void Cors(HttpResponse* r) {
  r->headers.emplace_back("Access-Control-Allow-Origin", "*");
  r->headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  r->headers.emplace_back("Access-Control-Allow-Headers",
                          "Content-Type, Authorization");
  r->headers.emplace_back("Access-Control-Max-Age", "600");
}

HttpResponse JsonResponse(int status, const json& j) {
  HttpResponse r = fhir::JsonResponse(status, "application/json", j);
  Cors(&r);
  return r;
}

HttpResponse Error(int status, std::string_view msg) {
  return JsonResponse(status, {{"error", msg}});
}

// At most `n` bytes, cut at a UTF-8 character boundary, with "…" if cut.
std::string Clip(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  size_t end = n - 3;  // room for "…" (3 bytes)
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "\xE2\x80\xA6";
}

std::string Uuid() { return fhir::RandomUuid(); }

class Cds {
 public:
  Cds(CdsContext ctx, std::unique_ptr<JwtVerifier> verifier, bool broken)
      : ctx_(std::move(ctx)), verifier_(std::move(verifier)), broken_(broken) {
    if (!ctx_.now_ms) {
      ctx_.now_ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
    }
  }

  HttpResponse Discovery(const HttpRequest&) {
    const std::string qn =
        std::string(fhir::kCanonicalBase) + "/Questionnaire/backaid-assessment";
    json service = {
        {"hook", "patient-view"},
        {"id", kServiceId},
        {"title", "backaid back pain triage"},
        {"description",
         "Triage of an acute back spasm from the patient's latest backaid "
         "assessment (a QuestionnaireResponse): level, red flags, reasons "
         "and sources. Not a diagnosis."},
        {"prefetch",
         {{"assessment",
           "QuestionnaireResponse?subject={{context.patientId}}"
           "&questionnaire=" +
               qn + "&_sort=-authored&_count=1"},
          {"observations", fhir::ObservationsPrefetch(*ctx_.kb)}}},
        {"usageRequirements",
         "Prefetch the latest QuestionnaireResponse to " + qn +
             ", and the patient's measured pain score and vital signs "
             "(observations), which fill what the assessment left "
             "unanswered; backaid never queries the fhirServer."}};
    json services = json::array({service});
    if (OrderAdviceOf(*ctx_.kb) != nullptr) {
      services.push_back(
          {{"hook", "order-select"},
           {"id", kOrdersServiceId},
           {"title", "backaid advice on spine imaging orders"},
           {"description",
            "When a spine imaging order is selected for a patient with back "
            "pain, says whether the patient's latest backaid assessment "
            "found red flags, and the guideline advice that follows. Not a "
            "diagnosis."},
           {"prefetch", service["prefetch"]},
           {"usageRequirements", service["usageRequirements"]}});
    }
    return JsonResponse(200, {{"services", services}});
  }

  HttpResponse Preflight(const HttpRequest&) {
    HttpResponse r;
    r.status = 204;
    r.content_type = "text/plain";
    Cors(&r);
    return r;
  }

  HttpResponse Call(const HttpRequest& req) {
    const std::string& service = req.params.at(0);
    const bool orders =
        service == kOrdersServiceId && OrderAdviceOf(*ctx_.kb) != nullptr;
    if (service != kServiceId && !orders) return Error(404, "no such service");
    if (broken_) return Error(503, "JWT verification is misconfigured");
    if (verifier_ != nullptr) {
      // The scheme is case-insensitive (RFC 9110 11.1).
      std::string_view auth = req.header("authorization");
      if (auth.size() < 8 || !EqualsIgnoreCase(auth.substr(0, 7), "bearer ")) {
        return Error(401, "a JWT (Authorization: Bearer) is required");
      }
      Status s = verifier_->Verify(auth.substr(7), ctx_.now_ms() / 1000);
      if (!s.ok()) return Error(401, s.message());
    }
    json in = json::parse(req.body, nullptr, false);
    if (in.is_discarded() || !in.is_object())
      return Error(400, "the body must be a JSON object");
    const char* hook = orders ? "order-select" : "patient-view";
    if (fhir::StringMember(in, "hook") != hook)
      return Error(400, std::string("hook must be ") + hook);
    if (!in.contains("hookInstance") || !in["hookInstance"].is_string())
      return Error(400, "hookInstance is required");
    if (!in.contains("context") || !in["context"].is_object())
      return Error(400, "context is required");
    if (orders) return OrderSelect(req, in);
    std::string problem;
    auto t = TriageOf(in, &problem);
    if (!t) return Cards({AskCard(req, problem)});
    return Cards({TriageCard(*t)});
  }

 private:
  static bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) !=
          std::tolower(static_cast<unsigned char>(b[i])))
        return false;
    }
    return true;
  }

  // The latest QuestionnaireResponse in the prefetch (a resource or a
  // searchset Bundle), or null with the reason.
  struct Assessment {
    const json* qr = nullptr;
    std::string problem;
  };
  static Assessment FindAssessment(const json& in) {
    Assessment out;
    out.problem = "No backaid assessment was prefetched for this patient.";
    if (!in.contains("prefetch") || !in["prefetch"].is_object() ||
        !in["prefetch"].contains("assessment"))
      return out;
    const json& a = in["prefetch"]["assessment"];
    if (a.is_object() &&
        fhir::StringMember(a, "resourceType") == "QuestionnaireResponse") {
      out.qr = &a;
    } else if (a.is_object() &&
               fhir::StringMember(a, "resourceType") == "Bundle" &&
               a.contains("entry") && a["entry"].is_array()) {
      for (const json& e : a["entry"]) {
        if (e.is_object() && e.contains("resource") &&
            e["resource"].is_object() &&
            fhir::StringMember(e["resource"], "resourceType") ==
                "QuestionnaireResponse") {
          out.qr = &e["resource"];
          break;
        }
      }
    } else if (!a.is_null()) {
      out.problem =
          "The prefetched assessment could not be read (not a "
          "QuestionnaireResponse).";
    }
    return out;
  }

  // The prefetched assessment triaged, with the EHR's measured values for
  // what it left unanswered (fhir::MergeObservations); nullopt with the
  // reason when there is no usable assessment.
  struct Triaged : fhir::ResponseTriage {
    std::vector<FindingId> from_ehr;
  };
  std::optional<Triaged> TriageOf(const json& in, std::string* problem) {
    Assessment a = FindAssessment(in);
    *problem = a.problem;
    if (a.qr == nullptr) return std::nullopt;
    auto t = fhir::TriageQuestionnaireResponse(ctx_.kb, fhir::Dump(*a.qr),
                                               ctx_.now_ms());
    if (!t.ok()) {
      *problem = "The prefetched assessment could not be used: " +
                 t.status().message();
      return std::nullopt;
    }
    Triaged out;
    static_cast<fhir::ResponseTriage&>(out) = std::move(*t);
    const json& prefetch = in["prefetch"];
    if (prefetch.contains("observations")) {
      out.from_ehr = fhir::MergeObservations(
          *ctx_.kb, fhir::Dump(prefetch["observations"]), &out.start.initial);
      if (!out.from_ehr.empty())
        out.result = Evaluate(*ctx_.kb, out.start.initial);
    }
    return out;
  }

  // order-select: a card per selected order that an advice item of
  // orders.yaml is about; no card for any other order.
  HttpResponse OrderSelect(const HttpRequest& req, const json& in) {
    const json& context = in["context"];
    if (!context.contains("selections") || !context["selections"].is_array())
      return Error(400, "context.selections (an array of ids) is required");
    if (!context.contains("draftOrders") ||
        !context["draftOrders"].is_object() ||
        fhir::StringMember(context["draftOrders"], "resourceType") != "Bundle")
      return Error(400, "context.draftOrders (a Bundle) is required");
    std::vector<std::string> selections;
    for (const json& s : context["selections"]) {
      if (!s.is_string())
        return Error(400, "context.selections holds strings only");
      selections.push_back(s.get<std::string>());
    }
    const json& bundle = context["draftOrders"];
    const OrderAdviceModel& model = *OrderAdviceOf(*ctx_.kb);
    struct Selected {
      std::string reference;  // e.g. ServiceRequest/123
      std::string display;
      const OrderAdvice* advice;
    };
    std::vector<Selected> matched;
    if (bundle.contains("entry") && bundle["entry"].is_array()) {
      for (const json& e : bundle["entry"]) {
        if (!e.is_object() || !e.contains("resource") ||
            !e["resource"].is_object())
          continue;
        const json& r = e["resource"];
        const std::string ref = fhir::StringMember(r, "resourceType") + "/" +
                                fhir::StringMember(r, "id");
        if (std::find(selections.begin(), selections.end(), ref) ==
            selections.end())
          continue;
        std::vector<std::pair<std::string, std::string>> codings;
        std::string display;
        if (r.contains("code") && r["code"].is_object()) {
          display = fhir::StringMember(r["code"], "text");
          const json& code = r["code"];
          if (code.contains("coding") && code["coding"].is_array()) {
            for (const json& c : code["coding"]) {
              if (!c.is_object()) continue;
              codings.emplace_back(fhir::StringMember(c, "system"),
                                   fhir::StringMember(c, "code"));
              if (display.empty()) display = fhir::StringMember(c, "display");
            }
          }
        }
        for (const OrderAdvice* a : AdviceForOrder(model, codings))
          matched.push_back({ref, display, a});
      }
    }
    json cards = json::array();
    if (matched.empty()) return Cards(cards);
    std::string problem;
    const auto triage = TriageOf(in, &problem);
    for (const Selected& s : matched) {
      cards.push_back(
          triage ? OrderCard(*triage, s.advice, s.reference, s.display)
                 : UnassessedOrderCard(req, *s.advice, problem, s.display));
    }
    return Cards(cards);
  }

  std::string Cites(const std::vector<uint16_t>& sources) const {
    std::string cites;
    for (uint16_t i : sources)
      cites += (cites.empty() ? "" : "; ") + ctx_.kb->sources()[i].cite;
    return cites;
  }

  static std::string OrderLine(const std::string& display) {
    return display.empty() ? "" : "Order: " + display + "\n\n";
  }

  json UnassessedOrderCard(const HttpRequest& req, const OrderAdvice& advice,
                           const std::string& problem,
                           const std::string& display) {
    json card = AskCard(req, problem);
    card["summary"] = Clip(advice.unassessed.summary, kMaxSummary);
    card["detail"] = OrderLine(display) + advice.unassessed.detail + "\n\n" +
                     problem + "\n\nSources: " + Cites(advice.sources);
    return card;
  }

  json OrderCard(const Triaged& t, const OrderAdvice* advice,
                 const std::string& reference, const std::string& display) {
    const KnowledgeBase& kb = *ctx_.kb;
    const TriageResult& r = t.result;
    const auto open = CouldNotRuleOut(kb, t.start.initial, r);
    const OrderAnswer answer = ChooseAnswer(kb, *advice, r, open);
    const OrderText& text =
        answer == OrderAnswer::kAdviseAgainst  ? advice->advise_against
        : answer == OrderAnswer::kWarningSigns ? advice->warning_signs
                                               : advice->incomplete;
    std::string md = OrderLine(display) + text.detail + "\n\n";
    if (answer == OrderAnswer::kAdviseAgainst) {
      md += "Assessment: **" + std::string(LevelName(r.level)) + "**, " +
            "red-flag screen complete.\n\n" + EhrLine(t);
    } else {
      md += ReasonsMarkdown(t, open);
    }
    md += "Sources of this advice: " + Cites(advice->sources) +
          "\n\nbackaid gives triage, not a diagnosis.";
    const char* indicator =
        answer == OrderAnswer::kWarningSigns ? Indicator(r.level) : "warning";
    json card = {{"uuid", Uuid()},
                 {"summary", Clip(text.summary, kMaxSummary)},
                 {"indicator", indicator},
                 {"detail", md},
                 {"source", Source()}};
    if (answer == OrderAnswer::kAdviseAgainst) {
      card["selectionBehavior"] = "at-most-one";
      card["suggestions"] = json::array(
          {{{"label", text.suggestion},
            {"uuid", Uuid()},
            {"isRecommended", true},
            {"actions", json::array({{{"type", "delete"},
                                      {"description", text.suggestion},
                                      {"resourceId", reference}}})}}});
    }
    return card;
  }

  // Which findings came from the EHR's Observations, with their values.
  std::string EhrLine(const Triaged& t) const {
    if (t.from_ehr.empty()) return "";
    std::string line = "Measured values from the EHR: ";
    for (size_t i = 0; i < t.from_ehr.size(); ++i) {
      const FindingDef& d = ctx_.kb->findings()[t.from_ehr[i]];
      const int32_t v = t.start.initial.values[t.from_ehr[i]];
      line += (i ? ", " : "") + d.key + " " +
              (d.scale > 1 ? fmt::format("{:.1f}", double(v) / d.scale)
                           : std::to_string(v));
    }
    return line + ".\n\n";
  }

  static const char* Indicator(TriageLevel level) {
    return level == TriageLevel::kEmergency ? "critical"
           : level == TriageLevel::kUrgent  ? "warning"
                                            : "info";
  }

  // The level, conditions, reasons with their sources, and what unanswered
  // questions leave open, in Markdown.
  std::string ReasonsMarkdown(const Triaged& t,
                              const std::vector<Undetermined>& open) const {
    const KnowledgeBase& kb = *ctx_.kb;
    const TriageResult& r = t.result;
    std::string md = "**" + std::string(LevelName(r.level)) +
                     "**: " + kb.level(r.level).meaning + "\n\n" + EhrLine(t);
    const std::string conditions = ConditionNames(r);
    if (!conditions.empty())
      md += "Conditions to check: " + conditions + "\n\n";
    if (!r.fired.empty()) md += "Reasons:\n\n";
    for (uint16_t i : r.fired) {
      const RuleDef& rd = kb.rules()[i];
      md += "- " + rd.reason + " (" + std::string(LevelName(rd.level)) +
            "; sources: " + Cites(rd.sources) + ")\n";
    }
    if (!open.empty()) {
      md += "\nCould not rule out (unanswered):\n\n";
      for (const auto& u : open) {
        std::string missing;
        for (FindingId f : u.missing)
          missing += (missing.empty() ? "" : "; ") + kb.findings()[f].meaning;
        md += "- " + kb.rules()[u.rule].id + " (" +
              std::string(LevelName(kb.rules()[u.rule].level)) +
              "): " + missing + "\n";
      }
    }
    return md + "\n";
  }

  std::string ConditionNames(const TriageResult& r) const {
    const KnowledgeBase& kb = *ctx_.kb;
    std::string conditions;
    for (size_t i = 0; i < kb.conditions().size(); ++i) {
      if ((r.conditions >> i) & 1u) {
        conditions +=
            (conditions.empty() ? "" : ", ") + kb.conditions()[i].name;
      }
    }
    return conditions;
  }
  HttpResponse Cards(json cards) {
    return JsonResponse(200, {{"cards", cards}});
  }

  json Source() const {
    return {{"label", "backaid " + ctx_.kb->version()},
            {"topic",
             {{"system",
               std::string(fhir::kCanonicalBase) + "/CodeSystem/backaid-topic"},
              {"code", "back-pain-triage"}}}};
  }

  std::string WebUrl(const HttpRequest& req) const {
    if (!ctx_.public_url.empty()) return ctx_.public_url;
    std::string host(req.header("host"));
    for (char c : host) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
            c == '-' || c == ':' || c == '[' || c == ']')) {
        host = "localhost";
        break;
      }
    }
    return "http://" + (host.empty() ? std::string("localhost") : host) + "/";
  }

  json AskCard(const HttpRequest& req, const std::string& why) {
    return {{"uuid", Uuid()},
            {"summary",
             "No back pain assessment yet: ask the patient to "
             "complete the backaid assessment"},
            {"indicator", "info"},
            {"detail", why + " Ask the patient to complete the assessment; "
                             "the triage appears here once it is recorded."},
            {"source", Source()},
            {"links", json::array({{{"label", "Open the backaid assessment"},
                                    {"url", WebUrl(req)},
                                    {"type", "absolute"}}})}};
  }

  json TriageCard(const Triaged& t) {
    const KnowledgeBase& kb = *ctx_.kb;
    const TriageResult& r = t.result;
    const std::string conditions = ConditionNames(r);
    std::string summary =
        "Back pain triage: " + std::string(LevelName(r.level)) +
        (conditions.empty() ? "" : " (check: " + conditions + ")");
    std::string md =
        ReasonsMarkdown(t, CouldNotRuleOut(kb, t.start.initial, r));
    md += "backaid gives triage, not a diagnosis.";
    json card = {{"uuid", Uuid()},
                 {"summary", Clip(summary, kMaxSummary)},
                 {"indicator", Indicator(r.level)},
                 {"detail", md},
                 {"source", Source()}};
    if (r.level == TriageLevel::kEmergency) {
      // CDS Hooks 2.0: suggestions need a selectionBehavior (cds-resp-6).
      card["selectionBehavior"] = "at-most-one";
      card["suggestions"] = json::array(
          {{{"label", "Send to emergency care now (call " +
                          EmergencyNumber(kb, t.start.region) + ")"},
            {"uuid", Uuid()},
            {"isRecommended", true}}});
    }
    return card;
  }

  CdsContext ctx_;
  std::unique_ptr<JwtVerifier> verifier_;
  bool broken_ = false;
};

std::vector<std::string> SplitComma(const char* s) {
  std::vector<std::string> out;
  if (s == nullptr) return out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

void ConfigureFromEnvironment(CdsContext* ctx) {
  if (const char* p = std::getenv("BACKAID_CDS_JWKS")) ctx->jwks_path = p;
  ctx->issuers = SplitComma(std::getenv("BACKAID_CDS_ISSUERS"));
  if (const char* a = std::getenv("BACKAID_CDS_AUDIENCE")) ctx->audience = a;
  if (const char* u = std::getenv("BACKAID_PUBLIC_URL")) ctx->public_url = u;
}

namespace {

// The route table: what RegisterRoutes binds and RouteList reports.
struct CdsRoute {
  const char* method;
  const char* path;
  HttpResponse (Cds::*handler)(const HttpRequest&);
};
constexpr CdsRoute kRoutes[] = {
    {"GET", "/cds-services", &Cds::Discovery},
    {"OPTIONS", "/cds-services", &Cds::Preflight},
    {"POST", "/cds-services/{id}", &Cds::Call},
    {"OPTIONS", "/cds-services/{id}", &Cds::Preflight},
};

}  // namespace

std::vector<std::pair<std::string, std::string>> RouteList() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const CdsRoute& r : kRoutes) out.emplace_back(r.method, r.path);
  return out;
}

void RegisterRoutes(server::HttpServer& http, CdsContext ctx) {
  // libsodium (the card ids) was started by api::RegisterRoutes, the only
  // caller, which reports a failure to start as a Status.
  std::unique_ptr<JwtVerifier> verifier;
  std::string broken;
  if (!ctx.jwks_path.empty()) {
    std::ifstream in(ctx.jwks_path);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) {
      broken = "cannot read " + ctx.jwks_path;
    } else {
      auto v = JwtVerifier::Create(ss.str(), ctx.issuers, ctx.audience);
      if (v.ok()) {
        verifier = std::move(*v);
      } else {
        broken = v.status().message();
      }
    }
    if (!broken.empty()) {
      std::cerr << "backaid serve: CDS Hooks JWT verification is not usable ("
                << broken << "); every CDS Hooks call is refused with 503\n";
    }
  }
  auto cds = std::make_shared<Cds>(std::move(ctx), std::move(verifier),
                                   !broken.empty());
  for (const CdsRoute& r : kRoutes)
    http.Route(r.method, r.path, cds, r.handler);
}

}  // namespace backaid::cdshooks
