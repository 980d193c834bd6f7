// libFuzzer target: the condition language's parser and type checker
// (every `when`/`unless` of the knowledge base goes through it).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "backaid/knowledge_base.h"
#include "src/knowledge/expr.h"
#include "src/knowledge/program.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto kb = *backaid::LoadEmbeddedKnowledgeBase();
  static const backaid::kb::FindingIndex index = [] {
    backaid::kb::FindingIndex i;
    for (size_t f = 0; f < kb->findings().size(); ++f)
      i[kb->findings()[f].key] = static_cast<backaid::FindingId>(f);
    return i;
  }();
  backaid::kb::Expr e;
  backaid::kb::ParseError err;
  backaid::kb::ParseExpr(
      std::string_view(reinterpret_cast<const char*>(data), size),
      kb->findings(), index, &e, &err);
  return 0;
}
