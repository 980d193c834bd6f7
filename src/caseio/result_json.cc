// Result rendering: concatenates fragments pre-rendered at load time, so a
// result costs a few appends per fired rule.
#include <fmt/format.h>

#include <algorithm>
#include <bitset>
#include <string>
#include <vector>

#include "backaid/assess.h"
#include "backaid/case_json.h"
#include "backaid/report.h"
#include "src/knowledge/eval.h"
#include "src/knowledge/expr.h"
#include "src/knowledge/program.h"

namespace backaid {

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\r':
        out->append("\\r");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

namespace {

void AppendFindingList(const KnowledgeBase::Impl& impl, const FindingSet& set,
                       std::string* out) {
  out->push_back('[');
  bool first = true;
  for (size_t f = set._Find_first(); f < set.size(); f = set._Find_next(f)) {
    if (!first) out->push_back(',');
    out->append(impl.finding_json[f]);
    first = false;
  }
  out->push_back(']');
}

// "key" for true booleans, "key=value" otherwise.
void AppendEvidence(const KnowledgeBase::Impl& impl, FindingId f, int32_t value,
                    std::string* out) {
  const FindingDef& def = impl.findings[f];
  const auto& rendered = impl.finding_value_json[f];
  if (value == kUnknown) {
    AppendJsonString(def.key + "=not assessed", out);
  } else if (value >= 0 && static_cast<size_t>(value) < rendered.size()) {
    out->append(rendered[value]);
  } else {
    AppendJsonString(def.key + "=" + kb::ValueToString(def, value), out);
  }
}

// The questions that ask the findings, numbered (for a bitset) and
// rendered as JSON strings. Derived from asked_as, which a knowledge base
// read from files gets from its questions.yaml extension after the core's
// fragments are rendered, so it is built here, once per thread and
// knowledge base version (the version hashes questions.yaml too).
struct QuestionIds {
  const KnowledgeBase::Impl* impl = nullptr;
  std::string version;
  std::vector<int> of_finding;    // ordinal, -1 when no question asks it
  std::vector<std::string> json;  // by ordinal: "\"question_id\""
};

const QuestionIds& QuestionIdsOf(const KnowledgeBase::Impl& impl) {
  thread_local QuestionIds ids;
  if (ids.impl == &impl && ids.version == impl.version) return ids;
  ids.impl = &impl;
  ids.version = impl.version;
  ids.of_finding.assign(kMaxFindings, -1);
  ids.json.clear();
  std::vector<std::string_view> names;
  for (size_t f = 0; f < impl.asked_as.size() && f < kMaxFindings; ++f) {
    const std::string& q = impl.asked_as[f].question;
    if (q.empty()) continue;
    const auto it = std::find(names.begin(), names.end(), q);
    ids.of_finding[f] = static_cast<int>(it - names.begin());
    if (it == names.end()) {
      names.push_back(q);
      std::string json;
      AppendJsonString(q, &json);
      ids.json.push_back(std::move(json));
    }
  }
  return ids;
}

// The open questions, most urgent rule first (kb order within a level):
// compact, the question ids without repeats; full, one object per finding
// (OpenQuestions) with the words a person reads.
void AppendOpenQuestions(const KnowledgeBase& kb,
                         const std::vector<UndeterminedRule>& undetermined,
                         ResultDetail detail, std::string_view region,
                         std::string* out) {
  const KnowledgeBase::Impl& impl = kb::Internal(kb);
  out->push_back('[');
  if (detail == ResultDetail::kFull) {
    bool first = true;
    for (const OpenQuestion& q :
         OpenQuestions(kb, ToUndetermined(undetermined))) {
      if (!first) out->push_back(',');
      first = false;
      out->append("{\"finding\":");
      out->append(impl.finding_json[q.finding]);
      out->append(",\"level\":\"");
      out->append(LevelName(q.level));
      out->append("\",\"question\":");
      if (q.question.empty()) {
        out->append("null");
      } else {
        AppendJsonString(q.question, out);
      }
      out->append(",\"text\":");
      AppendJsonString(RegionText(kb, region, q.text), out);
      out->push_back('}');
    }
    out->push_back(']');
    return;
  }
  // The same order as OpenQuestions: levels from the most urgent, rules in
  // kb order, findings in id order; a question is named at its first
  // finding. Findings no question asks (an examiner's sign) are named in
  // could_not_rule_out's `missing`.
  const QuestionIds& ids = QuestionIdsOf(impl);
  std::bitset<kMaxFindings> named;  // by question ordinal
  FindingSet seen;
  bool first = true;
  for (int level = kLevelCount - 1; level > 0; --level) {
    for (const UndeterminedRule& x : undetermined) {
      if (static_cast<int>(impl.rules[x.rule].level) != level) continue;
      const FindingSet fresh = x.missing & ~seen;
      seen |= x.missing;
      for (size_t f = fresh._Find_first(); f < fresh.size();
           f = fresh._Find_next(f)) {
        const int q = ids.of_finding[f];
        if (q < 0 || named.test(static_cast<size_t>(q))) continue;
        named.set(static_cast<size_t>(q));
        if (!first) out->push_back(',');
        first = false;
        out->append(ids.json[static_cast<size_t>(q)]);
      }
    }
  }
  out->push_back(']');
}

void AppendUndetermined(const KnowledgeBase::Impl& impl,
                        const std::vector<UndeterminedRule>& undetermined,
                        std::string* out) {
  out->append(",\"could_not_rule_out\":[");
  bool first = true;
  for (const UndeterminedRule& u : undetermined) {
    if (!first) out->push_back(',');
    first = false;
    out->append(impl.undetermined_json[u.rule]);
    AppendFindingList(impl, u.missing, out);
    out->push_back('}');
  }
  out->push_back(']');
}

}  // namespace

void AppendResultJson(const KnowledgeBase& kb, const Case& c,
                      const TriageResult& r, std::string* out,
                      ResultDetail detail, std::string_view region) {
  const KnowledgeBase::Impl& impl = kb::Internal(kb);
  // Per thread, reused: no allocation once it has held as many rules.
  thread_local std::vector<UndeterminedRule> undetermined;
  CouldNotRuleOut(kb, c, r, &undetermined);
  out->append("{\"id\":");
  AppendJsonString(c.id, out);
  out->append(",\"triage\":\"");
  out->append(LevelName(r.level));
  out->append("\",\"conditions\":[");
  bool first = true;
  for (uint32_t bits = r.conditions; bits; bits &= bits - 1) {
    if (!first) out->push_back(',');
    out->append(impl.condition_json[__builtin_ctz(bits)]);
    first = false;
  }
  out->append("],\"red_flags\":");
  AppendFindingList(impl, r.red_flags, out);
  out->append(",\"not_assessed\":");
  AppendFindingList(impl, r.not_assessed, out);
  // Whether every red-flag question was answered, and the questions that
  // would decide what the missing answers leave open.
  out->append(",\"screen\":{\"complete\":");
  out->append(r.not_assessed.none() ? "true" : "false");
  out->append(",\"open_questions\":");
  AppendOpenQuestions(kb, undetermined, detail, region, out);
  out->append("},\"see\":[");
  first = true;
  for (uint16_t s : OrderedServices(kb, r)) {
    if (!first) out->push_back(',');
    out->append(impl.service_json[s]);
    first = false;
  }
  out->append("],\"explanation\":[");
  first = true;
  for (uint16_t rule : r.fired) {
    if (!first) out->push_back(',');
    out->append(impl.rule_json[rule]);
    FindingSet evidence;
    kb::CollectTrueAtoms(impl.program, impl.program.rules[rule].when,
                         c.values.data(), &evidence);
    bool first_ev = true;
    for (size_t f = evidence._Find_first(); f < evidence.size();
         f = evidence._Find_next(f)) {
      if (!first_ev) out->push_back(',');
      AppendEvidence(impl, static_cast<FindingId>(f), c.values[f], out);
      first_ev = false;
    }
    out->append("]}");
    first = false;
  }
  out->push_back(']');
  AppendUndetermined(impl, undetermined, out);
  out->append(",\"kb_version\":");
  out->append(impl.version_json);
  out->push_back('}');
}

void AppendErrorJson(std::string_view id, bool has_id, std::string_view error,
                     std::string* out) {
  out->append("{\"id\":");
  if (has_id) {
    AppendJsonString(id, out);
  } else {
    out->append("null");
  }
  out->append(",\"error\":");
  AppendJsonString(error, out);
  out->push_back('}');
}

}  // namespace backaid
