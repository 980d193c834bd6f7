#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "backaid/assess.h"
#include "backaid/batch.h"
#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "src/assess/questionnaire_model.h"

namespace backaid {
namespace {

Result<std::string> ReadAll(int fd) {
  std::string data;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(fmt::format("read failed: {}", strerror(errno)));
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

std::vector<std::string> ConditionNames(const KnowledgeBase& kb,
                                        uint32_t bits) {
  std::vector<std::string> out;
  for (; bits; bits &= bits - 1)
    out.push_back(kb.conditions()[__builtin_ctz(bits)].id);
  return out;
}

}  // namespace

Result<ValidationReport> Validate(const KnowledgeBase& kb, int in_fd) {
  return Validate(std::shared_ptr<const KnowledgeBase>(
                      std::shared_ptr<const KnowledgeBase>(), &kb),
                  in_fd, ValidateOptions{});
}

Result<ValidationReport> Validate(std::shared_ptr<const KnowledgeBase> kbp,
                                  int in_fd, const ValidateOptions& options) {
  const KnowledgeBase& kb = *kbp;
  if (options.interview && !assess::QuestionnaireOf(kb)) {
    return Status::FailedPrecondition(
        "the interview protocol needs a questionnaire (questions.yaml)");
  }
  auto data = ReadAll(in_fd);
  if (!data.ok()) return data.status();
  return ValidateText(std::move(kbp), *data, options);
}

Result<ValidationReport> ValidateText(std::shared_ptr<const KnowledgeBase> kbp,
                                      std::string_view text,
                                      const ValidateOptions& options) {
  const KnowledgeBase& kb = *kbp;
  if (options.interview && !assess::QuestionnaireOf(kb)) {
    return Status::FailedPrecondition(
        "the interview protocol needs a questionnaire (questions.yaml)");
  }
  ValidationReport report;
  report.interview = options.interview;
  CaseReader reader(kb);
  Case c = kb.NewCase();
  ExpectedOutcome expected;
  TriageResult result;
  size_t line_number = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line_number;
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Status s = reader.Read(line, &c, &expected);
    if (!s.ok()) {
      ++report.errors;
      report.error_cases.emplace_back(
          c.id.empty() ? fmt::format("line {}", line_number) : c.id,
          fmt::format("line {}: {}", line_number, s.message()));
      continue;
    }
    if (!expected.present) {
      ++report.no_expected;
      continue;
    }
    if (options.interview && expected.as_given_only) {
      ++report.as_given_only;
      continue;
    }
    ++report.total;
    if (options.interview) {
      auto outcome = InterviewCase(kbp, c);
      if (!outcome.ok()) return outcome.status();
      result = outcome->result;
      report.questions[static_cast<int>(result.level)].push_back(
          outcome->questions);
      report.screens[static_cast<int>(result.level)].push_back(
          outcome->screens);
    } else {
      Evaluate(kb, c, &result);
    }
    const int e = static_cast<int>(expected.level);
    const int g = static_cast<int>(result.level);
    ++report.matrix[e][g];
    if (e == g) ++report.level_exact;
    if (g < e) report.under.push_back({c.id, expected.level, result.level});
    if (g > e) report.over.push_back({c.id, expected.level, result.level});
    const uint32_t missing = expected.conditions & ~result.conditions;
    const uint32_t extra = result.conditions & ~expected.conditions;
    report.conditions_expected += __builtin_popcount(expected.conditions);
    report.conditions_found +=
        __builtin_popcount(expected.conditions & result.conditions);
    report.conditions_extra += __builtin_popcount(extra);
    if (missing || extra) {
      report.condition_misses.push_back(
          {c.id, ConditionNames(kb, missing), ConditionNames(kb, extra)});
    } else if (e == g) {
      ++report.fully_exact;
    }
  }
  return report;
}

namespace {
double Rate(size_t a, size_t b) { return b ? 100.0 * a / b : 100.0; }
size_t RowTotal(const ValidationReport& r, TriageLevel e) {
  size_t n = 0;
  for (size_t v : r.matrix[static_cast<int>(e)]) n += v;
  return n;
}
}  // namespace

double SelfCareExactRate(const ValidationReport& r) {
  const size_t n = RowTotal(r, TriageLevel::kSelfCare);
  return n ? static_cast<double>(r.matrix[0][0]) / n : 1.0;
}

int MedianQuestions(const std::vector<int>& counts) {
  if (counts.empty()) return -1;
  std::vector<int> v = counts;
  std::sort(v.begin(), v.end());
  // The upper median: a whole number of questions, never flattering.
  return v[v.size() / 2];
}

int MaxQuestions(const std::vector<int>& counts) {
  return counts.empty() ? -1 : *std::max_element(counts.begin(), counts.end());
}

std::vector<int> NonEmergencyCounts(
    const std::array<std::vector<int>, kLevelCount>& counts) {
  std::vector<int> v;
  for (int l = 0; l < kLevelCount; ++l) {
    if (l == static_cast<int>(TriageLevel::kEmergency)) continue;
    v.insert(v.end(), counts[l].begin(), counts[l].end());
  }
  return v;
}

std::string RenderValidationText(const ValidationReport& r) {
  std::string s;
  s += fmt::format("protocol: {}\n", r.interview ? "interview" : "as given");
  s += fmt::format("cases: {} validated, {} unreadable, {} without expected",
                   r.total, r.errors, r.no_expected);
  if (r.interview) s += fmt::format(", {} as given only", r.as_given_only);
  s += "\n\n";
  s += "confusion matrix (rows: expected, columns: backaid)\n";
  s += fmt::format("{:>12}", "");
  for (int g = 0; g < kLevelCount; ++g)
    s += fmt::format("{:>11}", LevelName(static_cast<TriageLevel>(g)));
  s += "\n";
  for (int e = 0; e < kLevelCount; ++e) {
    s += fmt::format("{:>12}", LevelName(static_cast<TriageLevel>(e)));
    for (int g = 0; g < kLevelCount; ++g)
      s += fmt::format("{:>11}", r.matrix[e][g]);
    s += "\n";
  }
  s += fmt::format("\nlevel exact:            {}/{} ({:.1f}%)\n", r.level_exact,
                   r.total, Rate(r.level_exact, r.total));
  s += fmt::format("level and conditions:   {}/{} ({:.1f}%)\n", r.fully_exact,
                   r.total, Rate(r.fully_exact, r.total));
  s += fmt::format("self-care exact:        {}/{} ({:.1f}%)\n", r.matrix[0][0],
                   RowTotal(r, TriageLevel::kSelfCare),
                   100.0 * SelfCareExactRate(r));
  s += fmt::format("condition recall:       {}/{} ({:.1f}%), {} extra\n",
                   r.conditions_found, r.conditions_expected,
                   Rate(r.conditions_found, r.conditions_expected),
                   r.conditions_extra);
  s += fmt::format("under-triage:           {}\n", r.under.size());
  for (const auto& m : r.under)
    s += fmt::format("  {}: expected {}, got {}\n", m.id, LevelName(m.expected),
                     LevelName(m.got));
  s += fmt::format("over-triage:            {}\n", r.over.size());
  for (const auto& m : r.over)
    s += fmt::format("  {}: expected {}, got {}\n", m.id, LevelName(m.expected),
                     LevelName(m.got));
  if (r.interview) {
    for (const auto& [title, counts] :
         {std::pair{"questions asked:        ", &r.questions},
          std::pair{"screens shown:          ", &r.screens}}) {
      s += fmt::format("{}median / max by backaid's level\n", title);
      for (int l = kLevelCount - 1; l >= 0; --l) {
        s += fmt::format("  {:<12}{:>4} cases  median {:>3}  max {:>3}\n",
                         LevelName(static_cast<TriageLevel>(l)),
                         (*counts)[l].size(), MedianQuestions((*counts)[l]),
                         MaxQuestions((*counts)[l]));
      }
      const auto ne = NonEmergencyCounts(*counts);
      s += fmt::format("  {:<12}{:>4} cases  median {:>3}  max {:>3}\n",
                       "not emergency", ne.size(), MedianQuestions(ne),
                       MaxQuestions(ne));
    }
  }
  if (!r.condition_misses.empty()) {
    s += fmt::format("condition mismatches:   {}\n", r.condition_misses.size());
    for (const auto& m : r.condition_misses) {
      s += fmt::format("  {}:", m.id);
      if (!m.missing.empty())
        s += fmt::format(" missing {}", fmt::join(m.missing, ", "));
      if (!m.extra.empty())
        s += fmt::format(" extra {}", fmt::join(m.extra, ", "));
      s += "\n";
    }
  }
  if (!r.error_cases.empty()) {
    s += fmt::format("unreadable cases:       {}\n", r.error_cases.size());
    for (const auto& [id, err] : r.error_cases)
      s += fmt::format("  {}: {}\n", id, err);
  }
  return s;
}

std::string RenderValidationJson(const ValidationReport& r) {
  nlohmann::ordered_json j;
  j["protocol"] = r.interview ? "interview" : "as_given";
  j["validated"] = r.total;
  j["unreadable"] = r.errors;
  j["without_expected"] = r.no_expected;
  if (r.interview) j["as_given_only"] = r.as_given_only;
  nlohmann::ordered_json matrix;
  for (int e = 0; e < kLevelCount; ++e) {
    nlohmann::ordered_json row;
    for (int g = 0; g < kLevelCount; ++g)
      row[std::string(LevelName(static_cast<TriageLevel>(g)))] = r.matrix[e][g];
    matrix[std::string(LevelName(static_cast<TriageLevel>(e)))] = row;
  }
  j["confusion_matrix"] = matrix;
  j["level_exact"] = r.level_exact;
  j["fully_exact"] = r.fully_exact;
  j["exact_rate"] =
      r.total ? static_cast<double>(r.level_exact) / r.total : 1.0;
  auto misses = [](const std::vector<ValidationReport::Miss>& v) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (const auto& m : v)
      a.push_back({{"id", m.id},
                   {"expected", LevelName(m.expected)},
                   {"got", LevelName(m.got)}});
    return a;
  };
  j["under_triage"] = misses(r.under);
  j["over_triage"] = misses(r.over);
  j["condition_recall"] =
      r.conditions_expected
          ? static_cast<double>(r.conditions_found) / r.conditions_expected
          : 1.0;
  j["conditions_extra"] = r.conditions_extra;
  j["self_care_exact_rate"] = SelfCareExactRate(r);
  j["fully_exact_rate"] =
      r.total ? static_cast<double>(r.fully_exact) / r.total : 1.0;
  if (r.interview) {
    for (const auto& [key, counts] : {std::pair{"questions", &r.questions},
                                      std::pair{"screens", &r.screens}}) {
      nlohmann::ordered_json q;
      for (int l = kLevelCount - 1; l >= 0; --l) {
        q[std::string(LevelName(static_cast<TriageLevel>(l)))] = {
            {"cases", (*counts)[l].size()},
            {"median", MedianQuestions((*counts)[l])},
            {"max", MaxQuestions((*counts)[l])}};
      }
      const auto ne = NonEmergencyCounts(*counts);
      q["not_emergency"] = {{"cases", ne.size()},
                            {"median", MedianQuestions(ne)},
                            {"max", MaxQuestions(ne)}};
      j[key] = q;
    }
  }
  nlohmann::ordered_json cm = nlohmann::ordered_json::array();
  for (const auto& m : r.condition_misses)
    cm.push_back({{"id", m.id}, {"missing", m.missing}, {"extra", m.extra}});
  j["condition_mismatches"] = cm;
  nlohmann::ordered_json errs = nlohmann::ordered_json::array();
  for (const auto& [id, err] : r.error_cases)
    errs.push_back({{"id", id}, {"error", err}});
  j["errors"] = errs;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace backaid
