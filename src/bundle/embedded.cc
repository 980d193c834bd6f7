// The built-in knowledge base, without reading YAML at start-up: its
// definitions come from generated/compiled_rules.cc (backaid_kbc wrote them
// from the embedded files after linting them; a knowledge base that does
// not lint clean fails the build), and only the compilation of the rule
// conditions runs here. The extension files (plan, questions, diary) are
// parsed on first use. In backaid_core, not backaid_knowledge, because
// backaid_kbc (which links backaid_knowledge) is what generates the
// definitions.
#include <fmt/format.h>

#include <memory>
#include <mutex>
#include <string>

#include "backaid/knowledge_base.h"
#include "src/bundle/knowledge_bundle.h"
#include "src/knowledge/loader.h"
#include "src/knowledge/program.h"

namespace backaid {

Result<std::shared_ptr<const KnowledgeBase>> LoadEmbeddedKnowledgeBase() {
  static std::once_flag once;
  static Result<std::shared_ptr<const KnowledgeBase>>* cached = nullptr;
  std::call_once(once, [] {
    kb::BuildOutput out = kb::BuildFromDefinitions(kb::EmbeddedDefinitions(),
                                                   kb::BundleExtensions());
    if (!out.issues.empty() || !out.impl) {
      std::string msg = fmt::format(
          "the built-in knowledge base does not compile ({} problem{}):",
          out.issues.size(), out.issues.size() == 1 ? "" : "s");
      for (const auto& i : out.issues) msg += "\n  " + i.ToString();
      cached = new Result<std::shared_ptr<const KnowledgeBase>>(
          Status::FailedPrecondition(msg));
      return;
    }
    cached = new Result<std::shared_ptr<const KnowledgeBase>>(
        KnowledgeBaseBuilder::Wrap(std::move(out.impl)));
  });
  return *cached;
}

}  // namespace backaid
