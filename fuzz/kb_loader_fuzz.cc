// libFuzzer target: the knowledge-base loader and linter. The first byte
// picks one file of a small, complete knowledge base (src/knowledge/
// test_kb.h); the rest of the input replaces that file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "src/knowledge/loader.h"
#include "src/knowledge/test_kb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::vector<backaid::kb::KbFile> files = backaid::kb::testing::TestKbFiles(
      backaid::kb::testing::kGoodRules, /*with_base_rule=*/true);
  files[data[0] % files.size()].content =
      std::string(reinterpret_cast<const char*>(data + 1), size - 1);
  // Must return (never throw, abort or read out of bounds); callers refuse
  // any result with issues (LoadKnowledgeBase), which the unit tests check.
  (void)backaid::kb::Build(files);
  return 0;
}
