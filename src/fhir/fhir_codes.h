// Standard codes (LOINC, SNOMED CT) for findings: knowledge/fhir.yaml,
// loaded and linted by fhir_codes_loader.cc as a knowledge-base extension.
#ifndef BACKAID_SRC_FHIR_FHIR_CODES_H_
#define BACKAID_SRC_FHIR_FHIR_CODES_H_

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "backaid/knowledge_base.h"

namespace backaid::fhir {

struct StandardCode {
  std::string system;  // URI, e.g. http://loinc.org
  std::string code;
  std::string display;
};

struct CodeMap {
  std::unordered_map<std::string, std::vector<StandardCode>> findings;
};

// The standard codes of a finding (empty when none is mapped or the
// knowledge base has no fhir.yaml).
const std::vector<StandardCode>& FindingCodes(const KnowledgeBase& kb,
                                              std::string_view key);

// Check digits: LOINC (mod 10, "NNNNN-C") and SNOMED CT (Verhoeff, concept
// partition 00).
bool ValidLoinc(std::string_view code);
bool ValidSnomedConcept(std::string_view code);

}  // namespace backaid::fhir

#endif  // BACKAID_SRC_FHIR_FHIR_CODES_H_
