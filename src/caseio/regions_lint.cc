// The regional wording lint: see regions_lint.h.
#include "src/caseio/regions_lint.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "src/knowledge/extension.h"
#include "src/knowledge/yaml_lint.h"

namespace backaid::kb {

bool IsTermName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  return true;
}

bool FindsFinding(const KnowledgeBase::Impl& impl, std::string_view key) {
  for (const FindingDef& f : impl.findings)
    if (f.key == key) return true;
  return false;
}

// The names inside "{...}" in `text`, in order (regions::ScanPlaceholders,
// the grammar RegionText fills).
std::vector<std::string> Placeholders(std::string_view text) {
  std::vector<std::string> out;
  for (const regions::PlaceholderAt& p : regions::ScanPlaceholders(text))
    out.emplace_back(p.name);
  return out;
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

namespace {

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
  const KnowledgeBase::Impl* impl;
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
  // A brace outside a placeholder would reach the person as it is
  // ("{{doctor}}": RegionText fills only what ScanPlaceholders finds).
  if (!regions::StrayBraces(text).empty()) {
    issue(
        "a '{' or '}' that is not part of a placeholder ('{term}': a "
        "letter, then letters, digits or underscores) would be shown as "
        "it is");
  }
  for (const regions::PlaceholderAt& p : regions::ScanPlaceholders(text)) {
    const std::string as_written(p.name);
    std::string name = as_written;
    name[0] =
        static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    // The call script's "{finding}" (a line's `known` finding), checked
    // with the script.
    if (in_script && FindsFinding(*u.impl, as_written)) continue;
    if (!IsTermName(name)) {
      issue("'{" + as_written +
            "}' is not a placeholder any front fills (a term is lower-case "
            "letters and underscores, '{Term}' for a capital)");
      continue;
    }
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
      // kb.yaml's services are named to the person in the region's words
      // (RegionText at every front that names them): their names may use
      // terms ("Your {doctor}"), the rest of the core may not.
      if (u.core && *u.file == "kb.yaml" && key == "services") {
        TermUse services = u;
        services.core = false;
        LintNode(services, kv.second, terms, script);
        continue;
      }
      LintNode(u, kv.second, terms, script);
    }
  }
}

}  // namespace

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
                      issues,    &impl};
    LintNode(use, doc, false, false);
  }
}

}  // namespace backaid::kb
