#include "src/bundle/knowledge_bundle.h"

#include <fmt/format.h>

#include "backaid/knowledge_base.h"
#include "src/knowledge/program.h"

namespace backaid::plan {
extern const kb::Extension kPlanExtension;  // src/plan/plan_loader.cc
}  // namespace backaid::plan
namespace backaid::assess {
extern const kb::Extension kQuestionsExtension;  // questions_loader.cc
}  // namespace backaid::assess
namespace backaid::diary {
extern const kb::Extension kDiaryExtension;  // src/diary/diary_loader.cc
}  // namespace backaid::diary
namespace backaid::fhir {
extern const kb::Extension kFhirCodesExtension;  // fhir_codes_loader.cc
}  // namespace backaid::fhir
namespace backaid::cdshooks {
extern const kb::Extension kOrdersExtension;  // src/cdshooks/orders_loader.cc
}  // namespace backaid::cdshooks
namespace backaid::regions {
extern const kb::Extension kRegionsExtension;  // src/caseio/regions_loader.cc
}  // namespace backaid::regions

namespace backaid::kb {

Extensions BundleExtensions() {
  static const Extension* const kAll[] = {
      &plan::kPlanExtension,       &assess::kQuestionsExtension,
      &diary::kDiaryExtension,     &fhir::kFhirCodesExtension,
      &regions::kRegionsExtension, &cdshooks::kOrdersExtension,
  };
  return kAll;
}

BuildOutput Build(const std::vector<KbFile>& files) {
  return Build(files, BundleExtensions());
}

}  // namespace backaid::kb

namespace backaid {

Result<std::shared_ptr<const KnowledgeBase>> KnowledgeBaseBuilder::Make(
    const std::vector<kb::KbFile>& files) {
  kb::BuildOutput out = kb::Build(files);
  if (!out.issues.empty() || !out.impl) {
    std::string msg =
        fmt::format("the knowledge base does not lint clean ({} problem{}):",
                    out.issues.size(), out.issues.size() == 1 ? "" : "s");
    for (const auto& i : out.issues) msg += "\n  " + i.ToString();
    return Status::FailedPrecondition(msg);
  }
  return Wrap(std::move(out.impl));
}

// LoadEmbeddedKnowledgeBase: src/bundle/embedded.cc (in backaid_core,
// beside the definitions backaid_kbc generates).

Result<std::shared_ptr<const KnowledgeBase>> LoadKnowledgeBase(
    const std::string& dir) {
  auto files = kb::ReadKnowledgeDir(dir);
  if (!files.ok()) return files.status();
  return KnowledgeBaseBuilder::Make(*files);
}

std::vector<LintIssue> LintKnowledgeBase(const std::string& dir) {
  std::vector<kb::KbFile> files;
  if (dir.empty()) {
    files = kb::EmbeddedFiles();
  } else {
    auto read = kb::ReadKnowledgeDir(dir);
    if (!read.ok()) {
      return {LintIssue{SourceLocation{dir, 0, 0}, read.status().message()}};
    }
    files = std::move(*read);
  }
  return kb::Build(files).issues;
}

}  // namespace backaid
