// Engine internals for tests and benchmarks.
#ifndef BACKAID_SRC_ENGINE_ENGINE_INTERNAL_H_
#define BACKAID_SRC_ENGINE_ENGINE_INTERNAL_H_

#include "backaid/engine.h"

namespace backaid::internal {

// Evaluate(), choosing the ahead-of-time compiled triggers (when the binary
// has them for this knowledge base) or the interpreter.
void Evaluate(const KnowledgeBase& kb, const Case& c, TriageResult* out,
              bool use_compiled);

}  // namespace backaid::internal

#endif  // BACKAID_SRC_ENGINE_ENGINE_INTERNAL_H_
