// Loads and lints knowledge/plan.yaml into KnowledgeBase::Impl::plan.
//
// Every problem is a LintIssue against "plan.yaml" with the line of the
// offending YAML node: unknown keys, missing or empty fields, unknown
// sections, levels, sources, conflicts and findings, expressions that do not
// parse or type-check, duplicate ids, bad timings, and the safety
// invariants (every level has an unconditional safety net; the emergency
// level has an unconditional "call the emergency number" item, marked
// `role: emergency_call`; urgent and emergency plans only hold "now" and
// safety-net advice; timed activities are for self_care and routine only).
// `sections` heads every section, in reading order: no heading is code.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "src/knowledge/extension.h"
#include "src/knowledge/program.h"
#include "src/knowledge/yaml_lint.h"
#include "src/plan/plan_model.h"

namespace backaid::kb {
namespace {

constexpr char kFile[] = "plan.yaml";

constexpr std::string_view kSectionNames[] = {
    "now",        "ice_heat", "activity",   "medicines", "exercises",
    "prevention", "avoid",    "safety_net", "follow_up"};

class PlanLinter : public YamlLint {
 public:
  PlanLinter(const KnowledgeBase::Impl& impl, std::vector<LintIssue>* issues)
      : YamlLint(kFile, issues), impl_(impl) {
    for (size_t i = 0; i < impl.sources.size(); ++i)
      sources_[impl.sources[i].id] = static_cast<uint16_t>(i);
    for (size_t i = 0; i < impl.conflicts.size(); ++i)
      conflicts_[impl.conflicts[i].id] = static_cast<int>(i);
  }

  std::unique_ptr<plan::PlanModel> Run(const YAML::Node& doc) {
    auto model = std::make_unique<plan::PlanModel>();
    if (!doc.IsMap()) {
      At(doc, "plan.yaml must be a mapping with 'items' and 'activities'");
      return model;
    }
    CheckKeys(doc, {"sections", "items", "activities", "safety_net"},
              "plan.yaml");
    LoadSections(doc, model.get());
    const YAML::Node items = doc["items"];
    if (!items.IsDefined() || !items.IsSequence() || items.size() == 0) {
      At(items.IsDefined() ? items : doc, "plan.yaml needs an 'items' list");
    } else {
      for (const auto& n : items) LoadItem(n, model.get());
    }
    const YAML::Node acts = doc["activities"];
    if (acts.IsDefined() && !acts.IsNull()) {
      if (!acts.IsSequence()) {
        At(acts, "'activities' must be a list");
      } else {
        for (const auto& n : acts) LoadActivity(n, model.get());
      }
    }
    for (const auto& ref : schedule_refs_) {
      // Not a structured binding: clang 14 (the fuzz build) cannot capture
      // one in a lambda.
      const auto& id = ref.first;
      const auto& node = ref.second;
      const bool found =
          std::any_of(model->activities.begin(), model->activities.end(),
                      [&](const plan::ActivityModel& a) { return a.id == id; });
      if (!found) {
        At(node, fmt::format("'schedule' names '{}', which is not an "
                             "activity",
                             id));
      }
    }
    const YAML::Node net = doc["safety_net"];
    if (net.IsDefined() && !net.IsNull()) LoadNet(net, model.get());
    // Every level must have a safety net that always shows.
    for (int l = 0; l < kLevelCount; ++l) {
      const auto level = static_cast<TriageLevel>(l);
      const bool has =
          std::any_of(model->items.begin(), model->items.end(),
                      [&](const plan::ItemModel& it) {
                        return it.section == PlanSection::kSafetyNet &&
                               (it.levels & plan::LevelBit(level)) &&
                               !it.condition.when && !it.condition.unless &&
                               it.red_flags == plan::RedFlagGate::kAny;
                      });
      if (!has) {
        At(doc, fmt::format("level '{}' has no unconditional safety_net item: "
                            "every plan must say when to get help",
                            LevelName(level)));
      }
    }
    // The emergency level's own call item, which a result at emergency
    // replaces by the region's emergency advice (WhatToDoNow): without its
    // role the person would read the call twice and lose a step.
    const bool call =
        std::any_of(model->items.begin(), model->items.end(),
                    [](const plan::ItemModel& it) {
                      return it.role == PlanItemRole::kEmergencyCall &&
                             it.section == PlanSection::kNow &&
                             !it.condition.when && !it.condition.unless &&
                             it.red_flags == plan::RedFlagGate::kAny;
                    });
    if (!call) {
      At(doc,
         "level 'emergency' has no unconditional 'now' item with 'role: "
         "emergency_call': an emergency plan must say to call the emergency "
         "number");
    }
    const auto onset = impl_.finding_index.find("onset_days");
    if (onset != impl_.finding_index.end()) model->onset_days = onset->second;
    return model;
  }

