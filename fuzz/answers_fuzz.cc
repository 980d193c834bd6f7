// libFuzzer target: questionnaire answers (the JSON object of
// /v1/assessments), both as a whole case and as a resumed session.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "backaid/assess.h"
#include "backaid/knowledge_base.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto kb = *backaid::LoadEmbeddedKnowledgeBase();
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  (void)backaid::CaseFromAnswers(*kb, json);
  (void)backaid::ResumeAssessment(kb, json);
  return 0;
}
