// The follow-up diary: decoding episodes and entries (simdjson, strict),
// their storage documents, and the review of an episode (overlay, course
// derivations, triage, care plan, escalation).
#include "backaid/diary.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backaid/calendar.h"
#include "backaid/case_json.h"
#include "src/diary/diary_model.h"
#include "src/knowledge/expr.h"
#include "src/knowledge/program.h"

namespace backaid {
namespace {

namespace dom = simdjson::dom;
using diary::Derivation;
using diary::DiaryModel;

// Limits on a request body beyond the header's (a body is small: a note of
// 2000 bytes and a few dozen findings).
constexpr int kMaxDepth = 8;
constexpr size_t kMaxBodyBytes = 64 * 1024;
constexpr size_t kMaxTimeZoneBytes = 64;
constexpr int64_t kMsPerDay = 24LL * 60 * 60 * 1000;
constexpr int kDocumentVersion = 1;

std::string Truncate(std::string_view s) {
  if (s.size() <= 40) return std::string(s);
  return std::string(s.substr(0, 40)) + "...";
}

std::string DescribeParseError(simdjson::error_code e) {
  switch (e) {
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8";
    case simdjson::DEPTH_ERROR:
      return fmt::format("JSON nested deeper than {} levels", kMaxDepth);
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "number out of range";
    case simdjson::EMPTY:
      return "empty body";
    default:
      return std::string("malformed JSON (") + simdjson::error_message(e) +
             ")";
  }
}

// Rejects nesting deeper than kMaxDepth (the root is level 1) and duplicate
// keys anywhere (a duplicate would let two readers see different values).
std::string CheckShape(dom::element e, int depth, const std::string& path) {
  if (depth > kMaxDepth) {
    return fmt::format("{}: JSON nested deeper than {} levels",
                       path.empty() ? "body" : path, kMaxDepth);
  }
  if (e.is_array()) {
    for (dom::element child : dom::array(e)) {
      std::string err = CheckShape(child, depth + 1, path);
      if (!err.empty()) return err;
    }
  } else if (e.is_object()) {
    std::unordered_set<std::string_view> keys;
    for (dom::key_value_pair kv : dom::object(e)) {
      const std::string child =
          path.empty() ? std::string(kv.key) : path + "." + std::string(kv.key);
      if (!keys.insert(kv.key).second) {
        return fmt::format("{}: duplicate key", Truncate(child));
      }
      std::string err = CheckShape(kv.value, depth + 1, Truncate(child));
      if (!err.empty()) return err;
    }
  }
  return {};
}

// Parses a request body into `root` (an object), with the shape checks.
std::string ParseBody(dom::parser& parser, std::string_view json,
                      dom::object* root) {
  if (json.size() > kMaxBodyBytes) {
    return fmt::format("body larger than {} bytes", kMaxBodyBytes);
  }
  dom::element doc;
  if (auto e = parser.parse(json.data(), json.size()).get(doc)) {
    return DescribeParseError(e);
  }
  if (!doc.is_object()) return "body must be a JSON object";
  std::string err = CheckShape(doc, 1, "");
  if (!err.empty()) return err;
  *root = dom::object(doc);
  return {};
}

// Decodes a findings object with the case reader (one decoder for cases,
// episodes, entries and documents), plus age and sex when given.
Status ReadFindings(const KnowledgeBase& kb, std::string_view findings_json,
                    std::string_view person_json, Case* c) {
  std::string doc = "{\"id\":\"diary\"";
  doc += person_json;
  doc += ",\"findings\":";
  doc += findings_json;
  doc += '}';
  CaseReader reader(kb);
  return reader.Read(doc, c);
}

std::vector<std::pair<FindingId, int32_t>> KnownFindings(const Case& c) {
  std::vector<std::pair<FindingId, int32_t>> out;
  for (size_t f = 0; f < c.values.size(); ++f) {
    if (c.values[f] != kUnknown)
      out.emplace_back(static_cast<FindingId>(f), c.values[f]);
  }
  return out;
}

const DiaryModel* Model(const KnowledgeBase& kb) {
  return diary::DiaryModelOf(kb);
}

Status NoDiary() {
  return Status::FailedPrecondition(
      "the knowledge base has no diary (diary.yaml)");
}

// The calendar's own check (an IANA zone libical knows), so that an
// episode never holds a zone its schedule cannot use.
Status CheckTimeZone(const std::string& zone) {
  auto r = LocalTimeIn(0, zone);
  return r.ok() ? Status::Ok() : r.status();
}

void AppendFindingValue(const FindingDef& def, int32_t v, std::string* out) {
  const std::string s = kb::ValueToString(def, v);
  if (def.type == FindingType::kEnum) {
    AppendJsonString(s, out);
  } else {
    *out += s;
  }
}

void AppendFindingPairs(const KnowledgeBase& kb,
                        const std::vector<std::pair<FindingId, int32_t>>& fs,
                        std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < fs.size(); ++i) {
    if (i) out->push_back(',');
    const FindingDef& def = kb.findings()[fs[i].first];
    AppendJsonString(def.key, out);
    out->push_back(':');
    AppendFindingValue(def, fs[i].second, out);
  }
  out->push_back('}');
}

void AppendOptionalInt(const std::optional<int>& v, std::string* out) {
  if (v) {
    *out += std::to_string(*v);
  } else {
    *out += "null";
  }
}

// A stored document's findings object -> case, skipping keys this knowledge
// base does not know (written by an older or newer version).
Status FindingsFromStored(const KnowledgeBase& kb,
                          const nlohmann::ordered_json& obj, bool person,
                          Case* c, int* skipped) {
  if (!obj.is_object()) return Status::InvalidArgument("findings: not an object");
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

}  // namespace

// ---- parsing ---------------------------------------------------------------

Result<EpisodeStart> ParseEpisodeStart(const KnowledgeBase& kb,
                                       std::string_view json, int64_t now_ms) {
  dom::parser parser;
  dom::object root;
  if (std::string err = ParseBody(parser, json, &root); !err.empty())
    return Status::InvalidArgument(err);
  EpisodeStart out;
  out.started_at_ms = now_ms;
  std::optional<dom::element> answers, findings;
  std::string person;  // ,"age":..,"sex":.. for the case reader
  for (dom::key_value_pair kv : root) {
    const std::string_view key = kv.key;
    if (key == "answers") {
      if (!kv.value.is_object())
        return Status::InvalidArgument(
            "answers: must be an object (question id -> answer)");
      answers = kv.value;
    } else if (key == "findings") {
      if (!kv.value.is_object())
        return Status::InvalidArgument("findings: must be an object");
      if (dom::object(kv.value).size() > kb.findings().size()) {
        return Status::InvalidArgument(fmt::format(
            "findings: more than {} findings", kb.findings().size()));
      }
      findings = kv.value;
    } else if (key == "age" || key == "sex") {
      person += fmt::format(",\"{}\":{}", key, simdjson::minify(kv.value));
    } else if (key == "time_zone") {
      std::string_view tz;
      if (kv.value.get_string().get(tz))
        return Status::InvalidArgument("time_zone: must be a string");
      if (tz.empty() || tz.size() > kMaxTimeZoneBytes ||
          tz.find('\0') != std::string_view::npos) {
        return Status::InvalidArgument(fmt::format(
            "time_zone: must be an IANA name of 1 to {} characters",
            kMaxTimeZoneBytes));
      }
      out.time_zone.assign(tz);
      if (Status s = CheckTimeZone(out.time_zone); !s.ok())
        return Status::InvalidArgument("time_zone: " + s.message());
    } else if (key == "region") {
      std::string_view r;
      if (kv.value.get_string().get(r) || (r != "eu" && r != "uk" && r != "us"))
        return Status::InvalidArgument("region: must be \"eu\", \"uk\" or \"us\"");
      out.region.assign(r);
    } else if (key == "open_episode") {
      if (!kv.value.is_bool())
        return Status::InvalidArgument("open_episode: must be true or false");
    } else {
      return Status::InvalidArgument(
          fmt::format("{}: unknown member (allowed: answers or findings, "
                      "age, sex, time_zone, region, open_episode)",
                      Truncate(key)));
    }
  }
  if (answers.has_value() == findings.has_value()) {
    return Status::InvalidArgument(
        "give exactly one of \"answers\" and \"findings\"");
  }
  if (answers) {
    if (!person.empty()) {
      return Status::InvalidArgument(
          "age and sex go in \"answers\" (as the questions ask them), not "
          "beside them");
    }
    auto a = CaseFromAnswers(kb, simdjson::minify(*answers));
    if (!a.ok()) return Status::InvalidArgument("answers: " + a.status().message());
    out.initial = std::move(a->c);
    out.answers = std::move(a->answers);
  } else {
    Case c;
    Status s = ReadFindings(kb, simdjson::minify(*findings), person, &c);
    if (!s.ok()) return s;
    out.initial = std::move(c);
  }
  out.initial.id = "episode";
  return out;
}

Result<DiaryEntry> ParseDiaryEntry(const KnowledgeBase& kb,
                                   std::string_view json, int64_t now_ms) {
  const DiaryModel* model = Model(kb);
  if (model == nullptr) return NoDiary();
  dom::parser parser;
  dom::object root;
  if (std::string err = ParseBody(parser, json, &root); !err.empty())
    return Status::InvalidArgument(err);
  DiaryEntry out;
  out.at_ms = now_ms;
  for (dom::key_value_pair kv : root) {
    const std::string_view key = kv.key;
    if (key == "pain") {
      int64_t p = 0;
      if (!kv.value.is_int64() || kv.value.get_int64().get(p) || p < 0 ||
          p > 10) {
        return Status::InvalidArgument("pain: must be an integer 0-10");
      }
      out.pain = static_cast<int>(p);
    } else if (key == "done") {
      dom::array list;
      if (kv.value.get_array().get(list))
        return Status::InvalidArgument("done: must be a list of activity ids");
      if (list.size() > kMaxDoneItems) {
        return Status::InvalidArgument(
            fmt::format("done: more than {} items", kMaxDoneItems));
      }
      for (dom::element item : list) {
        std::string_view id;
        if (item.get_string().get(id))
          return Status::InvalidArgument("done: items must be activity ids (strings)");
        const bool known = std::any_of(
            model->activities.begin(), model->activities.end(),
            [&](const diary::Activity& a) { return a.id == id; });
        if (!known) {
          return Status::InvalidArgument(
              fmt::format("done: unknown activity '{}'", Truncate(id)));
        }
        if (std::find(out.done.begin(), out.done.end(), id) != out.done.end()) {
          return Status::InvalidArgument(
              fmt::format("done: '{}' given twice", id));
        }
        out.done.emplace_back(id);
      }
    } else if (key == "findings") {
      dom::object obj;
      if (kv.value.get_object().get(obj))
        return Status::InvalidArgument("findings: must be an object");
      if (obj.size() > kb.findings().size()) {
        return Status::InvalidArgument(fmt::format(
            "findings: more than {} findings", kb.findings().size()));
      }
      for (dom::key_value_pair f : obj) {
        if (f.value.is_null()) {
          return Status::InvalidArgument(fmt::format(
              "findings.{}: must not be null (an entry reports findings; "
              "leave one out to keep it as it was)",
              Truncate(f.key)));
        }
        if (auto id = kb.FindFinding(f.key); id && *id == model->pain_score) {
          return Status::InvalidArgument(fmt::format(
              "findings.{}: give the pain score as \"pain\"", f.key));
        }
      }
      Case c;
      Status s = ReadFindings(kb, simdjson::minify(kv.value), "", &c);
      if (!s.ok()) return s;
      out.findings = KnownFindings(c);
    } else if (key == "note") {
      std::string_view note;
      if (kv.value.get_string().get(note))
        return Status::InvalidArgument("note: must be a string");
      if (note.size() > kMaxNoteBytes) {
        return Status::InvalidArgument(
            fmt::format("note: longer than {} bytes", kMaxNoteBytes));
      }
      out.note.assign(note);  // UTF-8 already validated by the parser
    } else {
      return Status::InvalidArgument(fmt::format(
          "{}: unknown member (allowed: pain, done, findings, note)",
          Truncate(key)));
    }
  }
  if (!out.pain && out.done.empty() && out.findings.empty() &&
      out.note.empty()) {
    return Status::InvalidArgument(
        "an entry needs at least one of pain, done, findings or note");
  }
  return out;
}

// ---- documents -------------------------------------------------------------

std::string EpisodeDocument(const KnowledgeBase& kb, const EpisodeStart& e,
                            TriageLevel last_level) {
  std::string out = fmt::format("{{\"v\":{},\"kb_version\":", kDocumentVersion);
  AppendJsonString(kb.version(), &out);
  out += fmt::format(",\"started_at_ms\":{},\"time_zone\":", e.started_at_ms);
  AppendJsonString(e.time_zone, &out);
  out += ",\"region\":";
  AppendJsonString(e.region, &out);
  out += ",\"last_level\":";
  AppendJsonString(LevelName(last_level), &out);
  out += ",\"answers\":";
  AppendAnswersJson(e.answers, &out);
  out += ",\"findings\":";
  AppendFindingsJson(kb, e.initial, &out);
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
    if (!d.contains("started_at_ms") || !d["started_at_ms"].is_number_integer() ||
        !d.contains("findings")) {
      return Status::InvalidArgument(
          "episode document: missing started_at_ms or findings");
    }
    out.start.started_at_ms = d["started_at_ms"].get<int64_t>();
    out.start.time_zone = d.value("time_zone", std::string("UTC"));
    out.start.region = d.value("region", std::string("eu"));
    auto level = ParseLevel(d.value("last_level", std::string("self_care")));
    if (!level) return Status::InvalidArgument("episode document: bad last_level");
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
    if (!s.ok()) return Status::InvalidArgument("episode document: " + s.message());
    out.start.initial.id = "episode";
    return out;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(
        fmt::format("episode document: {}", e.what()));
  }
}

