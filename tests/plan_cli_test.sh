#!/usr/bin/env bash
# End-to-end tests of `backaid plan` with the real binary.
# Usage: plan_cli_test.sh BACKAID_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
# shellcheck source=tests/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

cd "$work"
cat > self.json <<'JSON'
{"id":"cli-self","age":30,"findings":{"onset_days":0,"onset_with_movement":true,"pain_score":3,"bladder_dysfunction":false,"saddle_numbness":false,"leg_weakness":"none","pregnant":true}}
JSON
cat > emerg.json <<'JSON'
{"id":"cli-emerg","age":50,"findings":{"onset_days":0,"pain_score":8,"bladder_dysfunction":true,"saddle_numbness":true}}
JSON
echo '{"id":"bad","findings":{"pain_score":"lots"}}' > bad.json

start=(--start 2026-11-21T09:00 --tz Europe/London)

check "help" bash -c "'$bin' plan --help | grep -q -- --ics"
check "text plan" bash -c "'$bin' plan --case self.json ${start[*]} > t.txt && grep -q 'WHEN TO GET HELP' t.txt && grep -q 'YOUR TIMETABLE (Europe/London)' t.txt && test \$(grep -c 'not a diagnosis' t.txt) -eq 1 && test \$(grep -c '^WHAT TO DO NOW' t.txt) -eq 1"
check "markdown plan" bash -c "'$bin' plan --case self.json ${start[*]} --format markdown | grep -q '^## When to get help'"
check "json plan and schedule" bash -c "'$bin' plan --case self.json ${start[*]} --format json > p.json && python3 - p.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d['id'] == 'cli-self'
items = {i['id']: i for i in d['plan']['items']}
assert items['medicines.nsaid']['variant'] == 'not_for_you', items['medicines.nsaid']
assert 'pregnant' in items['medicines.nsaid']['concerns']
assert 'safety_net.if.emergency' in items and 'safety_net.emergency_signs' not in items
assert all(i['sources'] for i in d['plan']['items'])
ev = d['schedule']['events']
assert d['schedule']['time_zone'] == 'Europe/London'
assert ev[0]['start'] == '2026-11-21T09:00' and ev[0]['activity'] == 'ice', ev[0]
for e in ev:
    h, m = map(int, e['start'][11:16].split(':'))
    assert 7 * 60 <= h * 60 + m and h * 60 + m + e['duration_minutes'] <= 22 * 60, e
assert sum(e['activity'].startswith('check') for e in ev) == 4
PY"
check "ics written" bash -c "'$bin' plan --case self.json ${start[*]} --ics out.ics > /dev/null && grep -q '^BEGIN:VCALENDAR' out.ics && grep -q '^TZID:Europe/London' out.ics && grep -q 'DTSTART;TZID=Europe/London:20261121T090000' out.ics && grep -q '^BEGIN:VALARM' out.ics && grep -q '^TRIGGER:-PT5M' out.ics"
check "awake window respected" bash -c "'$bin' plan --case self.json ${start[*]} --awake 10:00-20:00 --format json | python3 -c \"import json,sys; ev=json.load(sys.stdin)['schedule']['events']; assert all('10:00' <= e['start'][11:16] and e['end'][11:16] <= '20:00' for e in ev)\""
check "emergency plan is short" bash -c "'$bin' plan --case emerg.json ${start[*]} --format json --ics e.ics | python3 -c \"import json,sys; d=json.load(sys.stdin); assert d['plan']['level']=='emergency'; assert {i['section'] for i in d['plan']['items']} <= {'now','safety_net'}; assert d['schedule']['events']==[]\" && ! grep -q BEGIN:VEVENT e.ics"

# Bad input: a clear message and a non-zero exit.
check "missing --case" bash -c "! '$bin' plan ${start[*]} >/dev/null 2>err && grep -q -- '--case' err"
check "missing case file" bash -c "! '$bin' plan --case nope.json ${start[*]} 2>err && grep -q \"cannot open case file 'nope.json'\" err"
check "unreadable case" bash -c "! '$bin' plan --case bad.json ${start[*]} 2>err && grep -q 'pain_score' err"
check "bad --start" bash -c "! '$bin' plan --case self.json --start 21/11/2026 2>err && grep -q 'bad start' err"
check "impossible date" bash -c "! '$bin' plan --case self.json --start 2026-02-30T09:00 2>err && grep -q 'bad start' err"
check "unknown --tz" bash -c "! '$bin' plan --case self.json --start 2026-11-21T09:00 --tz Mars/Base 2>err && grep -q \"unknown time zone 'Mars/Base'\" err"
check "bad --awake" bash -c "! '$bin' plan --case self.json ${start[*]} --awake 22:00-07:00 2>err && grep -q 'bad awake window' err"
check "bad --format" bash -c "! '$bin' plan --case self.json ${start[*]} --format pdf 2>/dev/null"
check "unwritable --ics" bash -c "! '$bin' plan --case self.json ${start[*]} --ics /nonexistent/dir/x.ics >/dev/null 2>err && grep -q 'cannot write' err"

finish
