#!/usr/bin/env bash
# End-to-end tests of the real backaid binary.
# Usage: cli_test.sh BACKAID_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
shared="$src/../shared"
# shellcheck source=tests/check_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

# Runs from an unrelated directory: the knowledge base is built in.
cd "$work"

check "--version" bash -c "'$bin' --version | grep -Eq '^backaid [0-9]+\.[0-9]+\.[0-9]+$'"
for cmd in "" triage validate kb "kb lint" "kb info"; do
  check "help: $cmd" bash -c "'$bin' $cmd --help | grep -q Usage"
done
check "unknown command fails" bash -c "! '$bin' frobnicate"

check "kb lint is clean" bash -c "'$bin' kb lint | grep -q 'lints clean'"
check "kb info" bash -c "'$bin' kb info | grep -q '^rules:'"

# Public vignettes: every expected level and condition.
check "validate public vignettes" bash -c \
  "'$bin' validate '$shared/vignettes/public.jsonl' > v.txt && grep -q 'level and conditions:   33/33' v.txt && grep -q 'under-triage:           0' v.txt"
check "validate own vignettes" bash -c \
  "'$bin' validate '$src/knowledge/vignettes/own.jsonl' --format json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r[\"level_exact\"]==r[\"validated\"]>=80 and not r[\"under_triage\"], r'"

# triage: one result per line, in order, with every required field.
check "triage public file" bash -c "
  '$bin' triage '$shared/vignettes/public.jsonl' > t.jsonl &&
  python3 - <<'PY'
import json
src = [json.loads(l) for l in open('$shared/vignettes/public.jsonl')]
out = [json.loads(l) for l in open('t.jsonl')]
assert len(src) == len(out), (len(src), len(out))
for s, o in zip(src, out):
    assert s['id'] == o['id']
    for k in ('triage', 'conditions', 'red_flags', 'not_assessed', 'see', 'explanation', 'kb_version'):
        assert k in o, (k, o)
    assert o['triage'] == s['expected']['triage'], (s['id'], o['triage'])
    assert sorted(o['conditions']) == sorted(s['expected']['conditions']), s['id']
    for e in o['explanation']:
        assert e['sources'] and e['reason'] and e['rule'], e
PY"
check "triage from stdin equals triage from file" bash -c \
  "'$bin' triage - < '$shared/vignettes/public.jsonl' | cmp - t.jsonl"
check "threads do not change output" bash -c \
  "'$bin' triage --threads 1 '$shared/vignettes/public.jsonl' | cmp - t.jsonl"

# Bad cases: error on their own line, others still run, exit status 1.
printf '%s\n' \
  '{"id":"ok","findings":{"bladder_dysfunction":true}}' \
  '{"id":"bad-range","findings":{"pain_score":11}}' \
  '{"id":"bad-key","findings":{"bladder":true}}' \
  '{"id":"bad-type","findings":{"fever":"yes"}}' \
  '{"findings":{}}' \
  'not json at all' \
  '{"id":"ok2","age":30,"findings":{"fever":false}}' > bad.jsonl
check "bad cases answered in place, exit 1" bash -c "
  '$bin' triage bad.jsonl > b.jsonl; test \$? -eq 1 &&
  python3 - <<'PY'