std::string EntryDocument(const KnowledgeBase& kb, const DiaryEntry& entry) {
  std::string out = fmt::format("{{\"v\":{},\"at_ms\":{},\"pain\":",
                                kDocumentVersion, entry.at_ms);
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
      Status s = FindingsFromStored(kb, d["findings"], /*person=*/false, &c,
                                    &skipped);
      if (!s.ok()) return Status::InvalidArgument("entry document: " + s.message());
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

// ---- review ----------------------------------------------------------------

std::string_view PainDirectionName(PainDirection d) {
  switch (d) {
    case PainDirection::kUnknown:
      return "unknown";
    case PainDirection::kBetter:
      return "better";
    case PainDirection::kSame:
      return "same";
    case PainDirection::kWorse:
      return "worse";
  }
  return "unknown";
}

namespace {

PainTrend MakeTrend(std::vector<PainPoint> points, int meaningful_change) {
  PainTrend t;
  t.points = std::move(points);
  t.meaningful_change = meaningful_change;
  if (t.points.empty()) return t;
  t.first = t.points.front().pain;
  t.last = t.points.back().pain;
  t.lowest = t.highest = t.first;
  for (const PainPoint& p : t.points) {
    t.lowest = std::min(*t.lowest, p.pain);
    t.highest = std::max(*t.highest, p.pain);
  }
  if (t.points.size() >= 2) {
    const int change = *t.last - *t.first;
    t.direction = change <= -meaningful_change  ? PainDirection::kBetter
                  : change >= meaningful_change ? PainDirection::kWorse
                                                : PainDirection::kSame;
  }
  return t;
}

// A day count known at `at_ms`; counted on to the review.
struct DayCount {
  std::optional<int32_t> value;
  int64_t at_ms = 0;
};

// The state of an episode after some of its entries.
struct Course {
  Case overlaid;                 // initial + entries (no derivations)
  std::vector<PainPoint> points;
  DayCount onset, self_care;
};

int64_t WholeDays(int64_t from_ms, int64_t to_ms) {
  return to_ms <= from_ms ? 0 : (to_ms - from_ms) / kMsPerDay;
}

// Applies the course derivations to `c`. Every one only adds information
// (a longer duration, a worsening or improving trend); none sets a finding
// to its normal value, because the absence of a trend is not evidence that
// all is well: an unknown must never be turned into reassurance.
void Derive(const KnowledgeBase& kb, const DiaryModel& m, const Course& course,
            const PainTrend& trend, int64_t now_ms, Case* c,
            std::vector<std::string>* derived) {
  auto def = [&](Derivation d) -> const diary::DerivationDef& {
    return m.course[static_cast<int>(d)];
  };
  auto count = [&](Derivation d, const DayCount& dc) {
    if (!dc.value) return;  // an unknown duration stays unknown
    const FindingDef& f = kb.findings()[def(d).finding];
    const int64_t days = WholeDays(dc.at_ms, now_ms);
    if (days == 0) return;
    const auto v = static_cast<int32_t>(
        std::min<int64_t>(f.max, static_cast<int64_t>(*dc.value) + days));
    if (c->values[def(d).finding] == v) return;
    kb.SetFinding(def(d).finding, v, c);
    derived->push_back(fmt::format("{}={}: {} ({} + {} day{} since)", f.key, v,
                                   def(d).why, *dc.value, days,
                                   days == 1 ? "" : "s"));
  };
  count(Derivation::kOnsetDays, course.onset);
  count(Derivation::kSelfCareDays, course.self_care);
  const int mc = m.meaningful_change;
  const auto& pts = trend.points;
  auto set_true = [&](Derivation d, const std::string& detail) {
    const FindingDef& f = kb.findings()[def(d).finding];
    if (c->values[def(d).finding] == 1) return;
    kb.SetFinding(def(d).finding, 1, c);
    derived->push_back(
        fmt::format("{}=true: {} ({})", f.key, def(d).why, detail));
  };
  if (pts.size() >= 2) {
    const int last = pts.back().pain;
    const int before = pts[pts.size() - 2].pain;
    if (last - *trend.lowest >= mc && last >= before) {
      set_true(Derivation::kWorsening,
               fmt::format("pain {} now, lowest {}", last, *trend.lowest));
    }
    if (*trend.first - last >= mc) {
      set_true(Derivation::kImproving,
               fmt::format("pain {} now, {} at first", last, *trend.first));
    }
  }
}

// One review step: the triage of the course so far.
struct Step {
  Case current;
  TriageResult result;
  PainTrend trend;
  std::vector<std::string> derived;
};

Step Review(const KnowledgeBase& kb, const DiaryModel& m, const Course& course,
            int64_t now_ms, const Step* previous) {
  Step s;
  s.current = course.overlaid;
  s.trend = MakeTrend(course.points, m.meaningful_change);
  Derive(kb, m, course, s.trend, now_ms, &s.current, &s.derived);
  Evaluate(kb, s.current, &s.result);
  if (previous == nullptr) return s;
  // The level does not drop while a red flag that raised it is present.
  const FindingSet still = previous->result.red_flags & s.current.abnormal;
  if (s.result.level < previous->result.level && still.any()) {
    std::string keys;
    for (size_t f = still._Find_first(); f < still.size();
         f = still._Find_next(f)) {
      if (!keys.empty()) keys += ", ";
      keys += kb.findings()[f].key;
    }
    s.derived.push_back(fmt::format(
        "level={}: kept, because the warning sign{} that raised it ({}) "
        "{} still present",
        LevelName(previous->result.level), still.count() == 1 ? "" : "s",
        keys, still.count() == 1 ? "is" : "are"));
    s.result.level = previous->result.level;
    s.result.see = previous->result.see;
    s.result.conditions |= previous->result.conditions;
  }
  s.result.red_flags |= still;
  return s;
}

void ApplyEntry(const KnowledgeBase& kb, const DiaryModel& m,
                const DiaryEntry& e, Course* course) {
  for (const auto& [f, v] : e.findings) {
    if (f >= course->overlaid.values.size() || v == kUnknown) continue;
    kb.SetFinding(f, v, &course->overlaid);
    // A day count the person gives is counted on from when they gave it.
    if (f == m.course[static_cast<int>(Derivation::kOnsetDays)].finding)
      course->onset = DayCount{v, e.at_ms};
    if (f == m.course[static_cast<int>(Derivation::kSelfCareDays)].finding)
      course->self_care = DayCount{v, e.at_ms};
  }
  if (e.pain) {
    kb.SetFinding(m.pain_score, *e.pain, &course->overlaid);
    course->points.push_back(PainPoint{e.at_ms, *e.pain});
  }
}

}  // namespace

Result<EpisodeReview> ReviewEpisode(const KnowledgeBase& kb,
                                    const EpisodeStart& start,
                                    const std::vector<DiaryEntry>& entries,
                                    int64_t now_ms) {
  const DiaryModel* m = Model(kb);
  if (m == nullptr) return NoDiary();
  if (start.initial.values.size() != kb.findings().size()) {
    return Status::InvalidArgument(
        "the episode's case was not made with this knowledge base");
  }
  Course course;
  course.overlaid = start.initial;
  const auto onset_f =
      m->course[static_cast<int>(Derivation::kOnsetDays)].finding;
  const auto self_care_f =
      m->course[static_cast<int>(Derivation::kSelfCareDays)].finding;
  const int32_t onset = start.initial.values[onset_f];
  if (onset != kUnknown) course.onset = DayCount{onset, start.started_at_ms};
  const int32_t self_care = start.initial.values[self_care_f];
  course.self_care =
      DayCount{self_care == kUnknown ? 0 : self_care, start.started_at_ms};
  const int32_t pain = start.initial.values[m->pain_score];
  if (pain != kUnknown)
    course.points.push_back(PainPoint{start.started_at_ms, pain});

  // Each prefix of the entries in turn, so that the "kept while a red flag
  // is present" floor carries through the whole episode.
  Step step = Review(kb, *m, course, now_ms, nullptr);
  Step previous = step;
  for (const DiaryEntry& e : entries) {
    ApplyEntry(kb, *m, e, &course);
    previous = std::move(step);
    step = Review(kb, *m, course, now_ms, &previous);
  }
  EpisodeReview out;
  out.current = std::move(step.current);
  out.result = std::move(step.result);
  out.previous_level = previous.result.level;
  out.escalated = out.result.level > out.previous_level;
  out.trend = std::move(step.trend);
  out.derived = std::move(step.derived);
  auto plan = BuildCarePlan(kb, out.current, out.result);
  if (!plan.ok()) return plan.status();
  out.plan = std::move(plan).value();
  return out;
}

// ---- JSON for the API ------------------------------------------------------

std::string FormatUtc(int64_t ms) {
  using namespace std::chrono;
  const int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  const sys_seconds t{seconds{secs}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                     static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

void AppendEntryJson(const KnowledgeBase& kb, int64_t seq,
                     const DiaryEntry& entry, std::string* out) {
  *out += fmt::format("{{\"seq\":{},\"at\":\"{}\",\"pain\":", seq,
                      FormatUtc(entry.at_ms));
  AppendOptionalInt(entry.pain, out);
  *out += ",\"done\":[";
  for (size_t i = 0; i < entry.done.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(entry.done[i], out);
  }
  *out += "],\"findings\":";
  AppendFindingPairs(kb, entry.findings, out);
  *out += ",\"note\":";
  AppendJsonString(entry.note, out);
  out->push_back('}');
}

void AppendPainTrendJson(const PainTrend& trend, std::string* out) {
  *out += "{\"points\":[";
  for (size_t i = 0; i < trend.points.size(); ++i) {
    if (i) out->push_back(',');
    *out += fmt::format("{{\"at\":\"{}\",\"pain\":{}}}",
                        FormatUtc(trend.points[i].at_ms), trend.points[i].pain);
  }
  *out += fmt::format("],\"meaningful_change\":{},\"direction\":\"{}\"",
                      trend.meaningful_change,
                      PainDirectionName(trend.direction));
  const std::pair<const char*, const std::optional<int>*> fields[] = {
      {"first", &trend.first},
      {"last", &trend.last},
      {"lowest", &trend.lowest},
      {"highest", &trend.highest}};
  for (const auto& [name, v] : fields) {
    *out += fmt::format(",\"{}\":", name);
    AppendOptionalInt(*v, out);
  }
  out->push_back('}');
}

void AppendReviewJson(const KnowledgeBase& kb, const EpisodeReview& review,
                      std::string* out) {
  *out += "{\"level\":";
  AppendJsonString(LevelName(review.result.level), out);
  *out += ",\"previous_level\":";
  AppendJsonString(LevelName(review.previous_level), out);
  *out += review.escalated ? ",\"escalated\":true" : ",\"escalated\":false";
  *out += ",\"triage\":";
  AppendResultJson(kb, review.current, review.result, out,
                   /*could_not_rule_out=*/true);
  *out += ",\"what_to_do_now\":[";
  bool first = true;
  for (const PlanItem& item : review.plan.items) {
    if (item.section != PlanSection::kNow &&
        item.section != PlanSection::kSafetyNet)
      continue;
    if (!first) out->push_back(',');
    first = false;
    AppendPlanItemJson(item, out);
  }
  *out += "],\"derived\":[";
  for (size_t i = 0; i < review.derived.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(review.derived[i], out);
  }
  *out += "],\"pain_trend\":";
  AppendPainTrendJson(review.trend, out);
  *out += ",\"plan\":";
  AppendPlanJson(review.plan, out);
  out->push_back('}');
}

}  // namespace backaid
