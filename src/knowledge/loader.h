// Builds a KnowledgeBase::Impl from YAML files and lints it.
#ifndef BACKAID_SRC_KNOWLEDGE_LOADER_H_
#define BACKAID_SRC_KNOWLEDGE_LOADER_H_

#include <memory>
#include <string>
#include <vector>

#include "backaid/knowledge_base.h"
#include "src/knowledge/extension.h"
#include "src/knowledge/program.h"

namespace backaid::kb {

struct KbFile {
  std::string path;  // relative, '/'-separated, e.g. "rules/neuro.yaml"
  std::string content;
};

struct BuildOutput {
  std::unique_ptr<KnowledgeBase::Impl> impl;  // null when files are unusable
  std::vector<LintIssue> issues;              // empty = lints clean
};

// Parses, type-checks, lints and compiles the core, then loads each of
// `extensions` from its file. Reports every problem found. (The bundle's
// Build(files), src/bundle/knowledge_bundle.h, passes its own extensions.)
BuildOutput Build(const std::vector<KbFile>& files, Extensions extensions);

// The built-in knowledge base without reading its YAML: the definitions
// (findings, conditions, services, sources, rules with their conditions as
// text, conflicts, levels, name and version) that backaid_kbc wrote into
// generated/compiled_rules.cc from the embedded files, which it linted (the
// build fails if they do not lint clean). Defined in backaid_core.
std::unique_ptr<KnowledgeBase::Impl> EmbeddedDefinitions();

// Completes definitions made by EmbeddedDefinitions (or any that linted
// clean when they were made): indexes, parses the rule conditions,
// compiles the program and the JSON fragments, with none of the lint
// checks. The files of `extensions` are parsed on first use
// (KnowledgeBase::Impl::EnsureExtensions). `issues` is empty unless a
// condition fails to parse, which a linted knowledge base never does.
BuildOutput BuildFromDefinitions(std::unique_ptr<KnowledgeBase::Impl> defs,
                                 Extensions extensions);

// Reads every *.yaml below `dir`, except the vignettes/ folder.
Result<std::vector<KbFile>> ReadKnowledgeDir(const std::string& dir);

// The files compiled into the binary.
std::vector<KbFile> EmbeddedFiles();

}  // namespace backaid::kb

#endif  // BACKAID_SRC_KNOWLEDGE_LOADER_H_
