// libFuzzer target: the FHIR QuestionnaireResponse reader ($triage,
// $extract and the CDS Hooks prefetch) and the Observation merger (the CDS
// Hooks `observations` prefetch). Any input: a Status or a result, never a
// crash, a hang or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "backaid/knowledge_base.h"
#include "src/fhir/fhir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto kb = *backaid::LoadEmbeddedKnowledgeBase();
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto triage = backaid::fhir::TriageQuestionnaireResponse(kb, json, 0);
  backaid::Case c = triage.ok() ? triage->start.initial : kb->NewCase();
  (void)backaid::fhir::MergeObservations(*kb, json, &c);
  return 0;
}
