// Builds a KnowledgeBase::Impl from YAML files and lints it.
#ifndef BACKAID_SRC_KNOWLEDGE_LOADER_H_
#define BACKAID_SRC_KNOWLEDGE_LOADER_H_

#include <memory>
#include <string>
#include <vector>

#include "backaid/knowledge_base.h"
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

// Parses, type-checks, lints and compiles. Reports every problem found.
BuildOutput Build(const std::vector<KbFile>& files);

// Reads every *.yaml below `dir`, except the vignettes/ folder.
Result<std::vector<KbFile>> ReadKnowledgeDir(const std::string& dir);

// The files compiled into the binary.
std::vector<KbFile> EmbeddedFiles();

}  // namespace backaid::kb

#endif  // BACKAID_SRC_KNOWLEDGE_LOADER_H_
