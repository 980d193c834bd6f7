// Ahead-of-time compiled rules: at build time, src/kbc turns the embedded
// knowledge base's triggers into straight-line C++ (generated/
// compiled_rules.cc). The engine uses that code when the loaded knowledge
// base has exactly the version it was generated from, and the interpreter
// otherwise (a reviewer's --kb copy). Both must give identical results;
// PropertiesTest.CompiledRulesMatchInterpreter checks it.
#ifndef BACKAID_SRC_KNOWLEDGE_COMPILED_H_
#define BACKAID_SRC_KNOWLEDGE_COMPILED_H_

#include <cstddef>
#include <cstdint>

#include "backaid/case.h"

namespace backaid::kb {

// Appends to `fired` (in rule order) the rules whose `when` is definitely
// true and `unless` not definitely true; sets the red-flag findings that
// made a rule above self_care fire. Returns how many rules fired.
using CompiledRulesFn = size_t (*)(const int32_t* values, uint16_t* fired,
                                   FindingSet* red_flags);

// The compiled rules for the knowledge base `version`, or null.
CompiledRulesFn CompiledRulesFor(const char* version);

// The version the generated code was built from ("" when none).
extern const char* const kCompiledRulesVersion;

}  // namespace backaid::kb

#endif  // BACKAID_SRC_KNOWLEDGE_COMPILED_H_
