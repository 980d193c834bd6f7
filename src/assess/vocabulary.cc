#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>
#include <vector>

#include "backaid/assess.h"
#include "backaid/case_json.h"
#include "backaid/report.h"
#include "src/assess/asked.h"
#include "src/assess/questionnaire_model.h"
#include "src/assess/vocabulary_members.h"
#include "src/caseio/regions.h"
#include "src/knowledge/program.h"

namespace backaid {
namespace {

template <typename Items, typename Key, typename Value>
void AppendNameMap(const Items& items, Key key, Value value, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto& item : items) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(key(item), out);
    out->push_back(':');
    AppendJsonString(value(item), out);
  }
  out->push_back('}');
}

// "regions":[..],"headlines":{..},"emergency_advice":..,"before_you_start":..
// from regions.yaml in the region's words; texts keep "{number}" for the
// front to fill in.
void AppendRegions(const KnowledgeBase& kb, std::string_view region,
                   std::string* out) {
  const regions::RegionModel* m = regions::RegionsOf(kb);
  if (m == nullptr) {
    *out += "null";
    return;
  }
  *out += "{\"regions\":[";
  for (size_t i = 0; i < m->regions.size(); ++i) {
    const regions::RegionDef& r = m->regions[i];
    if (i) out->push_back(',');
    *out += "{\"id\":";
    AppendJsonString(r.id, out);
    *out += ",\"name\":";
    AppendJsonString(r.name, out);
    *out += ",\"emergency_number\":";
    AppendJsonString(r.emergency_number, out);
    *out += i == m->default_region ? ",\"default\":true" : ",\"default\":false";
    *out += ",\"countries\":[";
    for (size_t c = 0; c < r.countries.size(); ++c) {
      if (c) out->push_back(',');
      AppendJsonString(r.countries[c], out);
    }
    *out += "]}";
  }
  *out += "],\"headlines\":{";
  for (int l = 0; l < kLevelCount; ++l) {
    if (l) out->push_back(',');
    AppendJsonString(LevelName(static_cast<TriageLevel>(l)), out);
    out->push_back(':');
    AppendJsonString(RegionTextKeepingNumber(kb, region, m->headlines[l]), out);
  }
  *out += "},\"emergency_advice\":";
  AppendJsonString(
      RegionTextKeepingNumber(kb, region, m->emergency_advice.text), out);
  *out += ",\"before_you_start\":";
  AppendJsonString(
      RegionTextKeepingNumber(kb, region, m->before_you_start.text), out);
  *out += ",\"emergency_call_script\":";
  if (m->call_script.id.empty()) {
    *out += "null";
  } else {
    *out += "{\"id\":";
    AppendJsonString(m->call_script.id, out);
    *out += ",\"title\":";
    AppendJsonString(RegionTextKeepingNumber(kb, region, m->call_script.title),
                     out);
    *out += ",\"lines\":[";
    for (size_t i = 0; i < m->call_script.lines.size(); ++i) {
      const regions::CallScriptLine& l = m->call_script.lines[i];
      if (i) out->push_back(',');
      *out += "{\"text\":";
      AppendJsonString(RegionTextKeepingNumber(kb, region, l.text), out);
      const std::pair<const char*, const std::string*> conditions[] = {
          {"when", &l.when}, {"known", &l.known}, {"unknown", &l.unknown}};
      for (const auto& [name, key] : conditions) {
        if (key->empty()) continue;
        *out += fmt::format(",\"{}\":", name);
        AppendJsonString(*key, out);
      }
      out->push_back('}');
    }
    *out += "]}";
  }
  out->push_back('}');
}

}  // namespace

namespace assess {

void AppendVocabularyMembers(const KnowledgeBase& kb, std::string* out,
                             std::string_view region) {
  auto words = [&](const std::string& text) {
    return RegionTextKeepingNumber(kb, region, text);
  };
  *out += "\"kb_version\":";
  AppendJsonString(kb.version(), out);
  *out += ",\"levels\":{";
  for (int l = 0; l < kLevelCount; ++l) {
    if (l) out->push_back(',');
    const auto level = static_cast<TriageLevel>(l);
    AppendJsonString(LevelName(level), out);
    out->push_back(':');
    AppendJsonString(words(kb.level(level).meaning), out);
  }
  *out += "},\"services\":";
  AppendNameMap(
      kb.services(), [](const ServiceDef& s) { return s.id; },
      [&](const ServiceDef& s) { return words(s.name); }, out);
  *out += ",\"conditions\":";
  AppendNameMap(
      kb.conditions(), [](const ConditionDef& c) { return c.id; },
      [&](const ConditionDef& c) { return words(c.name); }, out);
  *out += ",\"sources\":";
  AppendNameMap(
      kb.sources(), [](const SourceDef& s) { return s.cite; },
      [](const SourceDef& s) { return s.title; }, out);
  *out += ",\"findings\":{";
  for (size_t f = 0; f < kb.findings().size(); ++f) {
    const FindingDef& def = kb.findings()[f];
    if (f) out->push_back(',');
    AppendJsonString(def.key, out);
    *out += ":{\"meaning\":";
    AppendJsonString(words(def.meaning), out);
    *out += def.red_flag ? ",\"red_flag\":true" : ",\"red_flag\":false";
    // The normal ("no") value, as an entry's findings take it: what a
    // diary correction ("I ticked it by mistake") sets.
    if (def.normal) {
      *out += ",\"normal\":";
      const int32_t n = *def.normal;
      switch (def.type) {
        case FindingType::kBool:
          *out += n ? "true" : "false";
          break;
        case FindingType::kEnum:
          AppendJsonString(def.values.at(static_cast<size_t>(n)), out);
          break;
        case FindingType::kInt:
          *out += std::to_string(n);
          break;
        case FindingType::kNumber:
          *out += fmt::format("{}", static_cast<double>(n) / def.scale);
          break;
      }
    }
    out->push_back('}');
  }
  // By question id: the findings it asks (asked.h), so a front states only
  // what the person was asked and answered.
  *out += "},\"asks\":{";
  if (const auto* model = assess::QuestionnaireOf(kb)) {
    bool first_q = true;
    for (const assess::QuestionDef& q : model->questions) {
      if (!first_q) out->push_back(',');
      first_q = false;
      AppendJsonString(q.view.id, out);
      *out += ":[";
      const std::vector<bool> asked =
          assess::FindingsAsked(q, kb.findings().size());
      bool first_f = true;
      for (size_t f = 0; f < asked.size(); ++f) {
        if (!asked[f]) continue;
        if (!first_f) out->push_back(',');
        first_f = false;
        AppendJsonString(kb.findings()[f].key, out);
      }
      out->push_back(']');
    }
  }
  *out += "},\"regions\":";
  AppendRegions(kb, region, out);
}

}  // namespace assess
}  // namespace backaid
