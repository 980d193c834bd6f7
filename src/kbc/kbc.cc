// backaid_kbc: compiles a knowledge base directory's rule triggers to C++.
// Usage: backaid_kbc KNOWLEDGE_DIR OUT.cc
// Build-time only; the output is what CompiledRulesFor() returns for that
// knowledge base version.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "src/bundle/knowledge_bundle.h"
#include "src/knowledge/eval.h"
#include "src/knowledge/loader.h"
#include "src/knowledge/program.h"

namespace backaid::kb {
namespace {

std::string Value(FindingId f) { return fmt::format("v[{}]", f); }

// C++ for "node n is definitely `want`" (Kleene, as in eval.h Holds()).
std::string Gen(const Program& p, uint32_t n, bool want) {
  const Node& node = p.nodes[n];
  const std::string v = Value(node.finding);
  const std::string known = fmt::format("{} != kU", v);
  switch (node.op) {
    case NodeOp::kAnd:
    case NodeOp::kOr: {
      const bool all = (node.op == NodeOp::kAnd) == want;
      std::string s = "(";
      for (uint32_t c = n + 1; c < node.end; c = p.nodes[c].end) {
        if (s.size() > 1) s += all ? " && " : " || ";
        s += Gen(p, c, want);
      }
      return s + ")";
    }
    case NodeOp::kNot:
      return Gen(p, n + 1, !want);
    case NodeOp::kAtLeast: {
      std::string s = "((";
      uint32_t total = 0;
      for (uint32_t c = n + 1; c < node.end; c = p.nodes[c].end) {
        if (total++) s += " + ";
        s += "int(" + Gen(p, c, want) + ")";
      }
      return want ? fmt::format("{}) >= {})", s, node.k)
                  : fmt::format("{}) > {})", s, total - node.k);
    }
    case NodeOp::kIsUnknown:
      return want ? fmt::format("({} == kU)", v) : fmt::format("({})", known);
    case NodeOp::kIsKnown:
      return want ? fmt::format("({})", known) : fmt::format("({} == kU)", v);
    default:
      break;
  }
  std::string test;
  switch (node.op) {
    case NodeOp::kIsTrue:
      test = fmt::format("{} != 0", v);
      break;
    case NodeOp::kEq:
      test = fmt::format("{} == {}", v, node.operand);
      break;
    case NodeOp::kNe:
      test = fmt::format("{} != {}", v, node.operand);
      break;
    case NodeOp::kLt:
      test = fmt::format("{} < {}", v, node.operand);
      break;
    case NodeOp::kLe:
      test = fmt::format("{} <= {}", v, node.operand);
      break;
    case NodeOp::kGt:
      test = fmt::format("{} > {}", v, node.operand);
      break;
    case NodeOp::kGe:
      test = fmt::format("{} >= {}", v, node.operand);
      break;
    case NodeOp::kIn:
      test = fmt::format("({} >= 0 && {} < 32 && ((0x{:x}u >> {}) & 1u))", v, v,
                         static_cast<uint32_t>(node.operand), v);
      break;
    default:
      break;
  }
  return want ? fmt::format("({} && {})", known, test)
              : fmt::format("({} && !({}))", known, test);
}

// Statements setting the red-flag findings of true atoms in the positive
// part of subtree n (as CollectTrueAtoms with with_knownness = false).
void GenRedFlags(const Program& p, uint32_t n, std::string* out) {
  const Node& node = p.nodes[n];
  if (node.op == NodeOp::kNot || node.op == NodeOp::kIsUnknown ||
      node.op == NodeOp::kIsKnown)
    return;
  if (IsAtom(node.op)) {
    if (p.red_flags.test(node.finding)) {
      *out += fmt::format("      if ({}) rf->set({});\n", Gen(p, n, true),
                          node.finding);
    }
    return;
  }
  for (uint32_t c = n + 1; c < node.end; c = p.nodes[c].end)
    GenRedFlags(p, c, out);
}

// A C++ string literal holding `s` exactly (octal escapes for anything
// but printable ASCII, so no byte can run into the next character).
std::string Lit(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f && c != '?') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\{:03o}", c);
    }
  }
  return out + "\"";
}

