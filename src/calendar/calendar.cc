// Schedule and iCalendar export of a care plan's timed activities, with
// libical's built-in IANA time zones (DST-aware: sessions are spaced in real
// elapsed time, and the awake window is applied in local time).
#include "backaid/calendar.h"

#include <libical/ical.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace backaid {
namespace {

struct LocalTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "HH:MM" -> minutes after midnight (00:00 to 24:00).
bool ParseClock(std::string_view s, int* minutes) {
  int h = 0, m = 0;
  if (s.size() != 5 || s[2] != ':' || !ParseInt(s.substr(0, 2), &h) ||
      !ParseInt(s.substr(3, 2), &m) || m > 59 || h > 24 || (h == 24 && m)) {
    return false;
  }
  *minutes = h * 60 + m;
  return true;
}

Status ParseLocal(std::string_view s, LocalTime* t) {
  const Status bad = Status::InvalidArgument(fmt::format(
      "bad start '{}': expected a local date and time YYYY-MM-DDTHH:MM", s));
  if (s.size() != 16 && s.size() != 19) return bad;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':') {
    return bad;
  }
  if (!ParseInt(s.substr(0, 4), &t->year) ||
      !ParseInt(s.substr(5, 2), &t->month) ||
      !ParseInt(s.substr(8, 2), &t->day) ||
      !ParseInt(s.substr(11, 2), &t->hour) ||
      !ParseInt(s.substr(14, 2), &t->minute)) {
    return bad;
  }
  if (s.size() == 19 && (s[16] != ':' || !ParseInt(s.substr(17, 2), &t->second)))
    return bad;
  if (t->year < 1970 || t->year > 2199 || t->month < 1 || t->month > 12 ||
      t->day < 1 || t->day > icaltime_days_in_month(t->month, t->year) ||
      t->hour > 23 || t->minute > 59 || t->second > 59) {
    return bad;
  }
  return Status::Ok();
}

Result<icaltimezone*> FindZone(const std::string& name) {
  if (name == "UTC" || name == "Etc/UTC") return icaltimezone_get_utc_timezone();
  icaltimezone* zone = name.empty()
                           ? nullptr
                           : icaltimezone_get_builtin_timezone(name.c_str());
  if (zone == nullptr) {
    return Status::InvalidArgument(fmt::format(
        "unknown time zone '{}': use an IANA name such as Europe/London",
        name));
  }
  return zone;
}

// The zone's name as the calendar writes it (its IANA location, without
// libical's TZID prefix).
std::string ZoneName(icaltimezone* zone, const std::string& requested) {
  if (zone == icaltimezone_get_utc_timezone()) return "UTC";
  const char* location = icaltimezone_get_location(zone);
  return location != nullptr ? location : requested;
}

icaltimetype ToIcal(const LocalTime& t) {
  icaltimetype v = icaltime_null_time();
  v.year = t.year;
  v.month = t.month;
  v.day = t.day;
  v.hour = t.hour;
  v.minute = t.minute;
  v.second = t.second;
  v.is_date = 0;
  return v;
}

int64_t LocalToUtc(const LocalTime& t, icaltimezone* zone) {
  return static_cast<int64_t>(icaltime_as_timet_with_zone(ToIcal(t), zone));
}

LocalTime UtcToLocal(int64_t utc, icaltimezone* zone) {
  const icaltimetype v =
      icaltime_from_timet_with_zone(static_cast<time_t>(utc), 0, zone);
  return LocalTime{v.year, v.month, v.day, v.hour, v.minute, v.second};
}

std::string Format(const LocalTime& t) {
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}", t.year, t.month, t.day,
                     t.hour, t.minute);
}

std::string Compact(const LocalTime& t) {
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}", t.year, t.month, t.day,
                     t.hour, t.minute);
}

bool Awake(const LocalTime& t, int duration, const ScheduleOptions& o) {
  const int m = t.hour * 60 + t.minute;
  return m >= o.wake_minute && m + duration <= o.sleep_minute;
}

// The start of the next waking period at or after `t` (local).
LocalTime NextWake(LocalTime t, const ScheduleOptions& o) {
  const int m = t.hour * 60 + t.minute;
  if (m >= o.wake_minute) {
    icaltimetype v = ToIcal(t);
    icaltime_adjust(&v, 1, 0, 0, 0);
    t = LocalTime{v.year, v.month, v.day, 0, 0, 0};
  }
  t.hour = o.wake_minute / 60;
  t.minute = o.wake_minute % 60;
  t.second = 0;
  return t;
}