 private:
  // Reads a text field; reports it when required and missing or empty.
  bool Text(const YAML::Node& map, const char* key, std::string* out,
            bool required, const std::string& what) {
    const YAML::Node n = map[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) At(map, fmt::format("{} is missing '{}'", what, key));
      return false;
    }
    if (!n.IsScalar()) {
      At(n, fmt::format("'{}' in {} must be text", key, what));
      return false;
    }
    *out = n.Scalar();
    if (out->empty()) {
      At(n, fmt::format("'{}' in {} is empty", key, what));
      return false;
    }
    return true;
  }

  std::vector<std::pair<std::string, YAML::Node>> List(
      const YAML::Node& map, const char* key, const std::string& what) {
    std::vector<std::pair<std::string, YAML::Node>> out;
    const YAML::Node n = map[key];
    if (!n.IsDefined() || n.IsNull()) return out;
    if (!n.IsSequence()) {
      At(n, fmt::format("'{}' in {} must be a list", key, what));
      return out;
    }
    for (const auto& item : n) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        At(item, fmt::format("items of '{}' in {} must be non-empty text", key,
                             what));
        continue;
      }
      out.emplace_back(item.Scalar(), item);
    }
    return out;
  }

  std::optional<int> Int(const YAML::Node& map, const char* key, int min,
                         int max, bool required, const std::string& what) {
    const YAML::Node n = map[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) At(map, fmt::format("{} is missing '{}'", what, key));
      return std::nullopt;
    }
    const std::optional<int> parsed = YamlInt(n);
    if (!parsed) {
      At(n, fmt::format("'{}' in {} must be a whole number", key, what));
      return std::nullopt;
    }
    const int v = *parsed;
    if (v < min || v > max) {
      At(n, fmt::format("'{}' in {} must be between {} and {}", key, what, min,
                        max));
      return std::nullopt;
    }
    return v;
  }

  bool CheckId(const YAML::Node& n, std::string* id, const std::string& kind) {
    if (!Text(n, "id", id, true, kind)) return false;
    if (!ids_.insert(*id).second) {
      At(n["id"], fmt::format("duplicate id '{}'", *id));
      return false;
    }
    return true;
  }

  uint8_t Levels(const YAML::Node& n, const std::string& what) {
    uint8_t mask = 0;
    auto list = List(n, "levels", what);
    if (list.empty()) At(n, fmt::format("{} needs 'levels'", what));
    for (const auto& [name, node] : list) {
      auto level = ParseLevel(name);
      if (!level) {
        At(node, fmt::format("unknown level '{}' (self_care, routine, urgent, "
                             "emergency)",
                             name));
        continue;
      }
      mask |= plan::LevelBit(*level);
    }
    return mask;
  }

  std::vector<uint16_t> Sources(const YAML::Node& n, const std::string& what) {
    std::vector<uint16_t> out;
    auto list = List(n, "sources", what);
    if (list.empty()) {
      At(n, fmt::format("{} has no sources: every piece of advice must cite "
                        "at least one",
                        what));
    }
    for (const auto& [id, node] : list) {
      auto it = sources_.find(id);
      if (it == sources_.end()) {
        At(node, fmt::format("unknown source '{}' (see sources.yaml)", id));
        continue;
      }
      out.push_back(it->second);
    }
    return out;
  }

  std::optional<Expr> Condition(const YAML::Node& n, const char* key,
                                const std::string& what) {
    const YAML::Node c = n[key];
    if (!c.IsDefined() || c.IsNull()) return std::nullopt;
    if (!c.IsScalar()) {
      At(c, fmt::format("'{}' in {} must be a condition written as text", key,
                        what));
      return std::nullopt;
    }
    Expr e;
    ParseError err;
    if (!ParseExpr(c.Scalar(), impl_.findings, impl_.finding_index, &e, &err)) {
      At(c, fmt::format("'{}' in {}: {}", key, what, err.message),
         err.column - 1);
      return std::nullopt;
    }
    return e;
  }

  plan::Condition Conditions(const YAML::Node& n, const std::string& what) {
    plan::Condition c;
    c.when = Condition(n, "when", what);
    c.unless = Condition(n, "unless", what);
    return c;
  }

  // sections: [{id, title, rest_title?, open?, timetable?}]: every section
  // once, in reading order (the order the plan is built in).
  void LoadSections(const YAML::Node& doc, plan::PlanModel* model) {
    constexpr size_t kCount = std::size(kSectionNames);
    model->sections.assign(kCount, plan::SectionModel{});
    const YAML::Node list = doc["sections"];
    if (!list.IsDefined() || !list.IsSequence()) {
      At(list.IsDefined() ? list : doc,
         "plan.yaml needs a 'sections' list: each section's heading");
      return;
    }
    size_t next = 0;  // the section expected next
    bool timetable = false;
    for (const auto& n : list) {
      if (!n.IsMap()) {
        At(n, "each section must be a mapping");
        continue;
      }
      CheckKeys(n, {"id", "title", "rest_title", "open", "timetable"},
                "a section");
      std::string id;
      if (!Text(n, "id", &id, true, "a section")) continue;
      const auto it =
          std::find(std::begin(kSectionNames), std::end(kSectionNames), id);
      if (it == std::end(kSectionNames)) {
        At(n["id"], fmt::format("unknown section '{}'", id));
        continue;
      }
      const size_t index = static_cast<size_t>(it - std::begin(kSectionNames));
      if (index != next) {
        At(n["id"],
           fmt::format("section '{}' is out of place: the sections are "
                       "listed once each, in reading order ({} next)",
                       id, next < kCount ? kSectionNames[next] : "none"));
        continue;
      }
      ++next;
      const std::string what = fmt::format("section '{}'", id);
      plan::SectionModel& s = model->sections[index];
      Text(n, "title", &s.title, true, what);
      Text(n, "rest_title", &s.rest_title, false, what);
      for (const auto& [key, flag] :
           {std::pair{"open", &s.open}, std::pair{"timetable", &s.timetable}}) {
        const YAML::Node b = n[key];
        if (!b.IsDefined()) continue;
        if (b.IsScalar() && (b.Scalar() == "true" || b.Scalar() == "false")) {
          *flag = b.Scalar() == "true";
        } else {
          At(b, fmt::format("'{}' in {} must be true or false", key, what));
        }
      }
      if (s.timetable && timetable)
        At(n["timetable"], "only one section is followed by the timetable");
      timetable = timetable || s.timetable;
    }
    if (next < kCount) {
      At(list, fmt::format("'sections' does not head section '{}'",
                           kSectionNames[next]));
    }
  }

  void LoadItem(const YAML::Node& n, plan::PlanModel* model) {
    if (!n.IsMap()) {
      At(n, "each item must be a mapping");
      return;
    }
    CheckKeys(n,
              {"id", "section", "role", "levels", "when", "unless", "red_flags",
               "title", "text", "steps", "sources", "conflict",
               "contraindications", "not_for_you", "check_first", "cautions",
               "caution_text", "schedule", "screens"},
              "an item");
    plan::ItemModel item;
    CheckId(n, &item.id, "an item");
    const std::string what = fmt::format("item '{}'", item.id);
    std::string section;
    if (Text(n, "section", &section, true, what)) {
      auto it = std::find(std::begin(kSectionNames), std::end(kSectionNames),
                          section);
      if (it == std::end(kSectionNames)) {
        At(n["section"], fmt::format("unknown section '{}'", section));
      } else {
        item.section = static_cast<PlanSection>(it - std::begin(kSectionNames));
      }
    }
    item.levels = Levels(n, what);
    constexpr uint8_t kShort = plan::LevelBit(TriageLevel::kUrgent) |
                               plan::LevelBit(TriageLevel::kEmergency);
    if ((item.levels & kShort) && item.section != PlanSection::kNow &&
        item.section != PlanSection::kSafetyNet) {
      At(n["levels"],
         fmt::format("{} is in section '{}' but applies at urgent or "
                     "emergency level, where a plan holds only 'now' and "
                     "'safety_net' advice",
                     what, section));
    }
    std::string role;
    if (Text(n, "role", &role, false, what)) {
      if (role != "emergency_call") {
        At(n["role"], fmt::format("unknown role '{}' (emergency_call)", role));
      } else if (item.section != PlanSection::kNow ||
                 item.levels != plan::LevelBit(TriageLevel::kEmergency)) {
        At(n["role"], fmt::format("{} has 'role: emergency_call' but is not "
                                  "a 'now' item of the emergency level only",
                                  what));
      } else {
        item.role = PlanItemRole::kEmergencyCall;
      }
    }
    item.condition = Conditions(n, what);
    std::string gate;
    if (Text(n, "red_flags", &gate, false, what)) {
      if (gate == "none") {
        item.red_flags = plan::RedFlagGate::kNone;
      } else if (gate == "present") {
        item.red_flags = plan::RedFlagGate::kPresent;
      } else {
        At(n["red_flags"], "'red_flags' must be 'none' or 'present'");
      }
    }
    Text(n, "title", &item.title, true, what);
    Text(n, "text", &item.text, true, what);
    for (auto& [step, node] : List(n, "steps", what))
      item.steps.push_back(step);
    item.sources = Sources(n, what);
    std::string conflict;
    if (Text(n, "conflict", &conflict, false, what)) {
      auto it = conflicts_.find(conflict);
      if (it == conflicts_.end()) {
        At(n["conflict"],
           fmt::format("unknown conflict '{}' (see conflicts.yaml)", conflict));
      } else {
        item.conflict = it->second;
      }
    }
    // A contraindication is a yes/no finding, or {finding, unless}: the
    // finding does not apply when `unless` is definitely true.
    const YAML::Node contra = n["contraindications"];
    if (contra.IsDefined() && !contra.IsNull() && !contra.IsSequence())
      At(contra, fmt::format("'contraindications' in {} must be a list", what));
    if (contra.IsDefined() && contra.IsSequence()) {
      for (const auto& node : contra) {
        std::string key;
        std::optional<Expr> unless;
        if (node.IsMap()) {
          CheckKeys(node, {"finding", "unless"}, "a contraindication");
          if (!Text(node, "finding", &key, true, "a contraindication"))
            continue;
          unless = Condition(node, "unless", what);
        } else if (node.IsScalar() && !node.Scalar().empty()) {
          key = node.Scalar();
        } else {
          At(node,
             fmt::format("contraindications in {} must be findings", what));
          continue;
        }
        auto it = impl_.finding_index.find(key);
        if (it == impl_.finding_index.end()) {
          At(node, fmt::format("unknown finding '{}'", key));
        } else if (impl_.findings[it->second].type != FindingType::kBool) {
          At(node, fmt::format("contraindication '{}' must be a yes/no finding",
                               key));
        } else {
          item.contraindications.push_back(it->second);
          item.contraindication_unless.push_back(std::move(unless));
        }
      }
    }
    const bool has_contra = n["contraindications"].IsDefined();
    Text(n, "not_for_you", &item.not_for_you, has_contra, what);
    Text(n, "check_first", &item.check_first, has_contra, what);
    if (!has_contra &&
        (n["not_for_you"].IsDefined() || n["check_first"].IsDefined())) {
      At(n, fmt::format("{} has 'not_for_you'/'check_first' but no "
                        "'contraindications'",
                        what));
    }
    for (const auto& [text, node] : List(n, "cautions", what)) {
      Expr e;
      ParseError err;
      if (!ParseExpr(text, impl_.findings, impl_.finding_index, &e, &err)) {
        At(node, fmt::format("caution in {}: {}", what, err.message),
           err.column - 1);
        continue;
      }
      item.cautions.push_back(std::move(e));
      item.caution_texts.push_back(text);
    }
    // screens: [{unless: <condition>, why: <one line>}]
    const YAML::Node screens = n["screens"];
    if (screens.IsDefined() && !screens.IsNull()) {
      if (!screens.IsSequence()) {
        At(screens, fmt::format("'screens' in {} must be a list", what));
      } else {
        for (const auto& sn : screens) {
          if (!sn.IsMap()) {
            At(sn, fmt::format("each screen in {} must be a mapping", what));
            continue;
          }
          CheckKeys(sn, {"unless", "why"}, "a screen");
          plan::ItemModel::Screen screen;
          auto e = Condition(sn, "unless", what);
          if (!e) {
            if (!sn["unless"].IsDefined())
              At(sn, fmt::format("a screen in {} needs 'unless'", what));
            continue;
          }
          screen.unless = std::move(*e);
          if (!Text(sn, "why", &screen.why, true, "a screen")) continue;
          item.screens.push_back(std::move(screen));
        }
      }
    }
    for (auto& [id, node] : List(n, "schedule", what)) {
      item.schedule.push_back(id);
      schedule_refs_.emplace_back(id, node);
    }
    const bool has_cautions = n["cautions"].IsDefined();
    Text(n, "caution_text", &item.caution_text, has_cautions, what);
    if (!has_cautions && n["caution_text"].IsDefined())
      At(n, fmt::format("{} has 'caution_text' but no 'cautions'", what));
    model->items.push_back(std::move(item));
  }

  void LoadActivity(const YAML::Node& n, plan::PlanModel* model) {
    if (!n.IsMap()) {
      At(n, "each activity must be a mapping");
      return;
    }
    CheckKeys(
        n,
        {"id", "levels", "when", "unless", "anchor", "title", "description",
         "from_minute", "until_minute", "duration_minutes", "every_minutes",
         "alarm_minutes_before", "waking_hours_only", "sources"},
        "an activity");
    plan::ActivityModel a;
    CheckId(n, &a.id, "an activity");
    const std::string what = fmt::format("activity '{}'", a.id);
    a.levels = Levels(n, what);
    if (a.levels & (plan::LevelBit(TriageLevel::kUrgent) |
                    plan::LevelBit(TriageLevel::kEmergency))) {
      At(n["levels"], fmt::format("{} applies at urgent or emergency level, "
                                  "where a plan has no schedule",
                                  what));
    }
    a.condition = Conditions(n, what);
    std::string anchor;
    if (Text(n, "anchor", &anchor, true, what)) {
      if (anchor == "start") {
        a.anchor = plan::Anchor::kStart;
      } else if (anchor == "onset") {
        a.anchor = plan::Anchor::kOnset;
        if (!impl_.finding_index.count("onset_days")) {
          At(n["anchor"], "anchor 'onset' needs the finding 'onset_days'");
        }
      } else {
        At(n["anchor"], "'anchor' must be 'start' or 'onset'");
      }
    }
    Text(n, "title", &a.title, true, what);
    Text(n, "description", &a.description, true, what);
    constexpr int kMax = 60 * 24 * 90;  // 90 days
    a.from_minute = Int(n, "from_minute", 0, kMax, true, what).value_or(0);
    a.duration_minutes =
        Int(n, "duration_minutes", 1, 24 * 60, true, what).value_or(1);
    a.every_minutes = Int(n, "every_minutes", 0, kMax, false, what).value_or(0);
    a.until_minute = Int(n, "until_minute", 0, kMax, false, what).value_or(0);
    a.alarm_minutes_before =
        Int(n, "alarm_minutes_before", 0, 24 * 60, false, what).value_or(0);
    if (a.every_minutes > 0) {
      if (a.until_minute <= a.from_minute) {
        At(n, fmt::format("{} repeats, so it needs 'until_minute' after "
                          "'from_minute'",
                          what));
      }
      if (a.duration_minutes >= a.every_minutes) {
        At(n["duration_minutes"],
           fmt::format("{} lasts as long as its interval", what));
      }
    } else if (n["until_minute"].IsDefined()) {
      At(n["until_minute"],
         fmt::format("{} happens once: 'until_minute' needs 'every_minutes'",
                     what));
    }
    const YAML::Node waking = n["waking_hours_only"];
    if (waking.IsDefined()) {
      if (waking.IsScalar() &&
          (waking.Scalar() == "true" || waking.Scalar() == "false")) {
        a.waking_hours_only = waking.Scalar() == "true";
      } else {
        At(waking, "'waking_hours_only' must be true or false");
      }
    }
    a.sources = Sources(n, what);
    model->activities.push_back(std::move(a));
  }

  // safety_net: {headings: {level: {title, text}}, signs: [{finding,
  // value, when, unless, text}]}: the derived safety net (plan_model.h).
  void LoadNet(const YAML::Node& n, plan::PlanModel* model) {
    if (!n.IsMap()) {
      At(n, "'safety_net' must be a mapping with 'headings' and 'signs'");
      return;
    }
    CheckKeys(n, {"headings", "signs"}, "safety_net");
    const YAML::Node headings = n["headings"];
    if (!headings.IsDefined() || !headings.IsMap()) {
      At(headings.IsDefined() ? headings : n,
         "'safety_net' needs 'headings' by level");
    } else {
      for (const auto& kv : headings) {
        const std::string name = kv.first.Scalar();
        auto level = ParseLevel(name);
        if (!level || *level == TriageLevel::kSelfCare) {
          At(kv.first, fmt::format("'{}' is not a level a sign can raise the "
                                   "triage to (routine, urgent, emergency)",
                                   name));
          continue;
        }
        const std::string what = fmt::format("safety_net heading '{}'", name);
        if (!kv.second.IsMap()) {
          At(kv.second, fmt::format("{} must have 'title' and 'text'", what));
          continue;
        }
        CheckKeys(kv.second, {"title", "text"}, what);
        plan::NetHeading& h = model->net_headings[static_cast<int>(*level)];
        h.present = Text(kv.second, "title", &h.title, true, what) &&
                    Text(kv.second, "text", &h.text, true, what);
      }
      for (TriageLevel l : {TriageLevel::kRoutine, TriageLevel::kUrgent,
                            TriageLevel::kEmergency}) {
        if (!model->net_headings[static_cast<int>(l)].present) {
          At(headings,
             fmt::format("'safety_net' has no heading for '{}'", LevelName(l)));
        }
      }
    }
    const YAML::Node signs = n["signs"];
    if (!signs.IsDefined() || !signs.IsSequence() || signs.size() == 0) {
      At(signs.IsDefined() ? signs : n, "'safety_net' needs a 'signs' list");
      return;
    }
    std::set<std::pair<FindingId, int32_t>> unconditional;
    for (const auto& sn : signs) {
      if (!sn.IsMap()) {
        At(sn, "each sign must be a mapping");
        continue;
      }
      CheckKeys(sn, {"finding", "value", "when", "unless", "text"}, "a sign");
      plan::SignModel sign;
      std::string key;
      if (!Text(sn, "finding", &key, true, "a sign")) continue;
      const std::string what = fmt::format("sign '{}'", key);
      auto it = impl_.finding_index.find(key);
      if (it == impl_.finding_index.end()) {
        At(sn["finding"], fmt::format("unknown finding '{}'", key));
        continue;
      }
      sign.finding = it->second;
      const FindingDef& f = impl_.findings[it->second];
      std::string value;
      const bool has_value = Text(sn, "value", &value, false, what);
      if (f.type == FindingType::kBool) {
        if (has_value && value != "true") {
          At(sn["value"], fmt::format("{} is yes/no: a sign is its 'true' "
                                      "(leave 'value' out)",
                                      what));
        }
        sign.value = 1;
      } else if (f.type == FindingType::kEnum) {
        auto v = std::find(f.values.begin(), f.values.end(), value);
        if (!has_value || v == f.values.end()) {
          At(has_value ? sn["value"] : sn,
             fmt::format("{} needs a 'value' among its values", what));
          continue;
        }
        sign.value = static_cast<int32_t>(v - f.values.begin());
        if (f.normal && *f.normal == sign.value) {
          At(sn["value"], fmt::format("{}: '{}' is the normal answer, not a "
                                      "warning sign",
                                      what, value));
        }
      } else {
        At(sn["finding"], fmt::format("{}: signs are yes/no or choice "
                                      "findings, not numbers",
                                      what));
        continue;
      }
      sign.condition = Conditions(sn, what);
      Text(sn, "text", &sign.text, true, what);
      if (!sign.condition.when && !sign.condition.unless &&
          !unconditional.insert({sign.finding, sign.value}).second) {
        At(sn, fmt::format("{} repeats an earlier unconditional sign for the "
                           "same answer, which would never be used",
                           what));
      }
      model->signs.push_back(std::move(sign));
    }
  }

  const KnowledgeBase::Impl& impl_;
  std::vector<std::pair<std::string, YAML::Node>> schedule_refs_;
  std::unordered_map<std::string, uint16_t> sources_;
  std::unordered_map<std::string, int> conflicts_;
  std::set<std::string> ids_;
};

}  // namespace

namespace {

std::shared_ptr<const void> LoadPlan(const YAML::Node& doc,
                                     const ExtensionContext& ctx) {
  PlanLinter linter(ctx.core, ctx.issues);
  return std::shared_ptr<const plan::PlanModel>(linter.Run(doc));
}

}  // namespace
}  // namespace backaid::kb

namespace backaid::plan {

extern const kb::Extension kPlanExtension;
const kb::Extension kPlanExtension{kb::kFile, "the care plan's advice",
                                   /*required=*/true, &kb::LoadPlan};

const PlanModel* PlanModelOf(const KnowledgeBase& kb) {
  return kb::ModelOf<PlanModel>(kb, kb::kFile);
}

}  // namespace backaid::plan
