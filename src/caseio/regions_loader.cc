// Loads and lints knowledge/regions.yaml (see regions.h) and answers the
// regional questions of include/backaid/report.h from it.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>

#include "backaid/assess.h"
#include "backaid/report.h"
#include "src/caseio/regions.h"
#include "src/knowledge/extension.h"
#include "src/knowledge/loader.h"
#include "src/knowledge/program.h"
#include "src/knowledge/yaml_lint.h"

namespace backaid::kb {
namespace {

constexpr char kRegionsFile[] = "regions.yaml";

bool IsTermName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  return true;
}

// Plain words: no braces, quotes, backslashes, angle brackets or control
// characters, so the text can go into JSON, HTML or iCalendar as it is.
bool IsPlainWords(std::string_view text) {
  for (char c : text) {
    if (c == '{' || c == '}' || c == '"' || c == '\\' || c == '<' || c == '>' ||
        static_cast<unsigned char>(c) < 0x20)
      return false;
  }
  return true;
}

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// Whether `word` stands alone in `text` (not inside a longer word or
// number: "NG111" and "NHS" in "NHSX" do not count).
bool NamesWord(std::string_view text, std::string_view word) {
  for (size_t at = text.find(word); at != std::string_view::npos;
       at = text.find(word, at + 1)) {
    const bool before = at > 0 && IsWordChar(text[at - 1]);
    const size_t end = at + word.size();
    const bool after = end < text.size() && IsWordChar(text[end]);
    if (!before && !after) return true;
  }
  return false;
}

// Keys whose values are not words a person reads: ids, conditions,
// references, codes.
bool IsNotText(const std::string& key) {
  static const std::set<std::string> kKeys = {
      "id",       "when",      "unless",
      "ask_when", "sources",   "source",
      "cite",     "file",      "url",
      "key",      "finding",   "findings",
      "sets",     "conflict",  "level",
      "see",      "code",      "system",
      "values",   "countries", "emergency_number",
      "schedule", "excludes",  "requires",
      "words"};
  return kKeys.count(key) > 0;
}

// The files whose texts reach a person through RegionText (regions.yaml's
// header says so); a conflict's decision is shown inside a plan item.
bool GivenInRegionsWords(const std::string& path) {
  return path == "plan.yaml" || path == "questions.yaml" ||
         path == "diary.yaml" || path == kRegionsFile ||
         path == "conflicts.yaml";
}

struct TermUse {
  const std::string* file;
  bool core;        // a core file: region-neutral, no terms
  bool as_is;       // another file, shown as it is (orders.yaml): no terms
  bool attributed;  // conflicts.yaml: names its sources (the NHS included)
  const regions::RegionModel* model;
  std::vector<std::string> numbers;  // every region's emergency number
  std::vector<LintIssue>* issues;
};

// `in_script`: a text of regions.yaml's emergency_call_script, the only
// place whose front fills "{signs}".
void LintScalar(const TermUse& u, const YAML::Node& n, bool in_script) {
  const std::string& text = n.Scalar();
  auto issue = [&](const std::string& msg) {
    const YAML::Mark m = n.Mark();
    u.issues->push_back(
        LintIssue{SourceLocation{*u.file, m.line + 1, m.column + 1}, msg});
  };
  for (size_t open = text.find('{'); open != std::string::npos;
       open = text.find('{', open + 1)) {
    const size_t close = text.find('}', open);
    if (close == std::string::npos) break;
    const std::string as_written = text.substr(open + 1, close - open - 1);
    std::string name = as_written;
    if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0])))
      continue;
    name[0] =
        static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    if (!IsTermName(name)) continue;
    if (u.core) {
      issue("'{" + name +
            "}': the core files are region-neutral (the triage result "
            "carries their texts as they are); say it in words every "
            "region reads alike");
      continue;
    }
    if (u.as_is) {
      issue("'{" + name + "}': " + *u.file +
            " is shown as it is, not in a region's words (only plan.yaml, "
            "questions.yaml, diary.yaml, regions.yaml and a conflict's "
            "decision are); say it in words every region reads alike");
      continue;
    }
    // Filled by the front, not a region's word: the emergency number, and
    // the warning signs found in the call script (regions.yaml); anywhere
    // else "{signs}" would be shown as it is. The page fills them as
    // written (GET /v1/vocabulary keeps them): lower-case only.
    if ((name == "number" || name == "signs") && as_written != name) {
      issue("'{" + as_written + "}': write '{" + name +
            "}' (the page fills it only in lower case)");
      continue;
    }
    if (name == "number" || (name == "signs" && in_script)) continue;
    if (name == "signs") {
      issue(
          "'{signs}' is filled only in regions.yaml's "
          "emergency_call_script (the warning signs found); here it "
          "would be shown as it is");
      continue;
    }
    for (const auto& r : u.model->regions) {
      bool has = false;
      for (const auto& t : r.terms) has = has || t.name == name;
      if (!has) {
        issue("'{" + name + "}' is not a term of region " + r.id +
              " (regions.yaml terms)");
      }
    }
  }
  if (u.attributed) return;
  bool words = false;  // a number alone is not a text
  for (char c : text)
    words = words || std::isalpha(static_cast<unsigned char>(c));
  if (!words) return;
  for (std::string_view word : {"NHS", "111"}) {
    if (NamesWord(text, word)) {
      issue("names '" + std::string(word) +
            "' outside a term: a UK service would reach every region; use "
            "a term of regions.yaml (e.g. '{advice_line}')");
    }
  }
  for (const std::string& number : u.numbers) {
    if (NamesWord(text, number)) {
      issue("names the emergency number " + number +
            " outside a region: use '{number}' (regions.yaml)");
    }
  }
}