std::string Where(const backaid::SourceLocation& w) {
  return fmt::format("{{{}, {}, {}}}", Lit(w.file), w.line, w.column);
}

template <typename T, typename F>
std::string List(const std::vector<T>& v, F f) {
  std::string s = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += f(v[i]);
  }
  return s + "}";
}

std::string Strings(const std::vector<std::string>& v) {
  return List(v, [](const std::string& x) { return Lit(x); });
}

std::string U16s(const std::vector<uint16_t>& v) {
  return List(v, [](uint16_t x) { return std::to_string(x); });
}

// EmbeddedDefinitions(): the knowledge base's definitions as C++, so the
// binary builds its program without parsing YAML (src/knowledge/loader.h).
std::string GenDefinitions(const backaid::KnowledgeBase::Impl& m) {
  using namespace backaid;
  std::string c =
      "std::unique_ptr<KnowledgeBase::Impl> EmbeddedDefinitions() {\n"
      "  auto impl = std::make_unique<KnowledgeBase::Impl>();\n"
      "  KnowledgeBase::Impl& m = *impl;\n";
  c += fmt::format("  m.name = {};\n  m.semver = {};\n  m.version = {};\n",
                   Lit(m.name), Lit(m.semver), Lit(m.version));
  for (size_t i = 0; i < m.levels.size(); ++i) {
    c += fmt::format("  m.levels[{}] = LevelDef{{{}, {}}};\n", i,
                     Lit(m.levels[i].name), Lit(m.levels[i].meaning));
  }
  c += fmt::format("  m.findings.reserve({});\n", m.findings.size());
  for (const FindingDef& f : m.findings) {
    c += "  {\n    FindingDef d;\n";
    c += fmt::format(
        "    d.key = {};\n    d.type = static_cast<FindingType>({});\n"
        "    d.group = {};\n    d.meaning = {};\n    d.min = {};\n"
        "    d.max = {};\n    d.scale = {};\n    d.values = {};\n",
        Lit(f.key), static_cast<int>(f.type), Lit(f.group), Lit(f.meaning),
        f.min, f.max, f.scale, Strings(f.values));
    if (f.normal) c += fmt::format("    d.normal = {};\n", *f.normal);
    c += fmt::format("    d.red_flag = {};\n    d.where = {};\n",
                     f.red_flag ? "true" : "false", Where(f.where));
    c += "    m.findings.push_back(std::move(d));\n  }\n";
  }
  for (const ConditionDef& d : m.conditions) {
    c += fmt::format(
        "  m.conditions.push_back(ConditionDef{{{}, {}, {}, {}u, {}, {}}});\n",
        Lit(d.id), Lit(d.name), Lit(d.description), d.covered_by,
        Strings(d.sources), Where(d.where));
  }
  for (const ServiceDef& d : m.services) {
    c += fmt::format("  m.services.push_back(ServiceDef{{{}, {}}});\n",
                     Lit(d.id), Lit(d.name));
  }
  for (const SourceDef& d : m.sources) {
    c += fmt::format(
        "  m.sources.push_back(SourceDef{{{}, {}, {}, {}, {}, {}, {}}});\n",
        Lit(d.id), Lit(d.kind), Lit(d.title), Lit(d.cite), Lit(d.publisher),
        Lit(d.year), Where(d.where));
  }
  for (const RuleDef& d : m.rules) {
    c += fmt::format(
        "  m.rules.push_back(RuleDef{{{}, {}, {}, "
        "static_cast<TriageLevel>({}), "
        "{}u, {}, {}, {}, {}}});\n",
        Lit(d.id), Lit(d.when), Lit(d.unless), static_cast<int>(d.level),
        d.conditions, U16s(d.see), Lit(d.reason), U16s(d.sources),
        Where(d.where));
  }
  for (const ConflictDef& d : m.conflicts) {
    c += fmt::format(
        "  m.conflicts.push_back(ConflictDef{{{}, {}, {}, {}, {}, {}}});\n",
        Lit(d.id), Lit(d.topic), Strings(d.positions), Lit(d.decision),
        U16s(d.sources), Where(d.where));
  }
  // How the questionnaire asks each finding (OpenQuestions), so that a
  // triage never parses questions.yaml.
  c += fmt::format("  m.asked_as.resize({});\n", m.asked_as.size());
  for (size_t f = 0; f < m.asked_as.size(); ++f) {
    if (m.asked_as[f].question.empty()) continue;
    c += fmt::format("  m.asked_as[{}] = {{{}, {}}};\n", f,
                     Lit(m.asked_as[f].question), Lit(m.asked_as[f].text));
  }
  return c + "  return impl;\n}\n\n";
}

}  // namespace
}  // namespace backaid::kb

