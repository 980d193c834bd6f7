// Schedule and iCalendar export: waking hours, windows, time zones (with a
// DST change), bad input, and the .ics parsed back with libical.
#include <gtest/gtest.h>
#include <libical/ical.h>

#include <map>
#include <string>

#include "backaid/calendar.h"
#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "backaid/plan.h"

namespace backaid {
namespace {

CarePlan TestPlan() {
  CarePlan p;
  PlanActivity ice{"ice", "Ice",  "ice it",      0, 15, 120, 2880, true,
                   5,     {"S1"}, {"Source one"}};
  PlanActivity walk{"walk", "Walk", "walk",        45, 5, 90, 2880, true,
                    0,      {"S2"}, {"Source two"}};
  PlanActivity check{
      "check_24h", "Check", "check",         1440, 10, 0, 0, true,
      0,           {"S3"},  {"Source three"}};
  p.activities = {ice, walk, check};
  return p;
}

ScheduleOptions Options(std::string start, std::string tz = "Europe/London") {
  ScheduleOptions o;
  o.start = std::move(start);
  o.time_zone = std::move(tz);
  return o;
}

int LocalMinute(const std::string& local) {  // "YYYY-MM-DDTHH:MM"
  return std::stoi(local.substr(11, 2)) * 60 + std::stoi(local.substr(14, 2));
}

TEST(Calendar, OnlyWakingHoursAndWithinWindows) {
  auto events = Schedule(TestPlan(), Options("2026-11-21T09:00"));
  ASSERT_TRUE(events.ok()) << events.status().message();
  std::map<std::string, int> count;
  const int64_t start = events->front().start_utc;
  for (const ScheduledEvent& e : *events) {
    ++count[e.activity_id];
    const int m = LocalMinute(e.start_local);
    EXPECT_GE(m, 7 * 60) << e.uid;
    EXPECT_LE(m + e.duration_minutes, 22 * 60) << e.uid;
    if (e.activity_id == "ice") {
      EXPECT_EQ(e.duration_minutes, 15);
      EXPECT_EQ(e.alarm_minutes_before, 5);
      EXPECT_LT(e.start_utc - start, 48 * 3600);
      EXPECT_EQ((e.start_utc - start) % (120 * 60), 0);
    }
  }
  // 09:00..21:00 every 2 h on day 1 (7), 07:00..21:00 on day 2 (8), none
  // in the night, 07:00 on day 3 (46 h).
  EXPECT_EQ(count["ice"], 7 + 8 + 1);
  EXPECT_EQ(count["check_24h"], 1);
  EXPECT_EQ(events->front().start_local, "2026-11-21T09:00");
  // Sorted by time.
  for (size_t i = 1; i < events->size(); ++i)
    EXPECT_LE((*events)[i - 1].start_utc, (*events)[i].start_utc);
}

TEST(Calendar, OneOffCheckAtNightMovesToMorning) {
  auto events = Schedule(TestPlan(), Options("2026-11-21T23:30"));
  ASSERT_TRUE(events.ok());
  int checks = 0;
  for (const ScheduledEvent& e : *events) {
    if (e.activity_id != "check_24h") continue;
    ++checks;
    EXPECT_EQ(e.start_local, "2026-11-23T07:00");
  }
  EXPECT_EQ(checks, 1);
}

TEST(Calendar, DaylightSavingChange) {
  // Europe/London leaves BST on 2026-10-25 at 02:00 local.
  auto events = Schedule(TestPlan(), Options("2026-10-24T09:00"));
  ASSERT_TRUE(events.ok());
  for (const ScheduledEvent& e : *events) {
    const int m = LocalMinute(e.start_local);
    EXPECT_GE(m, 7 * 60) << e.start_local;
    EXPECT_LE(m + e.duration_minutes, 22 * 60) << e.start_local;
  }
  // The 24 h check is 24 real hours later: 08:00 GMT on the 25th.
  for (const ScheduledEvent& e : *events)
    if (e.activity_id == "check_24h") {
      EXPECT_EQ(e.start_local, "2026-10-25T08:00");
    }
}

TEST(Calendar, BadInput) {
  EXPECT_FALSE(Schedule(TestPlan(), Options("2026-11-21")).ok());
  EXPECT_FALSE(Schedule(TestPlan(), Options("2026-02-30T09:00")).ok());
  EXPECT_FALSE(Schedule(TestPlan(), Options("2026-11-21T25:00")).ok());
  EXPECT_FALSE(Schedule(TestPlan(), Options("tomorrow")).ok());
  auto bad_tz = Schedule(TestPlan(), Options("2026-11-21T09:00", "Mars/Olympus"));
  ASSERT_FALSE(bad_tz.ok());
  EXPECT_NE(bad_tz.status().message().find("Mars/Olympus"), std::string::npos);
  ScheduleOptions o = Options("2026-11-21T09:00");
  EXPECT_FALSE(ParseAwakeWindow("22:00-07:00", &o).ok());
  EXPECT_FALSE(ParseAwakeWindow("7-22", &o).ok());
  EXPECT_FALSE(ParseAwakeWindow("07:00-25:00", &o).ok());
  ASSERT_TRUE(ParseAwakeWindow("06:30-23:00", &o).ok());
  EXPECT_EQ(o.wake_minute, 6 * 60 + 30);
  EXPECT_EQ(o.sleep_minute, 23 * 60);
}

TEST(Calendar, UtcZone) {
  auto events = Schedule(TestPlan(), Options("2026-11-21T09:00", "UTC"));
  ASSERT_TRUE(events.ok());
  auto ics = ToICalendar(*events, Options("2026-11-21T09:00", "UTC"));
  ASSERT_TRUE(ics.ok());
  EXPECT_NE(ics->find("DTSTART:20261121T090000Z"), std::string::npos);
}

TEST(Calendar, ICalendarParsesBackWithLibical) {
  const ScheduleOptions o = Options("2026-11-21T09:00", "America/New_York");
  auto events = Schedule(TestPlan(), o);
  ASSERT_TRUE(events.ok());
  auto ics = ToICalendar(*events, o);
  ASSERT_TRUE(ics.ok()) << ics.status().message();
  icalcomponent* cal = icalparser_parse_string(ics->c_str());
  ASSERT_NE(cal, nullptr);
  EXPECT_STREQ(icalproperty_get_prodid(
                   icalcomponent_get_first_property(cal, ICAL_PRODID_PROPERTY)),
               "-//backaid//care plan//EN");
  icalcomponent* vtz =
      icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
  ASSERT_NE(vtz, nullptr);
  EXPECT_STREQ(icalproperty_get_tzid(icalcomponent_get_first_property(
                   vtz, ICAL_TZID_PROPERTY)),
               "America/New_York");
  icaltimezone* zone = icaltimezone_get_builtin_timezone("America/New_York");
  size_t n = 0;
  for (icalcomponent* ev =
           icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
       ev != nullptr;
       ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT), ++n) {
    ASSERT_LT(n, events->size());
    const ScheduledEvent& e = (*events)[n];
    EXPECT_STREQ(icalcomponent_get_uid(ev), e.uid.c_str());
    EXPECT_STREQ(icalcomponent_get_summary(ev), e.title.c_str());
    icalproperty* dtstart =
        icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
    icalparameter* tzid =
        icalproperty_get_first_parameter(dtstart, ICAL_TZID_PARAMETER);
    ASSERT_NE(tzid, nullptr);
    EXPECT_STREQ(icalparameter_get_tzid(tzid), "America/New_York");
    const icaltimetype start = icalproperty_get_dtstart(dtstart);
    EXPECT_EQ(static_cast<int64_t>(icaltime_as_timet_with_zone(start, zone)),
              e.start_utc);
    const icaltimetype end = icalproperty_get_dtend(
        icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY));
    EXPECT_EQ(icaltime_as_timet_with_zone(end, zone) -
                  icaltime_as_timet_with_zone(start, zone),
              e.duration_minutes * 60);
    icalcomponent* alarm =
        icalcomponent_get_first_component(ev, ICAL_VALARM_COMPONENT);
    ASSERT_NE(alarm, nullptr);
    EXPECT_EQ(icalproperty_get_action(
                  icalcomponent_get_first_property(alarm, ICAL_ACTION_PROPERTY)),
              ICAL_ACTION_DISPLAY);
    const icaltriggertype trigger = icalproperty_get_trigger(
        icalcomponent_get_first_property(alarm, ICAL_TRIGGER_PROPERTY));
    EXPECT_EQ(icaldurationtype_as_int(trigger.duration),
              -e.alarm_minutes_before * 60);
  }
  EXPECT_EQ(n, events->size());
  icalcomponent_free(cal);
}

