// A question's options in knowledge/questions.yaml (the roles, the findings
// each answer sets, "not sure") and, for a checklist, what an unticked item
// records and its lint (QuestionsLoader, questions_loader.h).
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/assess/questions_loader.h"

namespace backaid::kb {

using assess::OptionDef;
using assess::QuestionDef;
using assess::Questionnaire;
using assess::Setting;

bool QuestionsLoader::LoadOptions(const YAML::Node& n, const std::string& what,
                                  QuestionDef* def) {
  const YAML::Node list = n["options"];
  if (!list.IsSequence() || list.size() < 2) {
    At(list.IsDefined() ? list : n,
       fmt::format("{}: needs an 'options' list of at least two", what));
    return false;
  }
  const bool checklist = def->view.kind == QuestionKind::kChecklist;
  bool ok = true;
  int nones = 0, unsures = 0;
  std::set<std::string> ids;
  for (const auto& o : list) {
    if (!o.IsMap()) {
      At(o, fmt::format("{}: an option must be a mapping", what));
      ok = false;
      continue;
    }
    CheckKeys(o, {"id", "label", "sets", "role"}, "an option");
    QuestionOption view;
    OptionDef opt;
    if (!Text(o, "id", &view.id, true, what + " option")) {
      ok = false;
      continue;
    }
    const std::string owhat = fmt::format("{} option {}", what, view.id);
    if (!ids.insert(view.id).second) {
      At(o["id"], fmt::format("{}: duplicate option id '{}'", what, view.id));
      ok = false;
    }
    ok &= Text(o, "label", &view.label, true, owhat);
    std::string role = "answer";
    if (o["role"].IsDefined()) Text(o, "role", &role, true, owhat);
    if (role == "none") {
      view.role = OptionRole::kNone;
      ++nones;
      if (!checklist) {
        At(o["role"], fmt::format("{}: role 'none' is only for "
                                  "checklists",
                                  owhat));
        ok = false;
      }
    } else if (role == "unsure") {
      view.role = OptionRole::kUnsure;
      ++unsures;
    } else if (role != "answer") {
      At(o["role"], fmt::format("{}: role must be answer, none or unsure, "
                                "not '{}'",
                                owhat, role));
      ok = false;
    }
    if (view.id == kNotSure && view.role != OptionRole::kUnsure) {
      At(o["id"], fmt::format("{}: the id '{}' is reserved for \"not "
                              "sure\" options",
                              owhat, kNotSure));
      ok = false;
    }
    const YAML::Node sets = o["sets"];
    if (sets.IsDefined() && !sets.IsNull()) {
      if (!sets.IsMap()) {
        At(sets, fmt::format("{}: 'sets' must map findings to values", owhat));
        ok = false;
      } else {
        for (const auto& kv : sets) {
          FindingId id = 0;
          const FindingDef* f = Finding(kv.first, owhat, &id);
          if (!f) {
            ok = false;
            continue;
          }
          auto v = Encode(*f, kv.second, owhat);
          if (!v) {
            ok = false;
            continue;
          }
          opt.sets.emplace_back(id, *v);
        }
      }
    }
    if (view.role == OptionRole::kUnsure) {
      // "Not sure" never answers a finding: it may only record that the
      // person said so (findings of group said_not_sure, set to true), so
      // the knowledge base can decide what follows.
      for (const Setting& st : opt.sets) {
        const FindingDef& f = impl_.findings[st.first];
        if (f.group != "said_not_sure" || f.type != FindingType::kBool ||
            st.second != 1) {
          At(sets, fmt::format("{}: a \"not sure\" option may only set "
                               "findings of group said_not_sure to true, "
                               "not '{}'",
                               owhat, f.key));
          ok = false;
        }
      }
    }
    if (view.role == OptionRole::kAnswer && opt.sets.empty() && ok) {
      At(o, fmt::format("{}: an answer must set at least one finding", owhat));
      ok = false;
    }
    def->view.options.push_back(std::move(view));
    def->options.push_back(std::move(opt));
  }
  if (checklist && (nones != 1 || unsures != 1)) {
    At(list, fmt::format("{}: a checklist needs exactly one 'none' option "
                         "and one 'unsure' option",
                         what));
    ok = false;
  }
  if (!checklist && unsures > 1) {
    At(list, fmt::format("{}: more than one 'unsure' option", what));
    ok = false;
  }
  if (checklist) {
    // What an unticked item means. An answer records only what it states:
    // the normal value of a finding only when the checklist's items cover
    // every abnormal value of it; otherwise the values the items name are
    // only ruled out (excludes).
    std::vector<std::pair<FindingId, uint32_t>> named;  // values named
    // (A "not sure" item's said_not_sure finding, left unticked, is
    // false: the person did not say so.)
    for (size_t i = 0; i < def->options.size(); ++i) {
      if (def->view.options[i].role == OptionRole::kNone) continue;
      for (const Setting& s : def->options[i].sets) {
        auto it = std::find_if(named.begin(), named.end(), [&](const auto& x) {
          return x.first == s.first;
        });
        const uint32_t bit =
            s.second >= 0 && s.second < 32 ? 1u << s.second : 0u;
        if (it == named.end()) {
          named.emplace_back(s.first, bit);
        } else {
          it->second |= bit;
        }
      }
    }
    for (const auto& [id, mask] : named) {
      const FindingDef& f = impl_.findings[id];
      if (!f.normal) {
        At(list, fmt::format("{}: finding '{}' has no normal value, so a "
                             "checklist cannot say what leaving it "
                             "unticked means",
                             what, f.key));
        ok = false;
        continue;
      }
      const uint32_t abnormal = assess::AbnormalMask(f);
      if (abnormal != 0 && (abnormal & ~mask) == 0) {
        def->normals.emplace_back(id, *f.normal);
      } else {
        def->excludes.emplace_back(id, mask & abnormal);
      }
    }
    ok &= LintUntickedNormals(*def, list, what);
  }
  return ok;
}

// Lint: what a checklist records without a tick. An unticked item (or
// "none of these") may give a finding its normal value only when the
// checklist's items cover every abnormal value of it: not ticking "new
// weakness in both legs" says "not both legs", not "no weakness". A
// "none of these" extra for a finding the items name only in part is an
// error; one for a finding no item names states a consequence of "none of
// these" (e.g. no colicky side pain when there is no side pain).
bool QuestionsLoader::LintUntickedNormals(const QuestionDef& def,
                                          const YAML::Node& at,
                                          std::string_view what) {
  bool ok = true;
  for (const Setting& s : def.normals) {
    const FindingDef& f = impl_.findings[s.first];
    uint32_t named = 0;
    for (size_t i = 0; i < def.options.size(); ++i) {
      if (def.view.options[i].role == OptionRole::kNone) continue;
      for (const Setting& t : def.options[i].sets)
        if (t.first == s.first && t.second >= 0 && t.second < 32)
          named |= 1u << t.second;
    }
    const uint32_t abnormal = assess::AbnormalMask(f);
    if (abnormal == 0 || (abnormal & ~named) != 0) {
      At(at, fmt::format("{}: leaving it unticked would record '{}' as {} "
                         "though its items do not name every abnormal value",
                         what, f.key, ValueToString(f, s.second)));
      ok = false;
    }
  }
  for (size_t i = 0; i < def.options.size(); ++i) {
    if (def.view.options[i].role != OptionRole::kNone) continue;
    for (const Setting& s : def.options[i].sets) {
      for (const auto& [id, mask] : def.excludes) {
        if (id != s.first) continue;
        const FindingDef& f = impl_.findings[id];
        if (f.normal && s.second == *f.normal) {
          At(at, fmt::format("{}: \"{}\" records '{}' as {}, but the "
                             "checklist names only some of its abnormal "
                             "values: an answer records only what it states",
                             what, def.view.options[i].id, f.key,
                             ValueToString(f, s.second)));
          ok = false;
        }
      }
    }
  }
  return ok;
}

}  // namespace backaid::kb
