// The regional questions of include/backaid/report.h, answered from
// knowledge/regions.yaml (loaded by regions_loader.cc): texts in a region's
// words, its emergency number and advice.
#include <string>
#include <string_view>
#include <vector>

#include "backaid/assess.h"
#include "backaid/report.h"
#include "src/caseio/regions.h"

namespace backaid {
namespace {

const regions::RegionModel* Model(const KnowledgeBase& kb) {
  return regions::RegionsOf(kb);
}

const regions::RegionDef* Find(const KnowledgeBase& kb,
                               std::string_view region) {
  const regions::RegionModel* m = Model(kb);
  if (m == nullptr) return nullptr;
  for (const auto& r : m->regions)
    if (r.id == region) return &r;
  return &m->regions[m->default_region];
}

// "{term}" in the region's words ("{Term}": capitalised); "{number}" is
// the emergency number unless `keep_number`. Without regions.yaml a term is
// its name in words ("{advice_line}": "advice line").
std::string Substitute(const KnowledgeBase& kb, std::string_view region,
                       std::string_view text, bool keep_number) {
  if (text.find('{') == std::string_view::npos) return std::string(text);
  const regions::RegionDef* r = Find(kb, region);
  std::string out;
  out.reserve(text.size() + 16);
  size_t from = 0;
  for (size_t open = text.find('{'); open != std::string_view::npos;
       open = text.find('{', from)) {
    const size_t close = text.find('}', open);
    if (close == std::string_view::npos) break;
    std::string name(text.substr(open + 1, close - open - 1));
    const bool capital =
        !name.empty() && std::isupper(static_cast<unsigned char>(name[0]));
    if (capital)
      name[0] =
          static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    std::optional<std::string> word;
    if (name == "number") {
      if (!keep_number) word = EmergencyNumber(kb, region);
    } else if (r != nullptr) {
      for (const auto& t : r->terms)
        if (t.name == name) word = t.text;
    } else if (!name.empty() &&
               name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") ==
                   std::string::npos) {
      word = name;
      std::replace(word->begin(), word->end(), '_', ' ');
    }
    out.append(text.substr(from, open - from));
    if (word) {
      if (capital && !word->empty())
        (*word)[0] = static_cast<char>(
            std::toupper(static_cast<unsigned char>((*word)[0])));
      out += *word;
    } else {
      out.append(text.substr(open, close + 1 - open));
    }
    from = close + 1;
  }
  out.append(text.substr(from));
  return out;
}

std::string WithNumber(const std::string& text, const KnowledgeBase& kb,
                       std::string_view region) {
  return Substitute(kb, region, text, /*keep_number=*/false);
}

}  // namespace

std::string RegionText(const KnowledgeBase& kb, std::string_view region,
                       std::string_view text) {
  return Substitute(kb, region, text, /*keep_number=*/false);
}

std::string RegionTextKeepingNumber(const KnowledgeBase& kb,
                                    std::string_view region,
                                    std::string_view text) {
  return Substitute(kb, region, text, /*keep_number=*/true);
}

Question QuestionInRegion(const KnowledgeBase& kb, std::string_view region,
                          const Question& q) {
  Question out = q;
  auto words = [&](std::string* s) { *s = RegionText(kb, region, *s); };
  words(&out.section_title);
  words(&out.text);
  words(&out.help);
  words(&out.unit);
  for (QuestionOption& o : out.options) words(&o.label);
  return out;
}

std::string RegionId(const KnowledgeBase& kb, std::string_view region) {
  const regions::RegionDef* r = Find(kb, region);
  return r == nullptr ? "" : r->id;
}

std::vector<Region> Regions(const KnowledgeBase& kb) {
  std::vector<Region> out;
  const regions::RegionModel* m = Model(kb);
  if (m == nullptr) return out;
  for (size_t i = 0; i < m->regions.size(); ++i) {
    const auto& r = m->regions[i];
    out.push_back(
        Region{r.id, r.name, r.emergency_number, i == m->default_region});
  }
  return out;
}

std::string EmergencyNumber(const KnowledgeBase& kb, std::string_view region) {
  const regions::RegionDef* r = Find(kb, region);
  return r == nullptr ? "the emergency number" : r->emergency_number;
}

std::string LevelHeadline(const KnowledgeBase& kb, TriageLevel level,
                          std::string_view region) {
  const regions::RegionModel* m = Model(kb);
  if (m == nullptr) return std::string(LevelName(level));
  return WithNumber(m->headlines[static_cast<int>(level)], kb, region);
}

std::string EmergencyAdvice(const KnowledgeBase& kb, std::string_view region) {
  const regions::RegionModel* m = Model(kb);
  if (m == nullptr) return "Call the emergency number now.";
  return WithNumber(m->emergency_advice.text, kb, region);
}

std::string BeforeYouStart(const KnowledgeBase& kb, std::string_view region) {
  const regions::RegionModel* m = Model(kb);
  if (m == nullptr) return "";
  return WithNumber(m->before_you_start.text, kb, region);
}

}  // namespace backaid