void LintNode(const TermUse& u, const YAML::Node& n, bool in_terms,
              bool in_script) {
  if (n.IsScalar()) {
    if (!in_terms) LintScalar(u, n, in_script);
  } else if (n.IsSequence()) {
    for (const auto& item : n) LintNode(u, item, in_terms, in_script);
  } else if (n.IsMap()) {
    for (const auto& kv : n) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (IsNotText(key)) continue;
      // regions.yaml's own wording of each term is the regional text.
      const bool terms = in_terms || (*u.file == kRegionsFile &&
                                      (key == "terms" || key == "name"));
      const bool script = in_script || (*u.file == kRegionsFile &&
                                        key == "emergency_call_script");
      LintNode(u, kv.second, terms, script);
    }
  }
}

// Every text of every file: a "{term}" is worded by every region, and no
// text names a UK service (NHS, 111) or an emergency number outside the
// regional wording, so nothing of one region reaches another. sources.yaml
// is a bibliography (titles name their publishers) and is not read.
void LintTermUse(const std::vector<KbFile>& files,
                 const KnowledgeBase::Impl& impl,
                 const regions::RegionModel& model,
                 std::vector<LintIssue>* issues) {
  std::vector<std::string> numbers;
  for (const auto& r : model.regions)
    if (!r.emergency_number.empty()) numbers.push_back(r.emergency_number);
  for (size_t i = 0; i < files.size(); ++i) {
    const KbFile& f = files[i];
    bool later = false;  // the last file of a name wins
    for (size_t j = i + 1; j < files.size(); ++j)
      later = later || files[j].path == f.path;
    if (later || f.path == "sources.yaml") continue;
    if (f.path.size() < 5 || f.path.substr(f.path.size() - 5) != ".yaml")
      continue;
    YAML::Node doc;
    try {
      doc = YAML::Load(f.content);
    } catch (const YAML::Exception&) {
      continue;  // reported by the core loader
    }
    // conflicts.yaml records what each source says, naming it (the NHS
    // too); its decisions reach a person only inside a plan item, which
    // is in the region's words, so they may use terms.
    const bool conflicts = f.path == "conflicts.yaml";
    const bool core = !conflicts && !IsExtensionFile(impl.extensions, f.path);
    const TermUse use{&f.path,   core,   !core && !GivenInRegionsWords(f.path),
                      conflicts, &model, numbers,
                      issues};
    LintNode(use, doc, false, false);
  }
}

