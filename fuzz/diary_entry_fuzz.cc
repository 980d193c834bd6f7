// libFuzzer target: a diary entry (POST /v1/episodes/{id}/entries) and an
// episode start (POST /v1/episodes); what is accepted is reviewed.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "backaid/diary.h"
#include "backaid/knowledge_base.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto kb = *backaid::LoadEmbeddedKnowledgeBase();
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  const int64_t now = 1'760'000'000'000;
  auto entry = backaid::ParseDiaryEntry(*kb, json, now);
  auto start = backaid::ParseEpisodeStart(*kb, json, now);
  if (start.ok()) {
    std::vector<backaid::DiaryEntry> entries;
    if (entry.ok()) entries.push_back(*entry);
    (void)backaid::ReviewEpisode(*kb, *start, entries, now + 1000);
  }
  return 0;
}