TEST(Calendar, EmbeddedPlanSchedule) {
  auto kb = *LoadEmbeddedKnowledgeBase();
  CaseReader reader(*kb);
  Case c = kb->NewCase();
  ASSERT_TRUE(reader
                  .Read(R"({"id":"x","age":30,"findings":{"onset_days":0,"pain_score":3,"onset_with_movement":true}})",
                        &c)
                  .ok());
  auto plan = BuildCarePlan(*kb, c, Evaluate(*kb, c));
  ASSERT_TRUE(plan.ok());
  auto events = Schedule(*plan, Options("2026-11-21T09:00"));
  ASSERT_TRUE(events.ok());
  std::map<std::string, int> count;
  for (const auto& e : *events) ++count[e.activity_id];
  EXPECT_GT(count["ice"], 0);
  EXPECT_GT(count["heat"], 0);
  EXPECT_GT(count["walk"], 0);
  for (const char* check : {"check_24h", "check_72h", "check_1w", "check_2w"})
    EXPECT_EQ(count[check], 1) << check;
  std::string json;
  AppendScheduleJson(*events, Options("2026-11-21T09:00"), &json);
  EXPECT_NE(json.find("\"events\":["), std::string::npos);
}

// Issue 14: what a person reads in their calendar is plain text: the
// sources' titles, no file names or ids; and one alarm per event.
TEST(Calendar, EventsCarryReadableTextAndOneAlarmEach) {
  auto kb = *LoadEmbeddedKnowledgeBase();
  CaseReader reader(*kb);
  Case c = kb->NewCase();
  ASSERT_TRUE(
      reader
          .Read(
              R"({"id":"x","age":30,"findings":{"onset_days":0,"pain_score":3,"onset_with_movement":true}})",
              &c)
          .ok());
  auto plan = BuildCarePlan(*kb, c, Evaluate(*kb, c));
  ASSERT_TRUE(plan.ok());
  const ScheduleOptions o = Options("2026-11-21T09:00");
  auto events = Schedule(*plan, o);
  ASSERT_TRUE(events.ok());
  auto ics = ToICalendar(*events, o);
  ASSERT_TRUE(ics.ok());
  icalcomponent* cal = icalparser_parse_string(ics->c_str());
  ASSERT_NE(cal, nullptr);
  size_t n = 0;
  for (icalcomponent* ev =
           icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
       ev != nullptr;
       ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT), ++n) {
    const std::string text = std::string(icalcomponent_get_summary(ev)) + "\n" +
                             icalcomponent_get_description(ev);
    EXPECT_EQ(text.find(".txt"), std::string::npos) << text;
    EXPECT_EQ(text.find("src0"), std::string::npos) << text;
    EXPECT_EQ(text.find("@backaid"), std::string::npos) << text;
    EXPECT_EQ(text.find('_'), std::string::npos) << text;  // no ids
    EXPECT_NE(text.find("Sources: "), std::string::npos) << text;
    EXPECT_EQ(icalcomponent_count_components(ev, ICAL_VALARM_COMPONENT), 1)
        << text;
  }
  EXPECT_EQ(n, events->size());
  EXPECT_GT(n, 0u);
  icalcomponent_free(cal);
}

}  // namespace
}  // namespace backaid
