// Parses an .ics written by `backaid plan` with ical.js (an independent
// iCalendar implementation) and checks zones, times, durations and alarms.
// Usage: node check.mjs FILE.ics TZID START_UTC_ISO
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

const [file, tzid, firstUtc] = process.argv.slice(2);
const failures = [];
const check = (ok, msg) => { if (!ok) failures.push(msg); };

const cal = new ICAL.Component(ICAL.parse(readFileSync(file, 'utf8')));
check(cal.name === 'vcalendar', 'not a VCALENDAR');
check(cal.getFirstPropertyValue('version') === '2.0', 'VERSION is not 2.0');
check(/backaid/.test(cal.getFirstPropertyValue('prodid') ?? ''), 'PRODID');

const zones = cal.getAllSubcomponents('vtimezone');
check(zones.length === 1, `expected one VTIMEZONE, got ${zones.length}`);
const zone = new ICAL.Timezone(zones[0]);
check(zone.tzid === tzid, `VTIMEZONE TZID ${zone.tzid} != ${tzid}`);
ICAL.TimezoneService.register(zone);

const expectedMinutes = { ice: 15, heat: 15, walk: 5, check: 10 };
const kindOf = (uid) => uid.split('-')[0].replace(/_.*/, '');
const events = cal.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
check(events.length > 20, `only ${events.length} events`);
const uids = new Set();
const byKind = {};
for (const ev of events) {
  const kind = kindOf(ev.uid);
  byKind[kind] = (byKind[kind] ?? 0) + 1;
  check(!uids.has(ev.uid), `duplicate UID ${ev.uid}`);
  uids.add(ev.uid);
  check(ev.startDate.zone?.tzid === tzid, `${ev.uid}: start zone ${ev.startDate.zone?.tzid}`);
  const minutes = (ev.endDate.toJSDate() - ev.startDate.toJSDate()) / 60000;
  check(minutes === expectedMinutes[kind], `${ev.uid}: lasts ${minutes} min`);
  const local = ev.startDate.hour * 60 + ev.startDate.minute;
  check(local >= 7 * 60 && local + minutes <= 22 * 60,
        `${ev.uid}: outside waking hours (${ev.startDate.toString()})`);
  const alarms = ev.component.getAllSubcomponents('valarm');
  check(alarms.length === 1, `${ev.uid}: ${alarms.length} alarms`);
  for (const a of alarms) {
    check(a.getFirstPropertyValue('action') === 'DISPLAY', `${ev.uid}: alarm action`);
    const trigger = a.getFirstPropertyValue('trigger');
    check(trigger instanceof ICAL.Duration && trigger.toSeconds() <= 0,
          `${ev.uid}: trigger ${trigger}`);
    if (kind === 'ice' || kind === 'heat') {
      check(trigger.toSeconds() === -300, `${ev.uid}: ice/heat reminder not 5 min before`);
    }
  }
}
for (const kind of ['ice', 'heat', 'walk', 'check']) {
  check((byKind[kind] ?? 0) > 0, `no ${kind} events`);
}
check(byKind.check === 4, `expected 4 check-ins, got ${byKind.check}`);

// The first ice session is at the plan's start, resolved through the zone.
const ice = events.filter((e) => kindOf(e.uid) === 'ice')
  .map((e) => e.startDate.toJSDate().getTime()).sort((a, b) => a - b);
check(new Date(ice[0]).toISOString() === firstUtc,
      `first ice at ${new Date(ice[0]).toISOString()}, expected ${firstUtc}`);
check(ice.every((t) => t - ice[0] < 48 * 3600e3), 'ice after 48 hours');
const heat = events.filter((e) => kindOf(e.uid) === 'heat')
  .map((e) => e.startDate.toJSDate().getTime());
check(heat.every((t) => t - ice[0] >= 48 * 3600e3), 'heat within the first 48 hours');

if (failures.length) {
  for (const f of failures) console.error(`FAIL: ${f}`);
  process.exit(1);
}
console.log(`ical.js: ${events.length} events OK (${JSON.stringify(byKind)})`);
