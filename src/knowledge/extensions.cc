#include "src/knowledge/extensions.h"

namespace backaid::kb {

bool IsExtensionFile(const std::string& path) {
  return path == "plan.yaml" || path == "questions.yaml";
}

void LoadExtensions(const std::vector<KbFile>& files,
                    KnowledgeBase::Impl* impl, std::vector<LintIssue>* issues) {
  const KbFile* plan = nullptr;
  const KbFile* questions = nullptr;
  for (const KbFile& f : files) {
    if (f.path == "plan.yaml") plan = &f;
    if (f.path == "questions.yaml") questions = &f;
  }
  LoadPlan(plan, impl, issues);
  LoadQuestions(questions, impl, issues);
}

}  // namespace backaid::kb