int main(int argc, char** argv) {
  using namespace backaid::kb;
  if (argc != 3) {
    std::fprintf(stderr, "usage: backaid_kbc KNOWLEDGE_DIR OUT.cc\n");
    return 2;
  }
  auto files = ReadKnowledgeDir(argv[1]);
  if (!files.ok()) {
    std::fprintf(stderr, "backaid_kbc: %s\n", files.status().message().c_str());
    return 1;
  }
  BuildOutput built = Build(*files);
  std::string code =
      "// Generated by backaid_kbc from knowledge/. Do not edit.\n"
      "#include <cstring>\n#include <memory>\n\n"
      "#include \"src/knowledge/compiled.h\"\n"
      "#include \"src/knowledge/loader.h\"\n"
      "#include \"src/knowledge/program.h\"\n\n"
      "namespace backaid::kb {\n\n";
  if (!built.issues.empty() || !built.impl) {
    // The built-in knowledge base must lint clean: the binary trusts it
    // without linting it again at every start (EmbeddedDefinitions).
    std::fprintf(stderr,
                 "backaid_kbc: the knowledge base in %s does not lint clean "
                 "(%zu problem%s); fix it (`backaid kb lint --kb %s` lists "
                 "them too):\n",
                 argv[1], built.issues.size(),
                 built.issues.size() == 1 ? "" : "s", argv[1]);
    for (const auto& i : built.issues)
      std::fprintf(stderr, "  %s\n", i.ToString().c_str());
    return 1;
  } else {
    const auto& impl = *built.impl;
    const Program& p = impl.program;
    code += fmt::format("const char* const kCompiledRulesVersion = \"{}\";\n\n",
                        impl.version);
    code +=
        "namespace {\n\nconstexpr int32_t kU = kUnknown;\n\n"
        "size_t Run(const int32_t* v, uint16_t* fired, FindingSet* rf) {\n"
        "  size_t n = 0;\n";
    for (size_t i = 0; i < p.rules.size(); ++i) {
      const CompiledRule& r = p.rules[i];
      code += fmt::format("  // {}\n  if ({}", impl.rules[i].id,
                          Gen(p, r.when, true));
      if (r.unless != kNoNode)
        code += fmt::format("\n      && !{}", Gen(p, r.unless, true));
      code += fmt::format(") {{\n    fired[n++] = {};\n", i);
      if (r.may_name_red_flags) {
        std::string flags;
        GenRedFlags(p, r.when, &flags);
        code += flags;
      }
      code += "  }\n";
    }
    code +=
        "  return n;\n}\n\n}  // namespace\n\n"
        "CompiledRulesFn CompiledRulesFor(const char* version) {\n"
        "  return std::strcmp(version, kCompiledRulesVersion) == 0 ? &Run "
        ": nullptr;\n}\n\n";
    code += GenDefinitions(impl);
    code += "}  // namespace backaid::kb\n";
  }
  const std::string out_path = argv[2];
  std::ifstream old(out_path);
  std::stringstream existing;
  existing << old.rdbuf();
  if (existing.str() == code) return 0;  // keep the timestamp: no rebuild
  std::ofstream out(out_path, std::ios::trunc);
  out << code;
  return out.good() ? 0 : 1;
}
