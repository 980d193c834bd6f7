// A small, complete knowledge base for unit tests, with the rule file
// supplied by each test.
#ifndef BACKAID_SRC_KNOWLEDGE_TEST_KB_H_
#define BACKAID_SRC_KNOWLEDGE_TEST_KB_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "src/bundle/knowledge_bundle.h"
#include "src/knowledge/loader.h"

namespace backaid::kb::testing {

// The knowledge base built into the binary, loaded once per test binary
// (a failure to load is a test failure, and the tests that use it then
// crash on the null pointer, which names them).
inline std::shared_ptr<const KnowledgeBase> EmbeddedKb() {
  static const std::shared_ptr<const KnowledgeBase> kb = [] {
    auto r = LoadEmbeddedKnowledgeBase();
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : nullptr;
  }();
  return kb;
}

// A clean rule file that uses both red flags of the test knowledge base.
inline constexpr char kGoodRules[] = R"(rules:
  - id: r1
    when: a or b
    level: urgent
    conditions: [x]
    see: [gp]
    reason: because
    sources: [s1]
)";

// Tests that want their own plan.yaml or questions.yaml append it: the last
// file of a name wins. With `with_base_rule`, adds rules/base.yaml using both
// red flags, so that lint tests see only the problems of their own rule file.
inline std::vector<KbFile> TestKbFiles(const std::string& rules_yaml,
                                       bool with_base_rule = false) {
  std::vector<KbFile> files = {
      {"kb.yaml", R"(name: test kb
version: 1.2.3
levels:
  self_care: {meaning: home}
  routine: {meaning: gp soon}
  urgent: {meaning: doctor today}
  emergency: {meaning: emergency now}
services:
  - {id: er, name: Emergency department}
  - {id: gp, name: GP}
)"},
      {"findings.yaml", R"(findings:
  - {key: age, type: int, range: [0, 120], normal: 35, group: person, meaning: age}
  - {key: sex, type: enum, values: [female, male, other], group: person, meaning: sex}
  - {key: a, type: bool, red_flag: true, group: g, meaning: flag a}
  - {key: b, type: bool, red_flag: true, group: g, meaning: flag b}
  - {key: c, type: bool, group: g, meaning: c}
  - {key: side, type: side, group: g, meaning: side}
  - {key: walk, type: enum, values: [normal, weak, unable], normal: normal, group: g, meaning: walk}
  - {key: score, type: int, range: [0, 10], normal: 0, group: g, meaning: score}
  - {key: temp, type: number, range: [30, 45], normal: 37.0, group: g, meaning: temp}
)"},
      {"conditions.yaml", R"(conditions:
  - {id: x, name: X, description: x, sources: [s1]}
  - {id: y, name: Y, description: y, covered_by: [x], sources: [s1]}
)"},
      {"sources.yaml", R"(sources:
  - {id: s1, kind: guideline, title: Source one, cite: S1}
)"},
      {"conflicts.yaml", R"(conflicts:
  - id: k
    topic: t
    positions:
      - {source: s1, says: one}
      - {source: s1, says: two}
    decision: d
    sources: [s1]
)"},
      {"plan.yaml", R"(sections:
  - {id: now, title: Now}
  - {id: ice_heat, title: Ice and heat}
  - {id: activity, title: Activity}
  - {id: medicines, title: Medicines}
  - {id: exercises, title: Exercises}
  - {id: prevention, title: Prevention}
  - {id: avoid, title: Avoid}
  - {id: safety_net, title: Get help, open: true}
  - {id: follow_up, title: Check again}
items:
  - id: net
    section: safety_net
    levels: [self_care, routine, urgent, emergency]
    title: Get help
    text: call
    sources: [s1]
  - id: call
    section: now
    role: emergency_call
    levels: [emergency]
    title: Call
    text: call now
    sources: [s1]
)"},
      {"questions.yaml", R"(sections:
  - {id: s, title: Section}
questions:
  - id: flags
    section: s
    kind: checklist
    text: Any of these?
    options:
      - {id: a, label: A, sets: {a: true}}
      - {id: b, label: B, sets: {b: true}}
      - {id: none, label: None, role: none}
      - {id: unsure, label: Not sure, role: unsure}
)"},
      {"rules/r.yaml", rules_yaml},
  };
  if (with_base_rule) {
    files.push_back({"rules/base.yaml", R"(rules:
  - id: base
    when: a or b
    level: urgent
    see: [gp]
    reason: base
    sources: [s1]
)"});
  }
  return files;
}

}  // namespace backaid::kb::testing

#endif  // BACKAID_SRC_KNOWLEDGE_TEST_KB_H_
