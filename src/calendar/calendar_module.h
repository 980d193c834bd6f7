// The calendar module (backaid_calendar.so): calendar.cc with libical, and
// through it ICU, which alone cost more to load than the rest of the
// binary. The binary's calendar functions (include/backaid/calendar.h,
// defined by calendar_module.cc) forward to this table, loaded on first
// use (src/loadable/loadable.h). Both sides come from one build (the
// loader checks the module's ABI tag); rename the symbol (_v2) if the
// table changes.
#ifndef BACKAID_SRC_CALENDAR_CALENDAR_MODULE_H_
#define BACKAID_SRC_CALENDAR_CALENDAR_MODULE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/calendar.h"
#include "backaid/plan.h"
#include "backaid/status.h"

namespace backaid::calendar {

struct ModuleApi {
  Result<std::string> (*local_time_in)(int64_t utc_seconds,
                                       const std::string& time_zone);
  Status (*parse_awake_window)(std::string_view text, ScheduleOptions* options);
  Result<std::vector<ScheduledEvent>> (*schedule)(
      const CarePlan& plan, const ScheduleOptions& options);
  Result<std::string> (*to_icalendar)(const std::vector<ScheduledEvent>& events,
                                      const ScheduleOptions& options);
  void (*append_schedule_json)(const std::vector<ScheduledEvent>& events,
                               const ScheduleOptions& options,
                               std::string* out);
};

using ModuleFn = const ModuleApi* (*)();
inline constexpr const char* kModuleSymbol = "backaid_calendar_v1";

}  // namespace backaid::calendar

#endif  // BACKAID_SRC_CALENDAR_CALENDAR_MODULE_H_