import json
out = [json.loads(l) for l in open('b.jsonl')]
assert len(out) == 7, len(out)
assert out[0]['triage'] == 'emergency'
assert out[1] == {'id': 'bad-range', 'error': 'line 2: findings.pain_score: 11 is out of range 0..10'}, out[1]
assert out[2]['error'] == \"line 3: findings: unknown key 'bladder'\", out[2]
assert out[3]['error'].startswith('line 4: findings.fever: must be true or false'), out[3]
assert out[4] == {'id': None, 'error': \"line 5: missing 'id'\"}, out[4]
assert out[5]['id'] is None and out[5]['error'].startswith('line 6: '), out[5]
assert out[6]['id'] == 'ok2' and 'triage' in out[6]
PY"
# Exit status 2 and a message naming the file (both must hold).
check "missing input file" bash -c "out=\$('$bin' triage /nonexistent/cases.jsonl 2>&1); rc=\$?; test \$rc -eq 2 && grep -q \"cannot open '/nonexistent/cases.jsonl'\" <<< \"\$out\""

# validate exits 1 on under-triage and names the case.
echo '{"id":"under","findings":{"bladder_dysfunction":false,"bowel_dysfunction":false,"saddle_numbness":false,"leg_weakness":"none"},"expected":{"triage":"emergency","conditions":[]}}' > under.jsonl
check "validate exit 1 on under-triage" bash -c \
  "'$bin' validate under.jsonl > u.txt; test \$? -eq 1 && grep -q 'under: expected emergency, got self_care' u.txt"

# A reviewer's copy of the knowledge base: same version when unchanged;
# refused with file:line when broken.
cp -r "$src/knowledge" kbcopy
check "--kb copy has the built-in version" bash -c \
  "test \"\$('$bin' --kb kbcopy kb info | head -1)\" = \"\$('$bin' kb info | head -1)\""
sed -i 's/when: bladder_dysfunction or bowel_dysfunction/when: bladder_dysfunction or bowel_dysfuncton/' kbcopy/rules/nerves.yaml
check "kb lint reports file:line and exits 1" bash -c \
  "'$bin' kb lint --kb kbcopy > l.txt; test \$? -eq 1 && grep -q \"^rules/nerves.yaml:4:[0-9]*: rule ces.bladder_bowel when: unknown finding 'bowel_dysfuncton'\" l.txt"
check "triage refuses a knowledge base that does not lint" bash -c \
  "'$bin' --kb kbcopy triage '$shared/vignettes/public.jsonl' > r.txt 2> e.txt; test \$? -ne 0 && ! test -s r.txt && grep -q 'does not lint clean' e.txt"

# A knowledge base with the wrong YAML shape in any kind of file is refused
# with file:line and exit 1, never an abort (issue 12, finding 4).
malformed() {  # name file perl-substitution expected-file-prefix
  rm -rf "kbbad_$1" && cp -r "$src/knowledge" "kbbad_$1" &&
    perl -0pi -e "$3" "kbbad_$1/$2" &&
    ! cmp -s "$src/knowledge/$2" "kbbad_$1/$2" || { echo "no change: $1"; return 1; }
  check "malformed $1: kb lint says $2:line, exit 1" bash -c \
    "'$bin' --kb kbbad_$1 kb lint > m.txt 2>&1; test \$? -eq 1 && grep -q '^$2:[1-9][0-9]*:' m.txt && ! grep -q terminate m.txt"
  check "malformed $1: triage refuses it, exit 2" bash -c \
    "'$bin' --kb kbbad_$1 triage '$src/examples/cases.jsonl' > /dev/null 2> m.txt; test \$? -eq 2 && grep -q '$2:[1-9]' m.txt"
}
malformed levels_list kb.yaml 's/^levels:\n(  [^\n]*\n)+/levels: [a, b]\n/m'
malformed level_scalar kb.yaml 's/^(  routine:)\n(    [^\n]*\n)+/$1 soon\n/m'
malformed findings_scalar findings.yaml 's/^findings:.*\z/findings: none\n/ms'
malformed finding_scalar findings.yaml 's/^  - key: age\n/  - just text\n  - key: age\n/m'
malformed rule_list rules/nerves.yaml 's/^  - id: /  - [a, b]\n  - id: /m'
malformed rules_file_list rules/course.yaml 's/\A.*\z/- a\n- b\n/s'
malformed condition_scalar conditions.yaml 's/^  - id: /  - x\n  - id: /m'
malformed source_list sources.yaml 's/^  - id: /  - [x]\n  - id: /m'
malformed conflict_scalar conflicts.yaml 's/^  - id: /  - text\n  - id: /m'
malformed plan_scalar plan.yaml 's/\A.*\z/just text\n/s'
malformed questions_item questions.yaml 's/^  - id: /  - [x]\n  - id: /m'
malformed diary_list diary.yaml 's/\A.*\z/- a\n/s'

# Readable text output carries the notice once and every case.
check "text format" bash -c "
  '$bin' triage --format text '$src/examples/cases.jsonl' > x.txt &&
  test \$(grep -c 'not a diagnosis' x.txt) -eq 1 &&
  grep -q '^EMERGENCY: ' x.txt && grep -q '^SELF CARE: ' x.txt &&
  test \$(grep -c '^Case ' x.txt) -eq \$(wc -l < '$src/examples/cases.jsonl')"

# Partial data: every JSON result says whether the screen is complete and
# what could not be ruled out; the text opens with the deciding questions.
printf '%s\n' '{"id":"partial","age":39,"sex":"male","findings":{"onset_with_movement":true,"pain_score":5}}' > partial.jsonl
check "json: screen and could_not_rule_out always" bash -c "
  '$bin' triage partial.jsonl | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r[\"screen\"][\"complete\"] is False and any(u[\"level\"]==\"emergency\" and \"bladder_dysfunction\" in u[\"missing\"] for u in r[\"could_not_rule_out\"]) and \"nerve_signs\" in r[\"screen\"][\"open_questions\"], r'"
check "json --full: the open questions in words" bash -c "
  '$bin' triage --full partial.jsonl | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r[\"screen\"][\"complete\"] is False and r[\"could_not_rule_out\"] and any(q[\"finding\"]==\"bladder_dysfunction\" and q[\"level\"]==\"emergency\" and q[\"question\"]==\"nerve_signs\" and q[\"text\"] for q in r[\"screen\"][\"open_questions\"]), r'"
# The compact result (the default) loses nothing but the words: the same
# fields as --full, open_questions the full form's question ids in order
# without repeats, every other field equal, on the vignettes.
check "json: compact = --full without the words" bash -c "
  '$bin' triage '$src/knowledge/vignettes/own.jsonl' > compact.jsonl &&
  '$bin' triage --full '$src/knowledge/vignettes/own.jsonl' > full.jsonl &&
  python3 -c '
import json
n = 0
for a, b in zip(open(\"compact.jsonl\"), open(\"full.jsonl\")):
    a, b = json.loads(a), json.loads(b)
    ids = []
    for q in b[\"screen\"][\"open_questions\"]:
        if q[\"question\"] and q[\"question\"] not in ids:
            ids.append(q[\"question\"])
    assert a[\"screen\"][\"open_questions\"] == ids, (a[\"id\"], ids)
    assert a[\"screen\"][\"complete\"] == b[\"screen\"][\"complete\"]
    missing = {m for u in b[\"could_not_rule_out\"] for m in u[\"missing\"]}
    assert {q[\"finding\"] for q in b[\"screen\"][\"open_questions\"]} == missing, a[\"id\"]
    del a[\"screen\"], b[\"screen\"]
    assert a == b, a[\"id\"]
    n += 1
assert n > 100, n
'"
check "text: an incomplete result opens with the questions" bash -c "
  '$bin' triage --format text partial.jsonl > p.txt &&
  q=\$(grep -n 'Answers to these could' p.txt | head -1 | cut -d: -f1) &&
  l=\$(grep -n '^SELF CARE: ' p.txt | head -1 | cut -d: -f1) &&
  test -n \"\$q\" && test \"\$q\" -lt \"\$l\" && grep -q '(could make it EMERGENCY)' p.txt && ! grep -q '^  - None of these' p.txt"
check "validate --interview reports questions asked" bash -c "
  '$bin' validate --interview '$shared/vignettes/public.jsonl' > i.txt && grep -q '^protocol: interview' i.txt && grep -q 'not emergency' i.txt && grep -q '^under-triage:           0' i.txt"
check "validate takes several files" bash -c "
  '$bin' validate '$shared/vignettes/public.jsonl' '$src/knowledge/vignettes/own.jsonl' | grep -q \"^cases: \$(cat '$shared/vignettes/public.jsonl' '$src/knowledge/vignettes/own.jsonl' | grep -c .) validated\""

finish
