// FHIR R4 (4.0.1) front of `backaid serve`, under /fhir: the
// CapabilityStatement, the assessment as a Questionnaire generated from the
// loaded knowledge base (knowledge/questions.yaml), and the operations that
// turn a QuestionnaireResponse into a triage Bundle ($triage, $extract).
//
// A thin front: it decodes FHIR JSON into the same answers object that
// POST /v1/assessments takes, calls the core (ParseEpisodeStart, Evaluate,
// BuildCarePlan) and encodes the result as FHIR resources. No clinical
// logic lives here; codes for findings come from knowledge/fhir.yaml.
// Errors are OperationOutcome resources (400 unreadable, 404 unknown
// resource, 415 not JSON, 422 not valid against the Questionnaire).
#ifndef BACKAID_SRC_FHIR_FHIR_H_
#define BACKAID_SRC_FHIR_FHIR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backaid/diary.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"
#include "backaid/status.h"
#include "src/server/http_server.h"

namespace backaid::fhir {

// The canonical base of backaid's own FHIR artefacts (Questionnaire,
// CodeSystems, OperationDefinitions). Not resolvable: an identity only.
inline constexpr const char* kCanonicalBase = "https://backaid.invalid/fhir";

struct FhirContext {
  std::shared_ptr<const KnowledgeBase> kb;
  std::function<int64_t()> now_ms;  // Unix ms; the system clock if empty
};

// Method and path template of every FHIR route, in registration order.
std::vector<std::pair<std::string, std::string>> RouteList();

// Registers the FHIR routes on `http` (before it starts).
void RegisterRoutes(server::HttpServer& http, FhirContext ctx);

// A QuestionnaireResponse (JSON text) to backaid-assessment, decoded as
// $triage decodes it and triaged by the core. For the CDS Hooks front.
struct ResponseTriage {
  EpisodeStart start;
  TriageResult result;
};
Result<ResponseTriage> TriageQuestionnaireResponse(
    const std::shared_ptr<const KnowledgeBase>& kb, std::string_view qr_json,
    int64_t now_ms);

// Measured values the EHR holds, for findings that knowledge/fhir.yaml
// codes and that are numbers (pain score, temperature, pulse, systolic
// pressure): `observations_json` is an Observation, a searchset Bundle of
// them, or JSON null. For each such finding still unknown in `c`, the first
// usable Observation (status final, amended or corrected; a valueQuantity,
// or a component with the code, within the finding's range) sets it.
// Returns the findings set, in finding order. A value outside the range, or
// an Observation of another code, is ignored: it never replaces an answer
// and never stops the triage.
std::vector<FindingId> MergeObservations(const KnowledgeBase& kb,
                                         std::string_view observations_json,
                                         Case* c);

// The search that fetches those Observations for a CDS Hooks prefetch
// template: "Observation?subject={{context.patientId}}&code=..." with every
// coded numeric finding's codes, newest first.
std::string ObservationsPrefetch(const KnowledgeBase& kb);

// The generated resources (for tests and the CLI).
std::string QuestionnaireJson(const KnowledgeBase& kb);
std::string CapabilityStatementJson(const KnowledgeBase& kb);
// The OperationDefinition of $triage (backaid's own operation; $extract and
// $next-question are SDC's, whose canonical definitions the
// CapabilityStatement names).
std::string TriageOperationJson(const KnowledgeBase& kb);

}  // namespace backaid::fhir

#endif  // BACKAID_SRC_FHIR_FHIR_H_
