// The extension interface of the knowledge base.
//
// The core (this directory) loads kb.yaml, findings, conditions, sources,
// conflicts and rules/*.yaml, and knows nothing else. Every other file of
// the knowledge base (plan.yaml, questions.yaml, diary.yaml, fhir.yaml) is
// owned by the module that uses it, which describes it with one Extension:
// its file name and a loader that parses and lints the file against the
// finished core (its findings, sources, conflicts and condition language)
// and returns the module's model. The bundle (src/bundle/) lists the
// extensions and composes them with the core; the knowledge base then holds
// each model opaquely and hands it back to its module (ModelOf).
//
// Extension files are part of the knowledge base: embedded, hashed into the
// version, and a problem in them is a lint issue like any other.
#ifndef BACKAID_SRC_KNOWLEDGE_EXTENSION_H_
#define BACKAID_SRC_KNOWLEDGE_EXTENSION_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/knowledge_base.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace backaid::kb {

struct KbFile;

// What an extension's loader is given.
struct ExtensionContext {
  // The finished core: read-only.
  const KnowledgeBase::Impl& core;
  // The core's per-finding tables an extension may fill (asked_as), or null
  // when the core is already shared between threads (the built-in knowledge
  // base, whose tables backaid_kbc wrote at build time).
  KnowledgeBase::Impl* tables;
  // Where every problem goes, with file:line:column.
  std::vector<LintIssue>* issues;
  // Every file of the knowledge base, for a lint across files (regions.yaml
  // checks the regional terms every text uses); null when the files were
  // linted when the binary was built (the built-in knowledge base's lazy
  // load).
  const std::vector<KbFile>* files = nullptr;
};

struct Extension {
  const char* file;  // e.g. "plan.yaml"
  const char* what;  // for the missing-file message
  // A required file that is missing is a lint issue; an optional one leaves
  // the knowledge base without that module's model (its API then says so).
  bool required;
  // Parses and lints `doc`, appending every problem to ctx.issues. Returns
  // the module's model (owned by the knowledge base from then on), or null
  // when the file is unusable. May throw: the caller turns an exception into
  // an issue at its mark, never an abort.
  std::shared_ptr<const void> (*load)(const YAML::Node& doc,
                                      const ExtensionContext& ctx);
};

using Extensions = std::span<const Extension* const>;

// True if `path` is the file of one of `extensions`.
bool IsExtensionFile(Extensions extensions, const std::string& path);

// Loads every extension's file from `files` into `impl` (impl->extensions
// must already be set), appending problems to `issues`. A missing required
// file is an issue; a file with a YAML syntax error is skipped (the core
// loader reports syntax errors of every file). `tables` as in
// ExtensionContext.
void LoadExtensions(const std::vector<KbFile>& files,
                    const KnowledgeBase::Impl& impl,
                    KnowledgeBase::Impl* tables,
                    std::vector<LintIssue>* issues);

// The model the extension of `file` loaded into `kb`, or null when the
// knowledge base has none (an optional file left out). The built-in
// knowledge base parses its extension files on the first call (once, for
// every extension; thread-safe). The pointer lives as long as `kb`.
const void* ModelOf(const KnowledgeBase& kb, std::string_view file);

template <typename T>
const T* ModelOf(const KnowledgeBase& kb, std::string_view file) {
  return static_cast<const T*>(ModelOf(kb, file));
}

}  // namespace backaid::kb

#endif  // BACKAID_SRC_KNOWLEDGE_EXTENSION_H_
