// The care plan's timed activities (ice, heat, walking breaks, check-ins) as
// dated events in a real time zone, and as iCalendar (RFC 5545, via
// libical) with a reminder (VALARM) on each event.
//
// Events fall only in waking hours: a repeating session whose time is
// outside the awake window is skipped (never moved into the night); a
// one-off check-in that falls outside it moves to the start of the next
// waking period, so no check-in is lost.
#ifndef BACKAID_CALENDAR_H_
#define BACKAID_CALENDAR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/plan.h"
#include "backaid/status.h"

namespace backaid {

struct ScheduleOptions {
  std::string start;              // local "YYYY-MM-DDTHH:MM[:SS]" in time_zone
  std::string time_zone = "UTC";  // IANA name, e.g. "Europe/London"
  int wake_minute = 7 * 60;       // awake window, minutes after midnight:
  int sleep_minute = 22 * 60;     // [wake, sleep), wake < sleep
};

// The local time "YYYY-MM-DDTHH:MM" in `time_zone` (IANA name) of a moment
// given in seconds since the Unix epoch; kInvalidArgument for an unknown
// zone. Used to start a schedule at a stored UTC time.
Result<std::string> LocalTimeIn(int64_t utc_seconds,
                                const std::string& time_zone);

// Parses "HH:MM-HH:MM" into options->wake_minute / sleep_minute.
Status ParseAwakeWindow(std::string_view text, ScheduleOptions* options);

struct ScheduledEvent {
  std::string uid;          // stable: activity id, index and start
  std::string activity_id;  // PlanActivity::id
  std::string title;
  std::string description;
  std::string start_local;  // "YYYY-MM-DDTHH:MM" in the time zone
  std::string end_local;
  int64_t start_utc = 0;  // seconds since the Unix epoch
  int duration_minutes = 0;
  int alarm_minutes_before = 0;
  std::vector<std::string> sources;        // citations, for the JSON
  std::vector<std::string> source_titles;  // readable, for the .ics text
};

// The plan's activities as events in time order (ties by activity order).
// Fails with kInvalidArgument for a bad start, an unknown time zone or a
// bad awake window.
Result<std::vector<ScheduledEvent>> Schedule(const CarePlan& plan,
                                             const ScheduleOptions& options);

// An iCalendar document (VCALENDAR with PRODID, VERSION, the zone's
// VTIMEZONE, and one VEVENT per event: UID, DTSTAMP, DTSTART/DTEND with
// TZID, SUMMARY, DESCRIPTION in plain words with the sources' titles (no
// file names or ids), and exactly one DISPLAY VALARM).
Result<std::string> ToICalendar(const std::vector<ScheduledEvent>& events,
                                const ScheduleOptions& options);

// The events as a JSON object (no newline): {"time_zone":..,"start":..,
// "awake":"HH:MM-HH:MM","events":[{"uid","activity","title","description",
// "start","end","start_utc","duration_minutes","alarm_minutes_before",
// "sources"}]}.
void AppendScheduleJson(const std::vector<ScheduledEvent>& events,
                        const ScheduleOptions& options, std::string* out);

}  // namespace backaid

#endif  // BACKAID_CALENDAR_H_
