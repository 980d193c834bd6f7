// The regional wording of the knowledge base (knowledge/regions.yaml):
// regions with their emergency numbers, each level's headline, and the
// words said with an emergency. Loaded and linted by regions_loader.cc as a
// knowledge-base extension; read through include/backaid/report.h.
#ifndef BACKAID_SRC_CASEIO_REGIONS_H_
#define BACKAID_SRC_CASEIO_REGIONS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/case.h"
#include "backaid/knowledge_base.h"

namespace backaid::regions {

// A region's wording of one term ("{doctor}": "GP", "primary care
// doctor"), with the sources that say it is right for the region.
struct TermDef {
  std::string name;  // "doctor", without braces
  std::string text;
  std::vector<uint16_t> sources;
};

struct RegionDef {
  std::string id;                      // "eu", "uk", "us"
  std::string name;                    // shown to the person
  std::string emergency_number;        // dialled as is
  std::vector<std::string> countries;  // ISO 3166-1 alpha-2, may be empty
  std::vector<uint16_t> sources;
  std::vector<TermDef> terms;  // in the file's order; every region
                               // defines the same names (lint)
};

// A sentence with "{number}" for the emergency number (and any term).
struct Wording {
  std::string id;
  std::string text;
  std::vector<uint16_t> sources;
};

// What to tell the emergency call handler (regions.yaml
// emergency_call_script): lines in order, each with "{signs}" (the warning
// signs found), "{number}", a term, or "{finding}" (the value of the line's
// `known` finding) to fill in; an optional yes/no finding that must be yes
// for the line to be said, and optional findings that must be known /
// unknown (a line for "how many weeks" when they are not known).
struct CallScriptLine {
  std::string text;
  std::string when;     // a bool finding's key, or ""
  std::string known;    // a finding's key, or "": said only when known
  std::string unknown;  // a finding's key, or "": said only when unknown
};
struct CallScript {
  std::string id;  // empty when regions.yaml has none
  std::string title;
  std::vector<CallScriptLine> lines;
  std::vector<uint16_t> sources;
};

struct RegionModel {
  std::vector<RegionDef> regions;                  // in file order
  size_t default_region = 0;                       // index into regions
  std::array<std::string, kLevelCount> headlines;  // by TriageLevel
  Wording emergency_advice;
  Wording before_you_start;
  CallScript call_script;  // optional
};

// One "{name}" placeholder of a knowledge-base text. The one grammar of
// placeholders, shared by RegionText (which fills them) and the regions
// lint (which checks them), so that what passes the lint is what is
// filled: "{", a letter, then letters, digits or underscores, "}". A
// capital first letter asks for the word with a capital ("{Doctor}").
struct PlaceholderAt {
  size_t begin = 0;       // the offset of "{"
  size_t end = 0;         // one past "}"
  std::string_view name;  // as written, without braces
};
// The placeholders of `text`, in order.
std::vector<PlaceholderAt> ScanPlaceholders(std::string_view text);
// The offsets of the braces of `text` that are not part of a placeholder
// ("{{doctor}}" has two, "{ doctor }" two): a front would show them as
// they are.
std::vector<size_t> StrayBraces(std::string_view text);

// The knowledge base's regions.yaml model, or null when it has none.
const RegionModel* RegionsOf(const KnowledgeBase& kb);

}  // namespace backaid::regions

#endif  // BACKAID_SRC_CASEIO_REGIONS_H_
