// The regional questions of include/backaid/report.h, answered from
// knowledge/regions.yaml (loaded by regions_loader.cc): texts in a region's
// words, its emergency number and advice.
#include <algorithm>
#include <cctype>
#include <optional>
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
// its name in words ("{advice_line}": "advice line"). Only what
// ScanPlaceholders finds is a placeholder (the lint's grammar too).
std::string Substitute(const KnowledgeBase& kb, std::string_view region,
                       std::string_view text, bool keep_number) {
  if (text.find('{') == std::string_view::npos) return std::string(text);
  const regions::RegionDef* r = Find(kb, region);
  std::string out;
  out.reserve(text.size() + 16);
  size_t from = 0;
  for (const regions::PlaceholderAt& p : regions::ScanPlaceholders(text)) {
    std::string name(p.name);
    const bool capital = std::isupper(static_cast<unsigned char>(name[0]));
    if (capital)
      name[0] =
          static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    std::optional<std::string> word;
    if (name == "number") {
      if (!keep_number) word = EmergencyNumber(kb, region);
    } else if (r != nullptr) {
      for (const auto& t : r->terms)
        if (t.name == name) word = t.text;
    } else if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") ==
               std::string::npos) {
      word = name;
      std::replace(word->begin(), word->end(), '_', ' ');
    }
    out.append(text.substr(from, p.begin - from));
    if (word) {
      if (capital && !word->empty())
        (*word)[0] = static_cast<char>(
            std::toupper(static_cast<unsigned char>((*word)[0])));
      out += *word;
    } else {
      out.append(text.substr(p.begin, p.end - p.begin));
    }
    from = p.end;
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

namespace backaid::regions {

std::vector<PlaceholderAt> ScanPlaceholders(std::string_view text) {
  std::vector<PlaceholderAt> out;
  auto letter = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  for (size_t open = text.find('{'); open != std::string_view::npos;
       open = text.find('{', open + 1)) {
    size_t i = open + 1;
    if (i >= text.size() || !letter(text[i])) continue;
    while (i < text.size() &&
           (letter(text[i]) || (text[i] >= '0' && text[i] <= '9') ||
            text[i] == '_'))
      ++i;
    if (i >= text.size() || text[i] != '}') continue;
    out.push_back(
        PlaceholderAt{open, i + 1, text.substr(open + 1, i - open - 1)});
    open = i;
  }
  return out;
}

std::vector<size_t> StrayBraces(std::string_view text) {
  std::vector<size_t> out;
  const std::vector<PlaceholderAt> ps = ScanPlaceholders(text);
  size_t next = 0;  // the first placeholder not yet passed
  for (size_t at = 0; at < text.size(); ++at) {
    while (next < ps.size() && ps[next].end <= at) ++next;
    if (text[at] != '{' && text[at] != '}') continue;
    if (next < ps.size() && ps[next].begin <= at) continue;  // inside one
    out.push_back(at);
  }
  return out;
}

}  // namespace backaid::regions
