#!/usr/bin/env bash
# Non-interactive `backaid assess`: --answers, --case, piped answers, and
# bad input.
# Usage: assess_cli_test.sh BACKAID_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
# shellcheck source=tests/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

cd "$work"
cat >self.json <<'EOF'
{"age": 34, "sex": "male", "emergency_signs": "none", "nerve_signs": ["none"],
 "illness_signs": "none", "health_history": "none", "pain_score": 6,
 "pain_pattern": ["bending", "moving"], "range_of_motion": "some",
 "walking": "painful", "heel_toe_walk": "none", "leg_symptoms": "none",
 "onset_days": 0, "how_started": "movement", "before": "no",
 "outlook": "none", "look_alikes": "none", "medicine_safety": "none",
 "touch": ["tender", "knot"], "lying_down": "yes"}
EOF
echo '{"age": 50, "sex": "male", "nerve_signs": ["bladder"]}' >ces.json

check "help" bash -c "'$bin' assess --help | grep -q -- --answers"
check "answers: text starts with what to do now, then the level" bash -c \
  "'$bin' assess --answers self.json > t0.txt && head -1 t0.txt | grep -q '^What to do now' && grep -q '^  1\. Stop what you were doing' t0.txt && ! sed -n '/^SELF CARE/q;p' t0.txt | grep -q '^  4\. ' && sed -n '/^Why/q;p' t0.txt | grep -q '^SELF CARE:'"
# A step among the first three keeps its numbered steps (the plan below
# leaves the step out, so they would be lost otherwise).
sed 's/"pain_pattern": \["bending", "moving"\]/"pain_pattern": ["standing"]/' self.json >stand.json
check "answers: a first step's own steps are shown with it" bash -c \
  "'$bin' assess --answers stand.json > st.txt && sed -n '/^SELF CARE/q;p' st.txt | grep -q '^     b) Sitting, a footstool under your feet can help\.' && '$bin' assess --answers stand.json --format markdown | sed -n '/^# SELF CARE/q;p' | grep -q '^   - Sitting, a footstool'"
check "answers: no file names or version before 'About this result'" bash -c \
  "'$bin' assess --answers self.json > t1.txt && ! grep -q '\.txt' t1.txt && sed '/^About this result/q' t1.txt | grep -vq 'knowledge base 0' && sed -n '/^About this result/,\$p' t1.txt | grep -q 'version'"
check "answers: text has why, what to do, the plan" bash -c \
  "'$bin' assess --answers self.json > t.txt && grep -q '^Why' t.txt && grep -q '^What to do now' t.txt && grep -q '^Your plan' t.txt"
check "answers: no colour when not a terminal" bash -c \
  "! '$bin' assess --answers self.json | grep -q $'\033'"
check "answers: markdown" bash -c \
  "'$bin' assess --answers self.json --format markdown > m0.md && head -1 m0.md | grep -q '^## What to do now' && grep -q '^# SELF CARE:' m0.md"
check "answers: json has everything" bash -c "
  '$bin' assess --answers self.json --format json > a.json && python3 - <<'PY'
import json
r = json.load(open('a.json'))
assert r['answers']['sex'] == 'male', r['answers']
assert r['answers']['pain_pattern'] == ['bending', 'moving']
assert r['findings']['age'] == 34 and r['findings']['chest_pain'] is False
assert r['findings']['rom_limitation'] == 'mild'
assert r['triage']['triage'] == 'self_care', r['triage']
for k in ('conditions', 'red_flags', 'not_assessed', 'explanation', 'kb_version'):
    assert k in r['triage'], k
assert r['plan'] is not None and r['plan']['level'] == 'self_care'
assert r['emergency_number'] == '112'
PY"
check "answers: emergency with the regional number" bash -c \
  "'$bin' assess --answers ces.json --region us > e.txt && sed -n 2p e.txt | grep -q '^  1\. Call 911 now' && sed -n '/^Why/q;p' e.txt | grep -q '^EMERGENCY:' && ! grep -q '999\|112' e.txt"
# Said plainly once (issue 14): the not-a-diagnosis notice and "What to do
# now" once in the whole output, whatever the level and format; the plan
# inside the result does not repeat them, nor the level.
echo '{"age": 30, "sex": "female", "pregnant": "yes", "pregnancy_weeks": 33,
 "pregnancy_signs": ["bleeding", "tightenings"]}' >preg33.json
echo '{"age": 30, "sex": "female", "pregnant": "yes",
 "pregnancy_signs": ["bleeding"]}' >preg.json
for f in self ces preg33; do
  for fmt in text markdown; do
    check "said once ($f, $fmt): not a diagnosis, what to do now" bash -c "
      '$bin' assess --answers $f.json --format $fmt > once.out &&
      test \$(grep -c 'not a diagnosis' once.out) -eq 1 &&
      test \$(grep -ci '^#* *what to do now\$' once.out) -eq 1 &&
      ! grep -qi 'your care plan\|^\*\*level:\|^level:' once.out"
  done