Status CheckOptions(const ScheduleOptions& o) {
  if (o.wake_minute < 0 || o.sleep_minute > 24 * 60 ||
      o.wake_minute >= o.sleep_minute) {
    return Status::InvalidArgument(
        "bad awake window: waking time must be before sleeping time");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> LocalTimeIn(int64_t utc_seconds,
                                const std::string& time_zone) {
  auto zone = FindZone(time_zone);
  if (!zone.ok()) return zone.status();
  return Format(UtcToLocal(utc_seconds, *zone));
}

Status ParseAwakeWindow(std::string_view text, ScheduleOptions* options) {
  const size_t dash = text.find('-');
  int wake = 0, sleep = 0;
  if (dash == std::string_view::npos || !ParseClock(text.substr(0, dash), &wake) ||
      !ParseClock(text.substr(dash + 1), &sleep) || wake >= sleep) {
    return Status::InvalidArgument(fmt::format(
        "bad awake window '{}': expected HH:MM-HH:MM with waking before "
        "sleeping, e.g. 07:00-22:00",
        text));
  }
  options->wake_minute = wake;
  options->sleep_minute = sleep;
  return Status::Ok();
}

Result<std::vector<ScheduledEvent>> Schedule(const CarePlan& plan,
                                             const ScheduleOptions& options) {
  if (Status s = CheckOptions(options); !s.ok()) return s;
  LocalTime start;
  if (Status s = ParseLocal(options.start, &start); !s.ok()) return s;
  auto zone = FindZone(options.time_zone);
  if (!zone.ok()) return zone.status();
  const int64_t start_utc = LocalToUtc(start, *zone);

  struct Keyed {
    ScheduledEvent event;
    size_t order;
  };
  std::vector<Keyed> out;
  for (size_t ai = 0; ai < plan.activities.size(); ++ai) {
    const PlanActivity& a = plan.activities[ai];
    std::vector<int64_t> times;
    if (a.every_minutes > 0) {
      for (int m = a.start_minute; m < a.until_minute; m += a.every_minutes) {
        const int64_t t = start_utc + int64_t{m} * 60;
        if (a.waking_hours_only &&
            !Awake(UtcToLocal(t, *zone), a.duration_minutes, options)) {
          continue;  // skipped, never moved into the night
        }
        times.push_back(t);
      }
    } else {
      int64_t t = start_utc + int64_t{a.start_minute} * 60;
      if (a.waking_hours_only &&
          !Awake(UtcToLocal(t, *zone), a.duration_minutes, options)) {
        t = LocalToUtc(NextWake(UtcToLocal(t, *zone), options), *zone);
      }
      times.push_back(t);
    }
    int index = 0;
    for (int64_t t : times) {
      ScheduledEvent e;
      const LocalTime local = UtcToLocal(t, *zone);
      e.activity_id = a.id;
      e.uid = fmt::format("{}-{}-{}@backaid", a.id, index++, Compact(local));
      e.title = a.title;
      e.description = a.description;
      e.start_local = Format(local);
      e.end_local = Format(UtcToLocal(t + a.duration_minutes * 60, *zone));
      e.start_utc = t;
      e.duration_minutes = a.duration_minutes;
      e.alarm_minutes_before = a.alarm_minutes_before;
      e.sources = a.sources;
      e.source_titles = a.source_titles;
      out.push_back(Keyed{std::move(e), ai});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Keyed& a, const Keyed& b) {
    return a.event.start_utc < b.event.start_utc;
  });
  std::vector<ScheduledEvent> events;
  events.reserve(out.size());
  for (auto& k : out) events.push_back(std::move(k.event));
  return events;
}

Result<std::string> ToICalendar(const std::vector<ScheduledEvent>& events,
                                const ScheduleOptions& options) {
  auto zone = FindZone(options.time_zone);
  if (!zone.ok()) return zone.status();
  const bool utc = *zone == icaltimezone_get_utc_timezone();
  const std::string tzid = ZoneName(*zone, options.time_zone);

  std::unique_ptr<icalcomponent, void (*)(icalcomponent*)> cal(
      icalcomponent_new_vcalendar(), icalcomponent_free);
  icalcomponent_add_property(cal.get(),
                             icalproperty_new_prodid("-//backaid//care plan//EN"));
  icalcomponent_add_property(cal.get(), icalproperty_new_version("2.0"));
  icalcomponent_add_property(cal.get(), icalproperty_new_calscale("GREGORIAN"));
  icalcomponent_add_property(cal.get(),
                             icalproperty_new_method(ICAL_METHOD_PUBLISH));
  if (!utc) {
    icalcomponent* vtz = icaltimezone_get_component(*zone);
    if (vtz == nullptr) {
      return Status::Internal("libical has no VTIMEZONE for " + tzid);
    }
    icalcomponent* copy = icalcomponent_new_clone(vtz);
    icalproperty* id = icalcomponent_get_first_property(copy, ICAL_TZID_PROPERTY);
    if (id != nullptr) icalproperty_set_tzid(id, tzid.c_str());
    icalcomponent_add_component(cal.get(), copy);
  }
  const icaltimetype stamp =
      icaltime_current_time_with_zone(icaltimezone_get_utc_timezone());

  // A date-time property in the calendar's zone (TZID) or in UTC.
  auto time_property = [&](icalproperty* p) {
    if (!utc) icalproperty_add_parameter(p, icalparameter_new_tzid(tzid.c_str()));
    return p;
  };
  auto local_value = [&](int64_t t) {
    if (utc) {
      return icaltime_from_timet_with_zone(static_cast<time_t>(t), 0,
                                           icaltimezone_get_utc_timezone());
    }
    const LocalTime l = UtcToLocal(t, *zone);
    return ToIcal(l);  // floating value; the TZID parameter gives the zone
  };

  for (const ScheduledEvent& e : events) {
    icalcomponent* ev = icalcomponent_new_vevent();
    icalcomponent_add_property(ev, icalproperty_new_uid(e.uid.c_str()));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(stamp));
    const int64_t end = e.start_utc + int64_t{e.duration_minutes} * 60;
    icalcomponent_add_property(
        ev, time_property(icalproperty_new_dtstart(local_value(e.start_utc))));
    icalcomponent_add_property(
        ev, time_property(icalproperty_new_dtend(local_value(end))));
    icalcomponent_add_property(ev, icalproperty_new_summary(e.title.c_str()));
    std::string description = e.description;
    // What a person reads: the sources' titles, never a file name.
    if (!e.source_titles.empty()) {
      description += "\nSources: ";
      for (size_t i = 0; i < e.source_titles.size(); ++i)
        description += (i ? "; " : "") + e.source_titles[i];
    }
    icalcomponent_add_property(
        ev, icalproperty_new_description(description.c_str()));
    icalcomponent_add_property(ev, icalproperty_new_categories("backaid"));
    icalcomponent_add_property(ev,
                               icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));

    icalcomponent* alarm = icalcomponent_new_valarm();
    icalcomponent_add_property(alarm,
                               icalproperty_new_action(ICAL_ACTION_DISPLAY));
    icaltriggertype trigger{};
    trigger.time = icaltime_null_time();
    trigger.duration = icaldurationtype_from_int(-e.alarm_minutes_before * 60);
    icalcomponent_add_property(alarm, icalproperty_new_trigger(trigger));
    icalcomponent_add_property(alarm,
                               icalproperty_new_description(e.title.c_str()));
    icalcomponent_add_component(ev, alarm);
    icalcomponent_add_component(cal.get(), ev);
  }
  char* text = icalcomponent_as_ical_string_r(cal.get());
  if (text == nullptr) return Status::Internal("libical could not write");
  std::string out(text);
  std::free(text);
  return out;
}

void AppendScheduleJson(const std::vector<ScheduledEvent>& events,
                        const ScheduleOptions& options, std::string* out) {
  nlohmann::ordered_json j;
  j["time_zone"] = options.time_zone;
  j["start"] = options.start;
  j["awake"] = fmt::format("{:02}:{:02}-{:02}:{:02}", options.wake_minute / 60,
                           options.wake_minute % 60, options.sleep_minute / 60,
                           options.sleep_minute % 60);
  j["events"] = nlohmann::ordered_json::array();
  for (const ScheduledEvent& e : events) {
    nlohmann::ordered_json i;
    i["uid"] = e.uid;
    i["activity"] = e.activity_id;
    i["title"] = e.title;
    i["description"] = e.description;
    i["start"] = e.start_local;
    i["end"] = e.end_local;
    i["start_utc"] = e.start_utc;
    i["duration_minutes"] = e.duration_minutes;
    i["alarm_minutes_before"] = e.alarm_minutes_before;
    i["sources"] = e.sources;
    j["events"].push_back(std::move(i));
  }
  *out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace backaid
