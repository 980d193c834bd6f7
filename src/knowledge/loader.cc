// Build, BuildFromDefinitions and ReadKnowledgeDir: the order of the stages
// (src/knowledge/build.h lists the file of each).
#include "src/knowledge/loader.h"

#include <fmt/format.h>
#include <sodium.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "src/knowledge/build.h"
#include "src/knowledge/extension.h"

namespace backaid::kb {
namespace {

namespace fs = std::filesystem;

// The fast path for definitions that linted clean when they were made
// (the built-in knowledge base, see EmbeddedDefinitions): indexes, parses
// the rule conditions and compiles, without the lint checks.
std::unique_ptr<KnowledgeBase::Impl> FromDefinitions(
    std::unique_ptr<KnowledgeBase::Impl> impl, Reporter& r) {
  KnowledgeBase::Impl* impl_ = impl.get();
  for (size_t i = 0; i < impl_->findings.size(); ++i)
    impl_->finding_index[impl_->findings[i].key] = static_cast<FindingId>(i);
  for (size_t i = 0; i < impl_->conditions.size(); ++i)
    impl_->condition_index[impl_->conditions[i].id] = static_cast<uint16_t>(i);
  impl_->has_unless.clear();
  for (const RuleDef& def : impl_->rules) {
    Expr when, unless;
    for (auto [text, out, what] :
         {std::tuple{&def.when, &when, "when"},
          std::tuple{&def.unless, &unless, "unless"}}) {
      if (text->empty()) continue;
      ParseError err;
      if (!ParseExpr(*text, impl_->findings, impl_->finding_index, out, &err)) {
        r.At(def.where,
             fmt::format("rule {} {}: {}", def.id, what, err.message));
      }
    }
    impl_->when_exprs.push_back(std::move(when));
    impl_->unless_exprs.push_back(std::move(unless));
    impl_->has_unless.push_back(!def.unless.empty());
  }
  Compile(impl_, /*lint=*/false, r);
  RenderJson(impl_);
  return impl;
}

// Parses every file, sorts the core's from the extensions' and reports
// files that belong to neither; then definitions, lint, compile, version
// and JSON. Null when a file's loader stopped on an exception.
std::unique_ptr<KnowledgeBase::Impl> Run(const std::vector<KbFile>& files,
                                         Extensions extensions, Reporter& r) {
  auto impl = std::make_unique<KnowledgeBase::Impl>();
  CoreDocs docs;
  for (const KbFile& f : files) {
    YAML::Node doc;
    try {
      doc = YAML::Load(f.content);
    } catch (const YAML::Exception& e) {
      LintIssue issue;
      issue.where.file = f.path;
      issue.where.line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
      issue.where.column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
      issue.message = "YAML syntax error: " + e.msg;
      r.issues()->push_back(issue);
      continue;
    }
    if (f.path.rfind("rules/", 0) == 0) {
      docs.rules.emplace_back(f.path, doc);
    } else if (f.path == "kb.yaml" || f.path == "findings.yaml" ||
               f.path == "conditions.yaml" || f.path == "sources.yaml" ||
               f.path == "conflicts.yaml") {
      docs.files[f.path] = doc;
    } else if (IsExtensionFile(extensions, f.path)) {
      // Loaded by its own module after the core (see extension.h).
    } else {
      r.At(SourceLocation{f.path, 0, 0},
           "unexpected file: the knowledge base has kb.yaml, "
           "findings.yaml, conditions.yaml, sources.yaml, conflicts.yaml "
           "and rules/*.yaml");
    }
  }
  for (const char* required : {"kb.yaml", "findings.yaml", "conditions.yaml",
                               "sources.yaml", "conflicts.yaml"}) {
    if (!docs.files.count(required)) {
      r.At(SourceLocation{required, 0, 0}, "required file is missing");
    }
  }
  if (docs.rules.empty()) {
    r.At(SourceLocation{"rules/", 0, 0}, "no rule files (rules/*.yaml)");
  }
  // Definitions cut short by a wrong shape are not compiled.
  if (!LoadDefinitions(docs, impl.get(), r)) return nullptr;
  CheckRedFlagsUsed(*impl, r);
  Compile(impl.get(), /*lint=*/true, r);
  impl->version = impl->semver + "+" + Sha256Hex(files).substr(0, 12);
  RenderJson(impl.get());
  return impl;
}

}  // namespace

BuildOutput Build(const std::vector<KbFile>& files, Extensions extensions) {
  BuildOutput out;
  if (sodium_init() < 0) {
    LintIssue issue;
    issue.where.file = "(libsodium)";
    issue.message = "libsodium failed to initialise";
    out.issues.push_back(std::move(issue));
    return out;
  }
  Reporter r(&out.issues);
  out.impl = Run(files, extensions, r);
  if (out.impl) {
    out.impl->extensions = extensions;
    LoadExtensions(files, *out.impl, out.impl.get(), &out.issues);
  }
  std::stable_sort(out.issues.begin(), out.issues.end(),
                   [](const LintIssue& a, const LintIssue& b) {
                     return std::tie(a.where.file, a.where.line) <
                            std::tie(b.where.file, b.where.line);
                   });
  return out;
}

BuildOutput BuildFromDefinitions(std::unique_ptr<KnowledgeBase::Impl> defs,
                                 Extensions extensions) {
  BuildOutput out;
  Reporter r(&out.issues);
  out.impl = FromDefinitions(std::move(defs), r);
  if (out.impl) {
    out.impl->extensions = extensions;
    out.impl->extensions_lazy = true;
  }
  return out;
}

Result<std::vector<KbFile>> ReadKnowledgeDir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::NotFound(
        fmt::format("knowledge base directory '{}' does not exist", dir));
  }
  std::vector<KbFile> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path rel = fs::relative(it->path(), dir, ec);
    if (it->is_directory() && rel.generic_string() == "vignettes") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || it->path().extension() != ".yaml") continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return Status::IoError(
          fmt::format("cannot read '{}'", it->path().string()));
    }
    files.push_back(KbFile{rel.generic_string(), ss.str()});
  }
  if (ec) {
    return Status::IoError(fmt::format("cannot list '{}': {}", dir,
                                       ec.message()));
  }
  std::sort(files.begin(), files.end(),
            [](const KbFile& a, const KbFile& b) { return a.path < b.path; });
  return files;
}

}  // namespace backaid::kb