done
check "said once: the embedded plan goes on with what was not said above" bash -c \
  "'$bin' assess --answers self.json > once.txt && grep -q '^MORE TO DO NOW' once.txt && test \$(grep -c 'Stop what you were doing' once.txt) -eq 1"
# What to tell the call handler (regions.yaml emergency_call_script, filled
# in by the core): in the emergency text, Markdown and JSON.
check "emergency: what to tell the call handler, with the weeks of pregnancy" bash -c "
  '$bin' assess --answers preg33.json --region uk > cs.txt &&
  sed -n '/^What to tell the call handler/,/^\$/p' cs.txt > script.txt &&
  grep -q 'What is happening: back pain with vaginal bleeding' script.txt &&
  grep -q 'That you are 33 weeks pregnant\.' script.txt &&
  ! grep -q 'how many weeks\|{' script.txt &&
  test \$(grep -c '^  [0-9]\. ' script.txt) -eq 5 &&
  sed -n '/^What to tell the call handler/q;p' cs.txt | grep -q '^  1\. Call 999 now'"
check "emergency: weeks not known, the line asks for them" bash -c "
  '$bin' assess --answers preg.json --format markdown > cs.md &&
  grep -q '^## What to tell the call handler' cs.md &&
  grep -q 'That you are pregnant, and how many weeks if you know' cs.md && ! grep -q 'weeks pregnant\.' cs.md"
check "emergency: a man's script names his signs, nothing of pregnancy" bash -c "
  '$bin' assess --answers ces.json > cm.txt && grep -q '^What to tell the call handler' cm.txt &&
  grep -q 'What is happening: back pain with .*' cm.txt && ! grep -qi 'pregnan' cm.txt"
check "emergency (json): call_script filled in; null below emergency" bash -c "
  '$bin' assess --answers preg33.json --format json --region us > cs.json &&
  '$bin' assess --answers self.json --format json > nocs.json && python3 - <<'PY'
import json
s = json.load(open('cs.json'))['call_script']
assert s['id'] == 'emergency.call_script', s
assert 'That you are 33 weeks pregnant.' in s['lines'], s['lines']
assert any('vaginal bleeding' in l for l in s['lines']), s['lines']
assert not any('{' in l for l in s['lines']), s['lines']
assert json.load(open('nocs.json'))['call_script'] is None
PY"
# Service names in the region's words (kb.yaml services use {doctor}).
sed -n 3p "$src/examples/cases.jsonl" >routine.json
check "who to see: each region's word for the doctor, and only it" bash -c "
  '$bin' assess --case routine.json --region uk | grep '^Who to see' > see.uk &&
  '$bin' assess --case routine.json --region eu | grep '^Who to see' > see.eu &&
  '$bin' assess --case routine.json --region us | grep '^Who to see' > see.us &&
  grep -q 'Your GP' see.uk && ! grep -q 'family doctor\|primary care' see.uk &&
  grep -q 'Your family doctor' see.eu && ! grep -q 'GP\|primary care' see.eu &&
  grep -q 'Your primary care doctor' see.us && ! grep -q 'GP\|family doctor' see.us"

# Region is a real setting (regions.yaml terms): who to call, which doctor,
# the medicine's name. Sources are cited as they are (an NHS page stays an
# NHS page), so the words are checked with the "Sources:" lines left out.
cat >words.py <<'PY'
import re, sys
text, want, never = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
lines, skip = [], False
for line in text.splitlines():
    if re.match(r'^\s*(\*\*)?Sources:', line):
        skip = True
        continue
    if skip and re.match(r'^\s{3,}\S', line) and not re.match(r'^\s*(\d+\.|-|\*)\s', line):
        continue  # a citation continued on the next line
    skip = False
    lines.append(line)
body = re.sub(r'\s+', ' ', '\n'.join(lines))
for w in filter(None, want.split('|')):
    assert w in body, f'missing {w!r}'
for w in filter(None, never.split('|')):
    assert not re.search(r'(?<![\w])' + re.escape(w) + r'(?![\w])', body), f'has {w!r}'
assert not re.search(r'\{[a-zA-Z_]+\}', body), 'a term was left unsubstituted'
PY
for fmt in text markdown; do
  check "region us ($fmt): 911, primary care doctor, acetaminophen; no NHS, 111, GP, 999" bash -c \
    "'$bin' assess --answers self.json --region us --format $fmt > us.$fmt && python3 words.py us.$fmt 'call 911|primary care doctor|acetaminophen|nurse advice line' 'NHS|111|GP|999|112|paracetamol'"
  check "region uk ($fmt): NHS 111, GP, paracetamol, 999" bash -c \
    "'$bin' assess --answers self.json --region uk --format $fmt > uk.$fmt && python3 words.py uk.$fmt 'NHS 111|your GP|paracetamol|call 999' 'acetaminophen|911|112|primary care doctor'"
  check "region eu ($fmt, the default): family doctor, paracetamol, 112; no NHS" bash -c \
    "'$bin' assess --answers self.json --format $fmt > eu.$fmt && python3 words.py eu.$fmt 'family doctor|paracetamol|call 112|out-of-hours doctor service' 'NHS|111|GP|999|911|acetaminophen'"
