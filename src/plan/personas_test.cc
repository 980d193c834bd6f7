// The persona suite (issue 15): people with a plain back spasm and a fully
// negative red-flag screen plus one or two things about them
// (tests/personas/personas.jsonl over tests/personas/base.json), each with
// the level their guideline gives and the plan items that must and must
// not appear, checked on the plan's JSON. Expectations come from the
// guideline named in each persona's "source", never from backaid's output.
//
// Checks (each a string "kind:argument"):
//   item:ID             an item with this id is in the plan
//   item:ID=VARIANT     ... with this variant (advice, caution, check_first,
//                       not_for_you)
//   text:WORDS          WORDS appear (case-sensitive) in any item's title,
//                       text, steps or concerns
//   net:LEVEL:WORDS     the derived safety net's line at LEVEL contains
//                       WORDS (net:LEVEL: = that level has any line)
//   section:NAME        the plan has an item in this section
//   activity:ID         the schedule has this activity
//   see:SERVICE         the triage result sends the person to SERVICE
//   left_out:ID         the item is left out for this person, with why
// Every persona is also checked for the plan-wide invariants: derived lines
// only above the person's level, the cauda equina signs always at
// emergency below emergency, urgent and emergency plans only "now" and
// "safety net" with no schedule, every item sourced.
//
// BACKAID_PERSONA_KB=DIR runs the suite against another knowledge base
// (for example main's, to see which hazards it still has).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "backaid/plan.h"

