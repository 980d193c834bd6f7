#include "src/knowledge/extensions.h"

namespace backaid::kb {
namespace {

struct Extension {
  const char* path;
  const char* what;  // for the missing-file message
  void (*load)(const YAML::Node&, KnowledgeBase::Impl*,
               std::vector<LintIssue>*);
};

constexpr Extension kExtensions[] = {
    {"plan.yaml", "the care plan's advice", &LoadPlan},
    {"questions.yaml", "the assessment's questions", &LoadQuestions},
};

}  // namespace

bool IsExtensionFile(const std::string& path) {
  for (const Extension& e : kExtensions)
    if (path == e.path) return true;
  return false;
}

void LoadExtensions(const std::vector<KbFile>& files,
                    KnowledgeBase::Impl* impl, std::vector<LintIssue>* issues) {
  for (const Extension& e : kExtensions) {
    // The last file of a name wins (tests replace a default this way).
    const KbFile* file = nullptr;
    for (const KbFile& f : files)
      if (f.path == e.path) file = &f;
    if (file == nullptr) {
      issues->push_back(LintIssue{SourceLocation{e.path, 0, 0},
                                  std::string("required file is missing: ") +
                                      e.what});
      continue;
    }
    YAML::Node doc;
    try {
      doc = YAML::Load(file->content);
    } catch (const YAML::Exception&) {
      continue;  // reported by the core loader
    }
    e.load(doc, impl, issues);
  }
}

}  // namespace backaid::kb
