#include "src/knowledge/extension.h"

#include <yaml-cpp/yaml.h>

#include "src/knowledge/loader.h"
#include "src/knowledge/program.h"
#include "src/knowledge/yaml_lint.h"

namespace backaid::kb {

bool IsExtensionFile(Extensions extensions, const std::string& path) {
  for (const Extension* e : extensions)
    if (path == e->file) return true;
  return false;
}

void LoadExtensions(const std::vector<KbFile>& files,
                    const KnowledgeBase::Impl& impl,
                    KnowledgeBase::Impl* tables,
                    std::vector<LintIssue>* issues) {
  impl.extension_models.assign(impl.extensions.size(), nullptr);
  const ExtensionContext ctx{impl, tables, issues,
                             tables != nullptr ? &files : nullptr};
  for (size_t i = 0; i < impl.extensions.size(); ++i) {
    const Extension& e = *impl.extensions[i];
    // The last file of a name wins (tests replace a default this way).
    const KbFile* file = nullptr;
    for (const KbFile& f : files)
      if (f.path == e.file) file = &f;
    if (file == nullptr) {
      if (!e.required) continue;
      issues->push_back(
          LintIssue{SourceLocation{e.file, 0, 0},
                    std::string("required file is missing: ") + e.what});
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
      impl.extension_models[i] = e.load(doc, ctx);
    } catch (const std::exception& ex) {
      issues->push_back(IssueFromException(e.file, ex));
    }
  }
}

const void* ModelOf(const KnowledgeBase& kb, std::string_view file) {
  const KnowledgeBase::Impl& impl = Internal(kb);
  impl.EnsureExtensions();
  for (size_t i = 0; i < impl.extensions.size(); ++i)
    if (file == impl.extensions[i]->file)
      return i < impl.extension_models.size() ? impl.extension_models[i].get()
                                              : nullptr;
  return nullptr;
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
    kb::LoadExtensions(kb::EmbeddedFiles(), *this, nullptr, &issues);
  });
}

}  // namespace backaid