std::shared_ptr<const void> LoadRegions(const YAML::Node& doc,
                                        const ExtensionContext& ctx) {
  const KnowledgeBase::Impl* impl = &ctx.core;
  std::vector<LintIssue>* issues = ctx.issues;
  constexpr const char* kFile = kRegionsFile;
  auto issue = [&](const YAML::Node& n, std::string msg) {
    const YAML::Mark m = n.Mark();
    issues->push_back(
        LintIssue{SourceLocation{kFile, m.line + 1, m.column + 1}, msg});
  };
  if (!doc.IsMap()) {
    issue(doc,
          "the file must be a map with 'regions', 'default', 'headlines', "
          "'emergency_advice' and 'before_you_start'");
    return nullptr;
  }
  const size_t before = issues->size();
  auto out = std::make_shared<regions::RegionModel>();
  std::unordered_map<std::string, uint16_t> source_index;
  for (size_t i = 0; i < impl->sources.size(); ++i)
    source_index[impl->sources[i].id] = static_cast<uint16_t>(i);
  auto text = [&](const YAML::Node& parent, const char* key,
                  const std::string& what) -> std::string {
    const YAML::Node n = parent[key];
    if (!n || !n.IsScalar() || n.Scalar().empty()) {
      issue(n ? n : parent, what + ": '" + key + "' (text) is required");
      return "";
    }
    return n.Scalar();
  };
  auto sources = [&](const YAML::Node& parent, const std::string& what) {
    std::vector<uint16_t> ids;
    const YAML::Node n = parent["sources"];
    if (!n || !n.IsSequence() || n.size() == 0) {
      issue(n ? n : parent, what +
                                " has no sources: every regional text "
                                "must cite one (see sources.yaml)");
      return ids;
    }
    for (const auto& s : n) {
      auto it = source_index.find(s.IsScalar() ? s.Scalar() : "");
      if (it == source_index.end()) {
        issue(s, "unknown source '" + (s.IsScalar() ? s.Scalar() : "") +
                     "' (see sources.yaml)");
      } else {
        ids.push_back(it->second);
      }
    }
    return ids;
  };
  auto only_keys = [&](const YAML::Node& n, std::set<std::string> allowed,
                       const std::string& what) {
    for (const auto& kv : n) {
      const std::string k = kv.first.Scalar();
      if (!allowed.count(k))
        issue(kv.first, what + ": unknown key '" + k + "'");
    }
  };
  auto wording = [&](const char* key) {
    regions::Wording w;
    const YAML::Node n = doc[key];
    if (!n || !n.IsMap()) {
      issue(n ? n : doc,
            std::string(key) + ": {id, text, sources} is required");
      return w;
    }
    only_keys(n, {"id", "text", "sources"}, key);
    w.id = text(n, "id", key);
    w.text = text(n, "text", key);
    w.sources = sources(n, key);
    if (w.text.find("{number}") == std::string::npos) {
      issue(n, std::string(key) +
                   ": the text must give the emergency number "
                   "('{number}')");
    }
    return w;
  };
  only_keys(doc,
            {"regions", "default", "headlines", "emergency_advice",
             "before_you_start", "emergency_call_script"},
            "regions.yaml");
  const YAML::Node list = doc["regions"];
  if (!list || !list.IsSequence() || list.size() == 0) {
    issue(list ? list : doc, "regions: a non-empty list is required");
  } else {
    std::set<std::string> seen;
    for (const auto& r : list) {
      if (!r.IsMap()) {
        issue(r, "each region is {id, name, emergency_number, sources}");
        continue;
      }
      only_keys(
          r,
          {"id", "name", "emergency_number", "countries", "sources", "terms"},
          "region");
      regions::RegionDef def;
      def.id = text(r, "id", "region");
      def.name = text(r, "name", "region " + def.id);
      // The name goes into the page's HTML as it is (the <noscript> text
      // of index.html lists every region's number and name).
      if (!IsPlainWords(def.name)) {
        issue(r["name"], "region " + def.id +
                             ": a region's name is plain words (no braces, "
                             "quotes, backslashes, angle brackets or line "
                             "breaks)");
      }
      def.emergency_number = text(r, "emergency_number", "region " + def.id);
      def.sources = sources(r, "region " + def.id);
      if (const YAML::Node c = r["countries"]) {
        if (!c.IsSequence()) {
          issue(c, "region " + def.id + ": countries is a list of ISO codes");
        } else {
          for (const auto& code : c) {
            const std::string v = code.IsScalar() ? code.Scalar() : "";
            if (v.size() != 2 ||
                !std::isupper(static_cast<unsigned char>(v[0])) ||
                !std::isupper(static_cast<unsigned char>(v[1]))) {
              issue(code, "region " + def.id +
                              ": a country is two capital letters (ISO "
                              "3166-1 alpha-2)");
            }
            def.countries.push_back(v);
          }
        }
      }
      if (const YAML::Node t = r["terms"]) {
        if (!t.IsMap()) {
          issue(t, "region " + def.id +
                       ": terms is a map of term: {text, sources}");
        } else {
          for (const auto& kv : t) {
            const std::string name = kv.first.Scalar();
            const std::string what = "region " + def.id + ", term " + name;
            if (!IsTermName(name) || name == "number" || name == "signs") {
              issue(kv.first, what +
                                  ": a term's name is lower-case letters and "
                                  "'_' ('number' is the emergency number)");
            }
            if (!kv.second.IsMap()) {
              issue(kv.second, what + ": {text, sources} is required");
              continue;
            }
            only_keys(kv.second, {"text", "sources"}, what);
            regions::TermDef term{name, text(kv.second, "text", what),
                                  sources(kv.second, what)};
            if (!IsPlainWords(term.text)) {
              issue(kv.second["text"],
                    what +
                        ": a term's text is plain words (no braces, "
                        "quotes, backslashes, angle brackets or line "
                        "breaks)");
            }
            def.terms.push_back(std::move(term));
          }
        }
      }
      for (char c : def.emergency_number) {
        if (c < '0' || c > '9') {
          issue(r["emergency_number"],
                "region " + def.id + ": emergency_number must be digits");
          break;
        }
      }
      if (!seen.insert(def.id).second) {
        issue(r, "region '" + def.id + "' is listed twice");
      }
      out->regions.push_back(std::move(def));
    }
  }
  // Every region words every term: a text using one must read right
  // wherever the person is.
  std::set<std::string> all_terms;
  for (const auto& r : out->regions)
    for (const auto& t : r.terms) all_terms.insert(t.name);
  for (size_t i = 0; list && list.IsSequence() && i < out->regions.size();
       ++i) {
    for (const std::string& name : all_terms) {
      bool has = false;
      for (const auto& t : out->regions[i].terms) has = has || t.name == name;
      if (!has) {
        issue(list[i], "region " + out->regions[i].id +
                           " does not define the term '" + name +
                           "' that another region defines");
      }
    }
  }
  if (ctx.files != nullptr) LintTermUse(*ctx.files, *impl, *out, issues);
  const YAML::Node def = doc["default"];
  bool found = false;
  for (size_t i = 0; def && def.IsScalar() && i < out->regions.size(); ++i) {
    if (out->regions[i].id == def.Scalar()) {
      out->default_region = i;
      found = true;
    }
  }
  if (!found) issue(def ? def : doc, "default: one of the regions' ids");
  const YAML::Node heads = doc["headlines"];
  if (!heads || !heads.IsMap()) {
    issue(heads ? heads : doc, "headlines: one text per level is required");
  } else {
    std::set<std::string> levels;
    for (int l = 0; l < kLevelCount; ++l) {
      const auto level = static_cast<TriageLevel>(l);
      const std::string name(LevelName(level));
      levels.insert(name);
      out->headlines[l] = text(heads, name.c_str(), "headlines");
    }
    only_keys(heads, levels, "headlines");
  }
  out->emergency_advice = wording("emergency_advice");
  out->before_you_start = wording("before_you_start");
  // Optional: what to tell the call handler.
  if (const YAML::Node n = doc["emergency_call_script"]) {
    constexpr char kWhat[] = "emergency_call_script";
    regions::CallScript& cs = out->call_script;
    if (!n.IsMap()) {
      issue(n, std::string(kWhat) + ": {id, title, lines, sources}");
    } else {
      only_keys(n, {"id", "title", "lines", "sources"}, kWhat);
      cs.id = text(n, "id", kWhat);
      cs.title = text(n, "title", kWhat);
      cs.sources = sources(n, kWhat);
      const YAML::Node lines = n["lines"];
      if (!lines || !lines.IsSequence() || lines.size() == 0) {
        issue(lines ? lines : n,
              std::string(kWhat) + ": 'lines' (a non-empty list) is required");
      } else {
        for (const auto& l : lines) {
          if (!l.IsMap()) {
            issue(l, std::string(kWhat) + ": each line is {text, when?}");
            continue;
          }
          only_keys(l, {"text", "when"}, std::string(kWhat) + " line");
          regions::CallScriptLine line;
          line.text = text(l, "text", std::string(kWhat) + " line");
          if (const YAML::Node w = l["when"]) {
            line.when = w.IsScalar() ? w.Scalar() : "";
            bool is_bool = false;
            for (const FindingDef& f : impl->findings)
              if (f.key == line.when && f.type == FindingType::kBool)
                is_bool = true;
            if (!is_bool) {
              issue(w, std::string(kWhat) + ": when: '" + line.when +
                           "' is not a yes/no finding (findings.yaml)");
            }
          }
          cs.lines.push_back(std::move(line));
        }
      }
    }
  }
  if (issues->size() != before) return nullptr;
  return out;
}

}  // namespace
}  // namespace backaid::kb

