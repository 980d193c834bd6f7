// The diary's JSON for the API (entries, pain trend, review) and the
// finding and number writers its documents share.
#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "backaid/assess.h"
#include "backaid/case_json.h"
#include "backaid/diary.h"
#include "backaid/report.h"
#include "src/diary/diary_internal.h"
#include "src/knowledge/expr.h"
#include "src/knowledge/program.h"

namespace backaid {
namespace diary_internal {

void AppendFindingValue(const FindingDef& def, int32_t v, std::string* out) {
  const std::string s = kb::ValueToString(def, v);
  if (def.type == FindingType::kEnum) {
    AppendJsonString(s, out);
  } else {
    *out += s;
  }
}

void AppendFindingPairs(const KnowledgeBase& kb,
                        const std::vector<std::pair<FindingId, int32_t>>& fs,
                        std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < fs.size(); ++i) {
    if (i) out->push_back(',');
    const FindingDef& def = kb.findings()[fs[i].first];
    AppendJsonString(def.key, out);
    out->push_back(':');
    AppendFindingValue(def, fs[i].second, out);
  }
  out->push_back('}');
}

void AppendOptionalInt(const std::optional<int>& v, std::string* out) {
  if (v) {
    *out += std::to_string(*v);
  } else {
    *out += "null";
  }
}

// A stored document's findings object -> case, skipping keys this knowledge

}  // namespace diary_internal

using diary_internal::AppendFindingPairs;
using diary_internal::AppendOptionalInt;

// ---- JSON for the API ------------------------------------------------------

std::string FormatUtc(int64_t ms) {
  using namespace std::chrono;
  const int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  const sys_seconds t{seconds{secs}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{t - day};
  return fmt::format(
      "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

void AppendEntryJson(const KnowledgeBase& kb, int64_t seq,
                     const DiaryEntry& entry, std::string* out) {
  *out += fmt::format("{{\"seq\":{},\"at\":\"{}\",\"pain\":", seq,
                      FormatUtc(entry.at_ms));
  AppendOptionalInt(entry.pain, out);
  *out += ",\"done\":[";
  for (size_t i = 0; i < entry.done.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(entry.done[i], out);
  }
  *out += "],\"findings\":";
  AppendFindingPairs(kb, entry.findings, out);
  *out += ",\"note\":";
  AppendJsonString(entry.note, out);
  out->push_back('}');
}

void AppendPainTrendJson(const PainTrend& trend, std::string* out) {
  *out += "{\"points\":[";
  for (size_t i = 0; i < trend.points.size(); ++i) {
    if (i) out->push_back(',');
    *out += fmt::format("{{\"at\":\"{}\",\"pain\":{}}}",
                        FormatUtc(trend.points[i].at_ms), trend.points[i].pain);
  }
  *out += fmt::format(
      "],\"count\":{},\"meaningful_change\":{},\"direction\":\"{}\"",
      trend.count, trend.meaningful_change, PainDirectionName(trend.direction));
  const std::pair<const char*, const std::optional<int>*> fields[] = {
      {"first", &trend.first},
      {"last", &trend.last},
      {"lowest", &trend.lowest},
      {"highest", &trend.highest}};
  for (const auto& [name, v] : fields) {
    *out += fmt::format(",\"{}\":", name);
    AppendOptionalInt(*v, out);
  }
  out->push_back('}');
}

void AppendReviewJson(const KnowledgeBase& kb, const EpisodeReview& review,
                      std::string* out) {
  *out += "{\"level\":";
  AppendJsonString(LevelName(review.result.level), out);
  *out += ",\"previous_level\":";
  AppendJsonString(LevelName(review.previous_level), out);
  *out += review.escalated ? ",\"escalated\":true" : ",\"escalated\":false";
  *out += ",\"triage\":";
  AppendResultJson(kb, review.current, review.result, out, ResultDetail::kFull,
                   review.region);
  // What to do now: the core's choice (WhatToDoNow), as an assessment
  // gives it, never a front's.
  *out += ",\"what_to_do_now\":";
  AppendNowStepsJson(
      WhatToDoNow(kb, review.result, &review.plan, review.region), out);
  *out += ",\"call_script\":";
  AppendCallScriptJson(
      CallHandlerScript(kb, review.current, review.result, review.region), out);
  *out += ",\"derived\":[";
  for (size_t i = 0; i < review.derived.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(review.derived[i], out);
  }
  *out += "],\"pain_trend\":";
  AppendPainTrendJson(review.trend, out);
  *out += ",\"plan\":";
  AppendPlanJson(review.plan, out);
  out->push_back('}');
}

}  // namespace backaid
