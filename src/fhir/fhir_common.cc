// The FHIR front's small helpers: canonical URLs, responses, codings.
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
#include "src/knowledge/program.h"

namespace backaid::fhir::internal {

std::string Canon(std::string_view tail) {
  return std::string(kCanonicalBase) + "/" + std::string(tail);
}
std::string QuestionnaireUrl() {
  return Canon(std::string("Questionnaire/") + kQuestionnaireId);
}
std::string OptionSystem() { return Canon("CodeSystem/backaid-answer-option"); }
std::string FindingSystem() { return Canon("CodeSystem/backaid-finding"); }
std::string ConditionSystem() { return Canon("CodeSystem/backaid-condition"); }
std::string LevelSystem() { return Canon("CodeSystem/backaid-triage-level"); }
std::string RuleSystem() { return Canon("CodeSystem/backaid-rule"); }

HttpResponse Fhir(int status, const json& j) {
  return JsonResponse(status, kFhirJson, j);
}

// An OperationOutcome with one error issue.
HttpResponse Outcome(int status, std::string_view code,
                     std::string_view diagnostics,
                     std::string_view expression) {
  json issue = {
      {"severity", "error"}, {"code", code}, {"diagnostics", diagnostics}};
  if (!expression.empty()) issue["expression"] = json::array({expression});
  json oo = {{"resourceType", "OperationOutcome"},
             {"issue", json::array({issue})}};
  return Fhir(status, oo);
}

std::optional<HttpResponse> RequireJson(const HttpRequest& req) {
  std::string ct(req.header("content-type"));
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  for (char& c : ct) c = static_cast<char>(std::tolower(c));
  if (ct == "application/fhir+json" || ct == "application/json") {
    return std::nullopt;
  }
  return Outcome(
      415, "not-supported",
      "send the body as application/fhir+json (or application/json)");
}

std::string Uuid() { return "urn:uuid:" + RandomUuid(); }

std::string IsoUtc(int64_t ms) { return FormatUtc(ms); }

json Coding(const std::string& system, std::string_view code,
            std::string_view display) {
  json c = {{"system", system}, {"code", code}};
  if (!display.empty()) c["display"] = display;
  return c;
}

// The codings of a finding: backaid's own, then the knowledge base's
// standard codes (knowledge/fhir.yaml), if any.
json FindingConcept(const KnowledgeBase& kb, FindingId f) {
  const FindingDef& d = kb.findings()[f];
  json codings = json::array({Coding(FindingSystem(), d.key, d.meaning)});
  for (const StandardCode& sc : FindingCodes(kb, d.key)) {
    codings.push_back(Coding(sc.system, sc.code, sc.display));
  }
  return {{"coding", codings}, {"text", d.meaning}};
}

json LevelConcept(const KnowledgeBase& kb, TriageLevel level) {
  return {{"coding", json::array({Coding(LevelSystem(), LevelName(level))})},
          {"text", kb.level(level).meaning}};
}

}  // namespace backaid::fhir::internal
