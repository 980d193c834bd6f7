// The diary's storage documents: an episode's (its start, the last level
// and the review state kept for O(1) writes) and an entry's, written as JSON
// and read back with nlohmann::json. A document is read strictly: a missing
// member that every document has is damage, never a default.
#include <fmt/format.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backaid/assess.h"
#include "backaid/case_json.h"
#include "backaid/diary.h"
#include "src/diary/diary_internal.h"

namespace backaid {
namespace {

using diary_internal::AppendFindingPairs;
using diary_internal::AppendOptionalInt;
using diary_internal::KnownFindings;
using diary_internal::KnownRegion;
using diary_internal::ReadFindings;

constexpr int kDocumentVersion = 1;

// A stored findings object read into `c` (age and sex only when `person`),
// counting in `skipped` the keys the knowledge base does not know (written
// by an older or newer version).
Status FindingsFromStored(const KnowledgeBase& kb,
                          const nlohmann::ordered_json& obj, bool person,
                          Case* c, int* skipped) {
  if (!obj.is_object())
    return Status::InvalidArgument("findings: not an object");
  nlohmann::ordered_json known = nlohmann::ordered_json::object();
  std::string person_json;
  for (const auto& [key, value] : obj.items()) {
    if (!kb.FindFinding(key)) {
      ++*skipped;
      continue;
    }
    if (key == "age" || key == "sex") {
      if (!person) {
        ++*skipped;
        continue;
      }
      person_json += ",\"" + key + "\":" + value.dump();
      continue;
    }
    known[key] = value;
  }
  return ReadFindings(kb, known.dump(), person_json, c);
}

std::optional<nlohmann::ordered_json> ParseDocument(std::string_view doc) {
  nlohmann::ordered_json j =
      nlohmann::ordered_json::parse(doc, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

void AppendDayCount(const DayCount& d, std::string* out) {
  if (!d.value) {
    *out += "null";
    return;
  }
  *out += fmt::format("{{\"days\":{},\"at_ms\":{}}}", *d.value, d.at_ms);
}

template <typename F>
void AppendIdList(uint32_t bits, size_t n, F name, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (size_t i = 0; i < n && i < 32; ++i) {
    if (!(bits & (uint32_t{1} << i))) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(name(i), out);
  }
  out->push_back(']');
}

void AppendState(const KnowledgeBase& kb, const ReviewState& st,
                 std::string* out) {
  *out += fmt::format("{{\"entries\":{},\"findings\":", st.entries);
  AppendFindingsJson(kb, st.overlaid, out);
  *out += ",\"onset\":";
  AppendDayCount(st.onset, out);
  *out += ",\"self_care\":";
  AppendDayCount(st.self_care, out);
  const PainSummary& p = st.pain;
  *out += fmt::format(",\"pain\":{{\"count\":{}", p.count);
  const std::pair<const char*, const std::optional<int>*> fields[] = {
      {"first", &p.first},
      {"last", &p.last},
      {"before_last", &p.before_last},
      {"lowest", &p.lowest},
      {"highest", &p.highest}};
  for (const auto& [name, v] : fields) {
    *out += fmt::format(",\"{}\":", name);
    AppendOptionalInt(*v, out);
  }
  *out += ",\"recent\":[";
  for (size_t i = 0; i < p.recent.size(); ++i) {
    if (i) out->push_back(',');
    *out += fmt::format("[{},{}]", p.recent[i].at_ms, p.recent[i].pain);
  }
  *out += "]},\"floor\":{\"level\":";
  AppendJsonString(LevelName(st.floor.level), out);
  *out += ",\"see\":";
  AppendIdList(
      st.floor.see, kb.services().size(),
      [&](size_t i) { return kb.services()[i].id; }, out);
  *out += ",\"conditions\":";
  AppendIdList(
      st.floor.conditions, kb.conditions().size(),
      [&](size_t i) { return kb.conditions()[i].id; }, out);
  *out += ",\"red_flags\":[";
  bool first = true;
  for (size_t f = 0; f < kb.findings().size(); ++f) {
    if (!st.floor.red_flags.test(f)) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(kb.findings()[f].key, out);
  }
  *out += "]},\"previous_level\":";
  AppendJsonString(LevelName(st.previous_level), out);
  *out += st.escalated ? ",\"escalated\":true" : ",\"escalated\":false";
  *out += ",\"recent_at\":[";
  for (size_t i = 0; i < st.recent_at.size(); ++i) {
    if (i) out->push_back(',');
    *out += std::to_string(st.recent_at[i]);
  }
  *out += "]}";
}

using Json = nlohmann::ordered_json;

Status RequireMember(const Json& d, const char* name, bool (Json::*is)() const,
                     std::string_view what) {
  if (!d.contains(name) || !(d[name].*is)()) {
    return Status::InvalidArgument(
        fmt::format("episode document: {} missing or not {}", name, what));
  }
  return Status::Ok();
}

Result<TriageLevel> LevelMember(const Json& d, const char* name) {
  if (Status s = RequireMember(d, name, &Json::is_string, "a level"); !s.ok()) {
    return s;
  }
  auto level = ParseLevel(d[name].get<std::string>());
  if (!level) {
    return Status::InvalidArgument(
        fmt::format("episode document: {} is not a level", name));
  }
  return *level;
}

DayCount DayCountFrom(const Json& j) {
  DayCount d;
  if (j.is_object() && j.contains("days") && j.contains("at_ms")) {
    d.value = j["days"].get<int32_t>();
    d.at_ms = j["at_ms"].get<int64_t>();
  }
  return d;
}

std::optional<int> OptionalInt(const Json& j, const char* name) {
  if (!j.contains(name) || j[name].is_null()) return std::nullopt;
  return j[name].get<int>();
}

// The review state of an episode document (throws nlohmann's exceptions on
// a wrong type; the caller turns them into a Status).
Result<ReviewState> StateFrom(const KnowledgeBase& kb, const Json& j) {
  if (!j.is_object()) return Status::InvalidArgument("state: not an object");
  ReviewState st;
  st.entries = j.at("entries").get<int64_t>();
  int skipped = 0;
  Status s = FindingsFromStored(kb, j.at("findings"), /*person=*/true,
                                &st.overlaid, &skipped);
  if (!s.ok()) return Status::InvalidArgument("state: " + s.message());
  st.onset = DayCountFrom(j.at("onset"));
  st.self_care = DayCountFrom(j.at("self_care"));
  const Json& p = j.at("pain");
  st.pain.count = p.at("count").get<int64_t>();
  st.pain.first = OptionalInt(p, "first");
  st.pain.last = OptionalInt(p, "last");
  st.pain.before_last = OptionalInt(p, "before_last");
  st.pain.lowest = OptionalInt(p, "lowest");
  st.pain.highest = OptionalInt(p, "highest");
  if (st.pain.count > 0 &&
      !(st.pain.first && st.pain.last && st.pain.lowest && st.pain.highest)) {
    return Status::InvalidArgument("state: pain summary incomplete");
  }
  if (st.pain.count > 1 && !st.pain.before_last) {
    return Status::InvalidArgument("state: pain summary incomplete");
  }
  for (const auto& point : p.at("recent")) {
    st.pain.recent.push_back(
        PainPoint{point.at(0).get<int64_t>(), point.at(1).get<int>()});
  }
  const Json& f = j.at("floor");
  auto level = LevelMember(f, "level");
  if (!level.ok()) return level.status();
  st.floor.level = *level;
  for (const auto& id : f.at("see")) {
    const std::string sid = id.get<std::string>();
    for (size_t i = 0; i < kb.services().size() && i < 32; ++i) {
      if (kb.services()[i].id == sid) st.floor.see |= uint32_t{1} << i;
    }
  }
  for (const auto& id : f.at("conditions")) {
    if (auto c = kb.FindCondition(id.get<std::string>()); c && *c < 32) {
      st.floor.conditions |= uint32_t{1} << *c;
    }
  }
  for (const auto& key : f.at("red_flags")) {
    if (auto k = kb.FindFinding(key.get<std::string>())) {
      st.floor.red_flags.set(*k);
    }
  }
  auto previous = LevelMember(j, "previous_level");
  if (!previous.ok()) return previous.status();
  st.previous_level = *previous;
  st.escalated = j.at("escalated").get<bool>();
  st.recent_at = j.at("recent_at").get<std::vector<int64_t>>();
  return st;
}

}  // namespace

std::string EpisodeDocument(const KnowledgeBase& kb, const EpisodeStart& e,
                            const ReviewState& state) {
  std::string out = fmt::format("{{\"v\":{},\"kb_version\":", kDocumentVersion);
  AppendJsonString(kb.version(), &out);
  out += fmt::format(",\"started_at_ms\":{},\"time_zone\":", e.started_at_ms);
  AppendJsonString(e.time_zone, &out);
  out += ",\"region\":";
  AppendJsonString(e.region, &out);
  out += ",\"last_level\":";
  AppendJsonString(LevelName(state.floor.level), &out);
  out += ",\"answers\":";
  AppendAnswersJson(e.answers, &out);
  out += ",\"findings\":";
  AppendFindingsJson(kb, e.initial, &out);
  out += ",\"state\":";
  AppendState(kb, state, &out);
  out += '}';
  return out;
}

Result<StoredEpisode> EpisodeFromDocument(const KnowledgeBase& kb,
                                          std::string_view document) {
  auto j = ParseDocument(document);
  if (!j) return Status::InvalidArgument("episode document: not a JSON object");
  try {
    StoredEpisode out;
    const auto& d = *j;
    if (!d.contains("started_at_ms") ||
        !d["started_at_ms"].is_number_integer() || !d.contains("findings")) {
      return Status::InvalidArgument(
          "episode document: missing started_at_ms or findings");
    }
    out.start.started_at_ms = d["started_at_ms"].get<int64_t>();
    // Every document since the first has these: a missing one is damage,
    // never a default (issue 11: a missing level once read as self_care,
    // a missing region as eu, which picks the emergency number).
    for (const char* name : {"time_zone", "region"}) {
      if (Status s = RequireMember(d, name, &Json::is_string, "a string");
          !s.ok()) {
        return s;
      }
    }
    out.start.time_zone = d["time_zone"].get<std::string>();
    out.start.region = d["region"].get<std::string>();
    if (!KnownRegion(kb, out.start.region)) {
      return Status::InvalidArgument("episode document: unknown region");
    }
    auto level = LevelMember(d, "last_level");
    if (!level.ok()) return level.status();
    out.last_level = *level;
    if (d.contains("answers") && d["answers"].is_object()) {
      for (const auto& [id, a] : d["answers"].items()) {
        Reply r;
        if (a.is_number()) {
          r.number = a.get<double>();
        } else if (a.is_string()) {
          r.options.push_back(a.get<std::string>());
        } else if (a.is_array()) {
          for (const auto& o : a) r.options.push_back(o.get<std::string>());
        } else {
          return Status::InvalidArgument(
              fmt::format("episode document: bad answer to '{}'", id));
        }
        out.start.answers.emplace_back(id, std::move(r));
      }
    }
    int skipped = 0;
    Status s = FindingsFromStored(kb, d["findings"], /*person=*/true,
                                  &out.start.initial, &skipped);
    if (!s.ok())
      return Status::InvalidArgument("episode document: " + s.message());
    out.start.initial.id = "episode";
    if (d.contains("state")) {
      auto st = StateFrom(kb, d["state"]);
      if (!st.ok()) {
        return Status::InvalidArgument("episode document: " +
                                       st.status().message());
      }
      out.state = std::move(st).value();
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(
        fmt::format("episode document: {}", e.what()));
  }
}

std::string EntryDocument(const KnowledgeBase& kb, const DiaryEntry& entry) {
  std::string out = fmt::format(
      "{{\"v\":{},\"at_ms\":{},\"pain\":", kDocumentVersion, entry.at_ms);
  AppendOptionalInt(entry.pain, &out);
  out += ",\"done\":[";
  for (size_t i = 0; i < entry.done.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(entry.done[i], &out);
  }
  out += "],\"findings\":";
  AppendFindingPairs(kb, entry.findings, &out);
  out += ",\"note\":";
  AppendJsonString(entry.note, &out);
  out += '}';
  return out;
}

Result<DiaryEntry> EntryFromDocument(const KnowledgeBase& kb,
                                     std::string_view document) {
  auto j = ParseDocument(document);
  if (!j) return Status::InvalidArgument("entry document: not a JSON object");
  try {
    const auto& d = *j;
    DiaryEntry out;
    if (!d.contains("at_ms") || !d["at_ms"].is_number_integer())
      return Status::InvalidArgument("entry document: missing at_ms");
    out.at_ms = d["at_ms"].get<int64_t>();
    if (d.contains("pain") && !d["pain"].is_null()) {
      const int p = d["pain"].get<int>();
      if (p < 0 || p > 10)
        return Status::InvalidArgument("entry document: pain out of range");
      out.pain = p;
    }
    if (d.contains("done"))
      out.done = d["done"].get<std::vector<std::string>>();
    out.note = d.value("note", std::string());
    int skipped = 0;
    if (d.contains("findings")) {
      Case c;
      Status s =
          FindingsFromStored(kb, d["findings"], /*person=*/false, &c, &skipped);
      if (!s.ok())
        return Status::InvalidArgument("entry document: " + s.message());
      out.findings = KnownFindings(c);
    }
    if (!out.pain && out.done.empty() && out.findings.empty() &&
        out.note.empty() && skipped > 0) {
      return Status::InvalidArgument(fmt::format(
          "entry document: none of its {} findings is known to knowledge "
          "base {}",
          skipped, kb.version()));
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(fmt::format("entry document: {}", e.what()));
  }
}

}  // namespace backaid
