// The knowledge base's plain-language names for the ids the API returns,
// for fronts that show them (the web page). Served by the server from the
// knowledge base it loaded, so a front never carries a copy that could
// differ from the rules it is shown next to.
#ifndef BACKAID_VOCABULARY_H_
#define BACKAID_VOCABULARY_H_

#include <string>
#include <string_view>

#include "backaid/knowledge_base.h"

namespace backaid {

// Appends, as one JSON object (no newline):
//   {"kb_version":..,
//    "levels":{"self_care":meaning,..},      all four levels
//    "services":{id:name}, "conditions":{id:name},
//    "sources":{cite:title},                 what results cite, by citation
//    "findings":{key:{"meaning":..,"red_flag":bool}},
//    "regions":{"regions":[{"id","name","emergency_number","default",
//                            "countries"}],
//               "headlines":{level:text},   how a front announces a level
//               "emergency_advice":text,     said with an emergency result
//               "before_you_start":text},    when to call instead
//              (knowledge/regions.yaml; "{number}" in a text stands for
//              the region's emergency number; null without regions.yaml)
//    "diary":{"activities":[{"id","label"}],  what an entry's "done" takes
//             "meaningful_change":points,     0-10 scale, from diary.yaml
//             "red_flag_options":[{"id":"question.option","label":..,
//                                  "sets":{finding:value}}]}}
// red_flag_options are the answer options of the checklists in the
// questionnaire's sections marked `diary: true` (knowledge/questions.yaml:
// the warning signs), each with the findings it sets as an entry's
// "findings" takes them; "none of these" and "not sure" are not
// options here (a diary entry only reports what is new). "diary" is null
// when the knowledge base has no diary.yaml.
// Every text is in the words of `region` (RegionText, backaid/report.h: "" or
// an unlisted id means the default region), except that "{number}" is kept
// for the front to fill in with the number of the region the person picks.
void AppendVocabularyJson(const KnowledgeBase& kb, std::string* out,
                          std::string_view region = {});

}  // namespace backaid

#endif  // BACKAID_VOCABULARY_H_