namespace backaid::regions {

// Regions, emergency numbers and level headlines for the fronts; optional
// so that the small test knowledge bases load (without it a front says
// "the emergency number").
extern const kb::Extension kRegionsExtension;
const kb::Extension kRegionsExtension{kb::kRegionsFile,
                                      "regions and emergency numbers",
                                      /*required=*/false, &kb::LoadRegions};

const RegionModel* RegionsOf(const KnowledgeBase& kb) {
  return kb::ModelOf<RegionModel>(kb, kb::kRegionsFile);
}

}  // namespace backaid::regions

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
// its name in words ("{advice_line}": "advice line").
std::string Substitute(const KnowledgeBase& kb, std::string_view region,
                       std::string_view text, bool keep_number) {
  if (text.find('{') == std::string_view::npos) return std::string(text);
  const regions::RegionDef* r = Find(kb, region);
  std::string out;
  out.reserve(text.size() + 16);
  size_t from = 0;
  for (size_t open = text.find('{'); open != std::string_view::npos;
       open = text.find('{', from)) {
    const size_t close = text.find('}', open);
    if (close == std::string_view::npos) break;
    std::string name(text.substr(open + 1, close - open - 1));
    const bool capital =
        !name.empty() && std::isupper(static_cast<unsigned char>(name[0]));
    if (capital)
      name[0] =
          static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    std::optional<std::string> word;
    if (name == "number") {
      if (!keep_number) word = EmergencyNumber(kb, region);
    } else if (r != nullptr) {
      for (const auto& t : r->terms)
        if (t.name == name) word = t.text;
    } else if (!name.empty() &&
               name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") ==
                   std::string::npos) {
      word = name;
      std::replace(word->begin(), word->end(), '_', ' ');
    }
    out.append(text.substr(from, open - from));
    if (word) {
      if (capital && !word->empty())
        (*word)[0] = static_cast<char>(
            std::toupper(static_cast<unsigned char>((*word)[0])));
      out += *word;
    } else {
      out.append(text.substr(open, close + 1 - open));
    }
    from = close + 1;
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
