// Result rendering: concatenates fragments pre-rendered at load time, so a
// result costs a few appends per fired rule.
#include <fmt/format.h>

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

}  // namespace

void AppendUndetermined(const KnowledgeBase& kb,
                        const std::vector<Undetermined>& undetermined,
                        std::string* out);

void AppendResultJson(const KnowledgeBase& kb, const Case& c,
                      const TriageResult& r, std::string* out,
                      bool could_not_rule_out, std::string_view region) {
  const KnowledgeBase::Impl& impl = kb::Internal(kb);
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
  out->append(",\"open_questions\":[");
  bool first_q = true;
  const std::vector<Undetermined> undetermined = CouldNotRuleOut(kb, c, r);
  for (const OpenQuestion& q : OpenQuestions(kb, undetermined)) {
    if (!first_q) out->push_back(',');
    first_q = false;
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
  out->append("]}");
  out->append(",\"see\":[");
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
  (void)could_not_rule_out;  // always written now (issue 10)
  AppendUndetermined(kb, undetermined, out);
  out->append(",\"kb_version\":");
  out->append(impl.version_json);
  out->push_back('}');
}

void AppendUndetermined(const KnowledgeBase& kb,
                        const std::vector<Undetermined>& undetermined,
                        std::string* out) {
  const KnowledgeBase::Impl& impl = kb::Internal(kb);
  out->append(",\"could_not_rule_out\":[");
  bool first = true;
  for (const Undetermined& u : undetermined) {
    if (!first) out->push_back(',');
    out->append("{\"rule\":");
    AppendJsonString(impl.rules[u.rule].id, out);
    out->append(",\"level\":\"");
    out->append(LevelName(impl.rules[u.rule].level));
    out->append("\",\"missing\":[");
    for (size_t i = 0; i < u.missing.size(); ++i) {
      if (i) out->push_back(',');
      out->append(impl.finding_json[u.missing[i]]);
    }
    out->append("]}");
    first = false;
  }
  out->push_back(']');
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
