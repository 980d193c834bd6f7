// Knowledge files beyond the triage core, each loaded and linted by its own
// module after the core has been built (so they can use its findings,
// sources and condition language):
//   plan.yaml       the care plan's advice (src/plan/plan_loader.cc)
//   questions.yaml  the assessment's questions (src/assess/questions_loader.cc)
//   diary.yaml      the follow-up diary (src/diary/diary_loader.cc); optional:
//                   without it the knowledge base has no diary
// They are part of the knowledge base: embedded, hashed into the version,
// and a problem in them is a lint issue like any other.
#ifndef BACKAID_SRC_KNOWLEDGE_EXTENSIONS_H_
#define BACKAID_SRC_KNOWLEDGE_EXTENSIONS_H_

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "backaid/knowledge_base.h"
#include "src/knowledge/loader.h"

namespace backaid::kb {

bool IsExtensionFile(const std::string& path);

// Loads every extension file into `impl`, appending problems to `issues`.
// A missing file is an issue; a file with a YAML syntax error is skipped
// (the core loader reports syntax errors of every file).
void LoadExtensions(const std::vector<KbFile>& files,
                    KnowledgeBase::Impl* impl, std::vector<LintIssue>* issues);

// Module entry points: each lints its parsed file and reports its problems.
void LoadPlan(const YAML::Node& doc, KnowledgeBase::Impl* impl,
              std::vector<LintIssue>* issues);
void LoadQuestions(const YAML::Node& doc, KnowledgeBase::Impl* impl,
                   std::vector<LintIssue>* issues);
void LoadDiary(const YAML::Node& doc, KnowledgeBase::Impl* impl,
               std::vector<LintIssue>* issues);
// fhir.yaml: standard codes for findings (src/fhir/fhir_codes_loader.cc).
void LoadFhirCodes(const YAML::Node& doc, KnowledgeBase::Impl* impl,
                   std::vector<LintIssue>* issues);
// regions.yaml: regions, emergency numbers, level headlines
// (src/caseio/regions_loader.cc).
void LoadRegions(const YAML::Node& doc, KnowledgeBase::Impl* impl,
                 std::vector<LintIssue>* issues);

}  // namespace backaid::kb

#endif  // BACKAID_SRC_KNOWLEDGE_EXTENSIONS_H_