namespace backaid {
namespace {

using nlohmann::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// All the words a person reads in one item.
std::string ItemWords(const json& item) {
  std::string all = item.value("title", "") + "\n" + item.value("text", "");
  for (const auto& s : item["steps"]) all += "\n" + s.get<std::string>();
  if (item.contains("decision")) all += "\n" + item.value("decision", "");
  if (item.contains("concerns"))
    for (const auto& s : item["concerns"]) all += "\n" + s.get<std::string>();
  return all;
}

// Checks one "kind:argument" against the plan; true when it holds.
bool Holds(const KnowledgeBase& kb, const TriageResult& r, const json& plan,
           const std::string& check, std::string* problem) {
  const size_t colon = check.find(':');
  if (colon == std::string::npos) {
    *problem = "malformed check";
    return false;
  }
  const std::string kind = check.substr(0, colon);
  const std::string arg = check.substr(colon + 1);
  const json& items = plan["items"];
  if (kind == "item") {
    const size_t eq = arg.find('=');
    const std::string id = arg.substr(0, eq);
    for (const auto& i : items) {
      if (i["id"] != id) continue;
      return eq == std::string::npos ||
             i["variant"].get<std::string>() == arg.substr(eq + 1);
    }
    return false;
  }
  if (kind == "text") {
    for (const auto& i : items)
      if (ItemWords(i).find(arg) != std::string::npos) return true;
    return false;
  }
  if (kind == "net") {
    const size_t c2 = arg.find(':');
    const std::string id = "safety_net.if." + arg.substr(0, c2);
    const std::string words = c2 == std::string::npos ? "" : arg.substr(c2 + 1);
    for (const auto& i : items) {
      if (i["id"] != id) continue;
      for (const auto& s : i["steps"])
        if (s.get<std::string>().find(words) != std::string::npos) return true;
    }
    return false;
  }
  if (kind == "section") {
    for (const auto& i : items)
      if (i["section"] == arg) return true;
    return false;
  }
  if (kind == "activity") {
    for (const auto& a : plan["activities"])
      if (a["id"] == arg) return true;
    return false;
  }
  if (kind == "left_out") {
    for (const auto& l : plan["left_out"])
      if (l["id"] == arg) return !l["why"].get<std::string>().empty();
    return false;
  }
  if (kind == "see") {
    for (uint16_t s : OrderedServices(kb, r))
      if (kb.services()[s].id == arg) return true;
    return false;
  }
  *problem = "unknown check kind '" + kind + "'";
  return false;
}

TEST(Personas, EveryPersonaGetsWhatTheirGuidelineSays) {
  std::shared_ptr<const KnowledgeBase> kb;
  const char* dir = std::getenv("BACKAID_PERSONA_KB");
  auto loaded =
      dir && *dir ? LoadKnowledgeBase(dir) : LoadEmbeddedKnowledgeBase();
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  kb = *loaded;
  CaseReader reader(*kb);
  const json base =
      json::parse(ReadFile(BACKAID_SOURCE_DIR "/tests/personas/base.json"));
  std::ifstream in(BACKAID_SOURCE_DIR "/tests/personas/personas.jsonl");
  ASSERT_TRUE(in.good());
  std::string line;
  int count = 0, failed = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++count;
    const json p = json::parse(line);
    const std::string id = p["id"];
    SCOPED_TRACE(id + " (" + p["who"].get<std::string>() + ")");
    ASSERT_FALSE(p.value("source", "").empty()) << "no guideline named";
    json c = base;
    c["id"] = id;
    if (p.contains("age")) c["age"] = p["age"];
    if (p.contains("sex")) c["sex"] = p["sex"];
    for (const auto& [k, v] : p["findings"].items()) {
      if (v.is_null()) {
        c["findings"].erase(k);  // not asked
      } else {
        c["findings"][k] = v;
      }
    }
    Case cs = kb->NewCase();
    const Status read = reader.Read(c.dump(), &cs);
    if (!read.ok()) {
      ADD_FAILURE() << "cannot read: " << read.message();
      ++failed;
      continue;
    }
    const TriageResult r = Evaluate(*kb, cs);
    auto built = BuildCarePlan(*kb, cs, r);
    ASSERT_TRUE(built.ok());
    std::string text;
    AppendPlanJson(*built, &text);
    const json plan = json::parse(text);
    bool ok = true;
    auto check = [&](bool cond, const std::string& what) {
      if (cond) return;
      ok = false;
      ADD_FAILURE() << what;
    };
    check(plan["level"] == p["level"],
          "level " + plan["level"].get<std::string>() + ", expected " +
              p["level"].get<std::string>());
    for (const auto& m : p["must"]) {
      std::string problem;
      const bool holds = Holds(*kb, r, plan, m, &problem);
      check(problem.empty(), m.get<std::string>() + ": " + problem);
      check(holds, "missing: " + m.get<std::string>());
    }
    for (const auto& m : p["must_not"]) {
      std::string problem;
      const bool holds = Holds(*kb, r, plan, m, &problem);
      check(problem.empty(), m.get<std::string>() + ": " + problem);
      check(!holds, "must not appear: " + m.get<std::string>());
    }
    // Plan-wide invariants.
    const auto level = *ParseLevel(plan["level"].get<std::string>());
    for (const auto& i : plan["items"]) {
      const std::string iid = i["id"];
      check(!i["sources"].empty(), iid + " has no source");
      if (iid.rfind("safety_net.if.", 0) == 0) {
        const auto at = ParseLevel(iid.substr(14));
        check(at.has_value() && *at > level,
              iid + " is not above the plan's level");
        check(i.contains("rules") && !i["rules"].empty(), iid + " no rules");
      }
      if (level >= TriageLevel::kUrgent) {
        check(i["section"] == "now" || i["section"] == "safety_net",
              iid + " in an urgent or emergency plan");
      }
    }
    if (level >= TriageLevel::kUrgent) {
      check(plan["activities"].empty(), "schedule in a short plan");
    }
    for (const auto& l : plan["left_out"]) {
      std::string problem;
      check(
          !Holds(*kb, r, plan, "item:" + l["id"].get<std::string>(), &problem),
          l["id"].get<std::string>() + " both given and left out");
    }
    if (level < TriageLevel::kEmergency) {
      std::string problem;
      check(Holds(*kb, r, plan, "net:emergency:cannot pass urine", &problem),
            "cauda equina signs missing from the safety net");
    }
    if (!ok) ++failed;
  }
  EXPECT_GE(count, 50) << "the suite needs at least 50 people";
  std::printf("personas: %d people, %d with a failed check\n", count, failed);
}

}  // namespace
}  // namespace backaid
