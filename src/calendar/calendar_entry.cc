// The calendar module's (backaid_calendar.so) exported symbols: its ABI tag
// and the table of calendar.cc's functions (calendar_module.h).
#include "src/calendar/calendar_module.h"
#include "src/loadable/loadable.h"

BACKAID_MODULE_EXPORT const char* const backaid_module_abi = BACKAID_MODULE_ABI;

BACKAID_MODULE_EXPORT const backaid::calendar::ModuleApi*
backaid_calendar_v1() {
  static const backaid::calendar::ModuleApi api{
      &backaid::LocalTimeIn, &backaid::ParseAwakeWindow, &backaid::Schedule,
      &backaid::ToICalendar, &backaid::AppendScheduleJson};
  return &api;
}
