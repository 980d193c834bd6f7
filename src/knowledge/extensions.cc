#include "src/knowledge/extensions.h"

#include "src/knowledge/yaml_lint.h"

namespace backaid::kb {
namespace {

struct Extension {
  const char* path;
  const char* what;  // for the missing-file message
  void (*load)(const YAML::Node&, KnowledgeBase::Impl*,
               std::vector<LintIssue>*);
  // Optional files may be left out (the knowledge base then lacks that
  // module's content; its API says so with kFailedPrecondition).
  bool required = true;
};

constexpr Extension kExtensions[] = {
    {"plan.yaml", "the care plan's advice", &LoadPlan},
    {"questions.yaml", "the assessment's questions", &LoadQuestions},
    // Optional so that knowledge bases without a diary (the small test
    // knowledge bases, older reviewer copies) still load.
    {"diary.yaml", "the follow-up diary", &LoadDiary, false},
    // Standard codes for the FHIR front (src/fhir/fhir_codes_loader.cc).
    {"fhir.yaml", "FHIR codes for findings", &LoadFhirCodes, false},
    // Regions, emergency numbers and level headlines for the fronts
    // (src/caseio/regions_loader.cc); optional so that the small test
    // knowledge bases load (without it a front says "the emergency number").
    {"regions.yaml", "regions and emergency numbers", &LoadRegions, false},
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
      if (!e.required) continue;
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
    // The module's loader checks each node's kind; an exception that one
    // check missed becomes an issue at its mark, never an abort.
    try {
      e.load(doc, impl, issues);
    } catch (const std::exception& ex) {
      issues->push_back(IssueFromException(e.path, ex));
    }
  }
}

}  // namespace backaid::kb

namespace backaid {

// The built-in knowledge base's extension files were linted when the
// binary was built (backaid_kbc refuses to build one that does not lint),
// so they are parsed here without collecting issues; a problem would leave
// the model null, which every reader handles (kFailedPrecondition).
void KnowledgeBase::Impl::EnsureExtensions() const {
  if (!extensions_lazy) return;
  std::call_once(extensions_once, [this] {
    std::vector<LintIssue> issues;
    kb::LoadExtensions(kb::EmbeddedFiles(), const_cast<Impl*>(this), &issues);
  });
}

}  // namespace backaid
