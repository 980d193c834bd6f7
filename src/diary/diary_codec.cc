// The diary's request codec: decoding episode and entry bodies (the shared
// shape check, then simdjson, strict) into EpisodeStart and DiaryEntry. Their
// storage documents are in diary_document.cc, the JSON the API returns in
// diary_json.cc, the review in diary_review.cc.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backaid/calendar.h"
#include "backaid/case_json.h"
#include "backaid/diary.h"
#include "src/assess/answers.h"
#include "src/caseio/json_check.h"
#include "src/caseio/regions.h"
#include "src/diary/diary_internal.h"
#include "src/diary/diary_model.h"

namespace backaid {

// Shared with diary_document.cc (declared in diary_internal.h).
namespace diary_internal {

bool KnownRegion(const KnowledgeBase& kb, std::string_view id) {
  const regions::RegionModel* m = regions::RegionsOf(kb);
  if (m == nullptr) return id.empty();
  for (const auto& r : m->regions)
    if (r.id == id) return true;
  return false;
}

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

}  // namespace diary_internal

namespace {

namespace dom = simdjson::dom;
using diary::DiaryModel;
using diary_internal::KnownFindings;
using diary_internal::KnownRegion;
using diary_internal::Model;
using diary_internal::NoDiary;
using diary_internal::ReadFindings;

constexpr size_t kMaxTimeZoneBytes = 64;

// "region: must be one of \"eu\", \"uk\", \"us\"" from regions.yaml.
std::string RegionChoices(const KnowledgeBase& kb) {
  const regions::RegionModel* m = regions::RegionsOf(kb);
  if (m == nullptr || m->regions.empty())
    return "region: the knowledge base has no regions (regions.yaml)";
  std::string out = "region: must be one of ";
  for (size_t i = 0; i < m->regions.size(); ++i) {
    if (i > 0) out += ", ";
    out += '"' + m->regions[i].id + '"';
  }
  return out;
}

std::string Truncate(std::string_view s) {
  if (s.size() <= 40) return std::string(s);
  return std::string(s.substr(0, 40)) + "...";
}

// Parses a request body into `root` (an object) after the shared shape
// check (src/caseio/json_check.h: size, UTF-8, nesting, strings, U+0000,
// duplicate keys, the allowed top-level members).
template <size_t N>
Status ParseBody(dom::parser& parser, std::string_view json,
                 const std::string_view (&allowed)[N], dom::object* root) {
  if (Status s = CheckJsonShape(
          json, std::vector<std::string_view>(allowed, allowed + N));
      !s.ok()) {
    return s;
  }
  dom::element doc;
  if (auto e = parser.parse(json.data(), json.size()).get(doc)) {
    return Status::InvalidArgument(std::string("malformed JSON: ") +
                                   simdjson::error_message(e));
  }
  *root = dom::object(doc);
  return Status::Ok();
}

// The calendar's own check (an IANA zone libical knows), so that an
// episode never holds a zone its schedule cannot use.
Status CheckTimeZone(const std::string& zone) {
  auto r = LocalTimeIn(0, zone);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace

// ---- parsing ---------------------------------------------------------------

Result<EpisodeStart> ParseEpisodeStart(const KnowledgeBase& kb,
                                       std::string_view json, int64_t now_ms) {
  dom::parser parser;
  dom::object root;
  if (Status s = ParseBody(parser, json, kEpisodeStartMembers, &root); !s.ok())
    return s;
  EpisodeStart out;
  out.started_at_ms = now_ms;
  if (const regions::RegionModel* m = regions::RegionsOf(kb);
      m != nullptr && m->default_region < m->regions.size()) {
    out.region = m->regions[m->default_region].id;
  }
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
        return Status::InvalidArgument(
            fmt::format("time_zone: must be an IANA name of 1 to {} characters",
                        kMaxTimeZoneBytes));
      }
      out.time_zone.assign(tz);
      if (Status s = CheckTimeZone(out.time_zone); !s.ok())
        return Status::InvalidArgument("time_zone: " + s.message());
    } else if (key == "region") {
      std::string_view r;
      if (kv.value.get_string().get(r) || !KnownRegion(kb, r))
        return Status::InvalidArgument(RegionChoices(kb));
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
    auto a = assess::CaseFromAnswerObject(kb, dom::object(*answers));
    if (!a.ok())
      return Status::InvalidArgument("answers: " + a.status().message());
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
  if (Status s = ParseBody(parser, json, kDiaryEntryMembers, &root); !s.ok())
    return s;
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
          return Status::InvalidArgument(
              "done: items must be activity ids (strings)");
        const bool known =
            std::any_of(model->activities.begin(), model->activities.end(),
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

}  // namespace backaid