done
check "region us (json): the plan and the open questions in US words" bash -c "
  '$bin' assess --answers self.json --region us --format json > us.json && python3 - <<'PY'
import json, re
r = json.load(open('us.json'))
assert r['emergency_number'] == '911'
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k != 'sources'}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
body = json.dumps(strip(r['plan']))
assert 'acetaminophen' in body and 'primary care doctor' in body, body[:200]
for w in ('NHS', '111', 'GP', '999', 'paracetamol'):
    assert not re.search(r'(?<![\w])' + w + r'(?![\w])', body), w
assert not re.search(r'\{[a-z_]+\}', json.dumps(r)), 'unsubstituted term'
PY"
check "plan --region us: the plan and its calendar in US words" bash -c "
  head -1 '$src/examples/cases.jsonl' > spasm.json &&
  '$bin' plan --case spasm.json --start 2026-01-05T09:00 --region us --ics us.ics > plan.us &&
  python3 words.py plan.us 'acetaminophen|primary care doctor|911' 'NHS|111|GP|999|paracetamol' &&
  grep -q 'primary care doctor' us.ics && ! grep -q 'NHS\|{doctor}' us.ics &&
  ! '$bin' plan --case spasm.json --start 2026-01-05T09:00 --region mars"
check "answers: missing red flags are listed as not checked" bash -c \
  "'$bin' assess --answers ces.json | grep -q 'Not checked'"

# --case: a case as in case-format.md.
head -1 "$src/../shared/vignettes/public.jsonl" >case.json
# assess is a front a person reads: its JSON has the open questions in
# words, as `backaid triage --full`.
check "case: json triage equals backaid triage --full" bash -c "
  '$bin' assess --case case.json --format json > c.json &&
  '$bin' triage --full case.json > t.json && python3 - <<'PY'
import json
a = json.load(open('c.json'))
t = json.loads(open('t.json').read())
t['id'] = a['triage']['id']
assert a['triage'] == t, (a['triage'], t)
assert a['answers'] == {}
PY"

# Piped answers go through the same questions, a screen at a time (the
# warning signs: the emergency list, then the nerve checklist).
check "piped interactive answers" bash -c \
  "printf '40\n2\n1\n9\n' | '$bin' assess --region uk > p.txt; grep -q 'STOP: this needs help now. Call 999.' p.txt && grep -q '^EMERGENCY:' p.txt && test \$(grep -c 'not a diagnosis' p.txt) -eq 1"
check "questions fit 80 columns" bash -c \
  "printf '34
2
8
9
8
10
0
6
8 12
2
2
2
7
9
9
5
1
10
' | '$bin' assess > w.txt && grep -q '^SELF CARE' w.txt && sed '/Thank you/q' w.txt | awk 'length > 80 { exit 1 }'"

# Bad input: a clear error naming the problem, non-zero exit.
bad() {  # bad NAME JSON EXPECTED-TEXT
  printf '%s' "$2" >bad.json
  check "$1" bash -c \
    "! '$bin' assess --answers bad.json > /dev/null 2> err.txt && grep -qF -- \"$3\" err.txt"
}
bad "unknown question" '{"agee": 3}' "unknown question id 'agee'"
bad "merged question" '{"heel_walk": "normal"}' "question 'heel_walk' is no longer asked: it is part of 'heel_toe_walk' now"
bad "unknown option" '{"sex": "martian"}' "unknown option 'martian'"
bad "unknown checklist option" '{"nerve_signs": ["none", "wobbly"]}' "unknown option 'wobbly'"
bad "number out of range" '{"pain_score": 11}' "11 is out of range"
bad "malformed json" '{"age": ' "not valid JSON"
bad "not an object" '[1, 2]' "must be a JSON object"
bad "none with other ticks" '{"emergency_signs": ["none", "chest_pain"]}' "cannot be ticked together"
bad "question not asked" '{"sex": "male", "pregnant": "yes"}' "question 'pregnant' is not asked"
check "missing answers file" bash -c \
  "! '$bin' assess --answers nope.json 2> err.txt && grep -q \"cannot read 'nope.json'\" err.txt"
echo '{"id": "x", "findings": {"pain_scor": 3}}' >badcase.json
check "bad case names the key" bash -c \
  "! '$bin' assess --case badcase.json 2> err.txt && grep -q pain_scor err.txt"
check "bad region" bash -c "! '$bin' assess --region mars --answers self.json"

finish
