// Internals of the FHIR front shared by its files (not a public API):
// the JSON helpers, the Questionnaire's items, the QuestionnaireResponse
// decoder and the triage Bundle. Everything here is a pure function of the
// knowledge base and its arguments.
#ifndef BACKAID_SRC_FHIR_FHIR_INTERNAL_H_
#define BACKAID_SRC_FHIR_FHIR_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/assess.h"
#include "backaid/diary.h"
#include "backaid/knowledge_base.h"
#include "src/assess/questionnaire_model.h"
#include "src/fhir/fhir.h"
#include "src/fhir/json_response.h"
#include "src/server/http_server.h"

namespace backaid::fhir::internal {

using json = nlohmann::ordered_json;
using server::HttpRequest;
using server::HttpResponse;

inline constexpr const char* kFhirJson = "application/fhir+json";
inline constexpr const char* kQuestionnaireId = "backaid-assessment";
inline constexpr const char* kExt = "http://hl7.org/fhir/StructureDefinition/";

// Canonical URLs of backaid's own artefacts (under kCanonicalBase).
std::string Canon(std::string_view tail);
std::string QuestionnaireUrl();
std::string OptionSystem();
std::string FindingSystem();
std::string ConditionSystem();
std::string LevelSystem();
std::string RuleSystem();

// A FHIR JSON response (application/fhir+json).
HttpResponse Fhir(int status, const json& j);
// An OperationOutcome with one error issue.
HttpResponse Outcome(int status, std::string_view code,
                     std::string_view diagnostics,
                     std::string_view expression = "");
// 415 unless the body is declared FHIR JSON or JSON.
std::optional<HttpResponse> RequireJson(const HttpRequest& req);
// "urn:uuid:" + a random version-4 UUID.
std::string Uuid();
std::string IsoUtc(int64_t ms);
json Coding(const std::string& system, std::string_view code,
            std::string_view display = "");
// The codings of a finding: backaid's own, then the knowledge base's
// standard codes (knowledge/fhir.yaml), if any.
json FindingConcept(const KnowledgeBase& kb, FindingId f);
json LevelConcept(const KnowledgeBase& kb, TriageLevel level);

// One question of the Questionnaire as an item (with enableWhen when FHIR
// can say the question's ask_when exactly).
json QuestionItem(const KnowledgeBase& kb, const assess::Questionnaire& qn,
                  const assess::QuestionDef& q);

// A QuestionnaireResponse decoded into the core's answers (see
// fhir_decode.cc). `error` is the OperationOutcome to answer instead.
struct Decoded {
  std::optional<HttpResponse> error;
  json response;             // the QuestionnaireResponse
  std::string answers_json;  // the answers object for the core
  EpisodeStart start;
};
Decoded DecodeResponse(const std::shared_ptr<const KnowledgeBase>& kb,
                       const json& qr, int64_t now);

// SDC $next-question: the answers of the response exactly as given (no
// "not sure" filled in), resumed by the core as POST /v1/assessments
// resumes them; the next question it asks, or none when finished.
struct NextStep {
  std::optional<HttpResponse> error;
  // The next screen's questions (Assessment::NextScreen), empty when done.
  std::vector<const assess::QuestionDef*> next;
  std::vector<std::string> answered;  // linkIds, in asking order
};
NextStep NextQuestionOf(const std::shared_ptr<const KnowledgeBase>& kb,
                        const json& qr);

// The $triage / $extract answer: a transaction Bundle of the response, the
// RiskAssessment, the Observations, the CarePlan and, for an emergency,
// the DetectedIssue and Communication.
json TriageBundle(const KnowledgeBase& kb, const Decoded& d, int64_t now);

}  // namespace backaid::fhir::internal

#endif  // BACKAID_SRC_FHIR_FHIR_INTERNAL_H_
