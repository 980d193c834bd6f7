// The calendar functions as the binary sees them: each forwards to the
// calendar module (backaid_calendar.so: calendar.cc, libical, ICU), loaded
// the first time one is called, so commands that never touch a time zone
// or an iCalendar file never map libical or ICU. A missing module is a
// kFailedPrecondition naming the file (src/loadable/loadable.h).
#include "src/calendar/calendar_module.h"

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/calendar.h"
#include "src/loadable/loadable.h"

namespace backaid {
namespace {

Result<const calendar::ModuleApi*> Api() {
  static std::atomic<const calendar::ModuleApi*> cached{nullptr};
  if (const auto* api = cached.load(std::memory_order_acquire)) return api;
  auto fn = loadable::Symbol(loadable::kCalendarModule, calendar::kModuleSymbol,
                             "the calendar (time zones, iCalendar)");
  if (!fn.ok()) return fn.status();
  const calendar::ModuleApi* api = reinterpret_cast<calendar::ModuleFn>(*fn)();
  cached.store(api, std::memory_order_release);
  return api;
}

}  // namespace

Result<std::string> LocalTimeIn(int64_t utc_seconds,
                                const std::string& time_zone) {
  auto api = Api();
  if (!api.ok()) return api.status();
  return (*api)->local_time_in(utc_seconds, time_zone);
}

Status ParseAwakeWindow(std::string_view text, ScheduleOptions* options) {
  auto api = Api();
  if (!api.ok()) return api.status();
  return (*api)->parse_awake_window(text, options);
}

Result<std::vector<ScheduledEvent>> Schedule(const CarePlan& plan,
                                             const ScheduleOptions& options) {
  auto api = Api();
  if (!api.ok()) return api.status();
  return (*api)->schedule(plan, options);
}

Result<std::string> ToICalendar(const std::vector<ScheduledEvent>& events,
                                const ScheduleOptions& options) {
  auto api = Api();
  if (!api.ok()) return api.status();
  return (*api)->to_icalendar(events, options);
}

void AppendScheduleJson(const std::vector<ScheduledEvent>& events,
                        const ScheduleOptions& options, std::string* out) {
  // Events only come from Schedule(), which loaded the module already.
  auto api = Api();
  if (api.ok()) (*api)->append_schedule_json(events, options, out);
}

}  // namespace backaid
