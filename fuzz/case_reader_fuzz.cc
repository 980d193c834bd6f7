// libFuzzer target: the case reader (one JSON line to a Case), then the
// engine and the result writer on whatever it accepts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "backaid/case.h"
#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto kb = *backaid::LoadEmbeddedKnowledgeBase();
  static backaid::CaseReader reader(*kb);
  backaid::Case c;
  backaid::ExpectedOutcome expected;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  if (reader.Read(json, &c, &expected).ok()) {
    backaid::TriageResult r;
    backaid::Evaluate(*kb, c, &r);
    std::string out;
    backaid::AppendResultJson(*kb, c, r, &out, backaid::ResultDetail::kFull);
    backaid::AppendResultJson(*kb, c, r, &out);
  }
  return 0;
}
