#!/usr/bin/env bash
# Drives the real `backaid assess` in a pseudo-terminal (tmux, 80x30) the
# way a person would, and checks what the screen shows.
# Usage: assess_tty_test.sh BACKAID_BINARY
set -uo pipefail
bin=$1
if ! command -v tmux >/dev/null; then
  echo "tmux is not installed (scripts/install-deps installs it)"
  exit 1
fi
sock="backaid_tty_$$"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null' EXIT
passed=0
failed=0
session=""

fail() {
  failed=$((failed + 1))
  echo "FAIL: $1"
  tm capture-pane -p -J -S - -t "$session" 2>/dev/null | tail -40 | sed 's/^/  | /'
}

# start NAME ARGS...: runs the binary in a fresh 80x30 session; the shell
# prints EXIT:<status> when it ends and keeps the pane open.
start() {
  session=$1
  shift
  tm new-session -d -s "$session" -x 80 -y 30 \
    "env -u NO_COLOR TERM=xterm '$bin' assess $*; echo EXIT:\$?; sleep 120"
}

screen() { tm capture-pane -p -J -S - -t "$session"; }

# wait_for TEXT: polls the whole pane history for TEXT for up to 10 s.
wait_for() {
  local i
  for i in $(seq 1 100); do
    if screen | grep -qF -- "$1"; then return 0; fi
    sleep 0.1
  done
  return 1
}

# expect NAME TEXT: passes when TEXT appears.
expect() {
  if wait_for "$2"; then passed=$((passed + 1)); else fail "$1: '$2'"; fi
}

# answer N TEXT: waits for "Question N of", then types TEXT and Enter.
answer() {
  if ! wait_for "Question $1 of"; then
    fail "question $1 never appeared"
    return 1
  fi
  tm send-keys -t "$session" -l -- "$2"
  tm send-keys -t "$session" Enter
}

# ---- a self-care path, with going back to change an answer and help ----
start selfcare --region uk
expect "emergency number at the start" "call 999"
answer 1 34
answer 2 1                      # female ...
expect "sex answered" "Question 3 of"
tm send-keys -t "$session" b Enter   # ... back: change it
answer 2 2                      # male
answer 3 8                      # emergency signs: none
wait_for "Question 4 of"
tm send-keys -t "$session" '?' Enter
expect "help explains the saddle area" "saddle area\" is the skin"
answer 4 8                      # nerve signs: none
answer 5 8                      # illness: none
answer 6 9                      # health history: none
answer 7 6                      # pain 6/10
answer 8 7                      # pain pattern: none
answer 9 2                      # some movements limited
answer 10 2                     # walks, slowed by pain
expect "heel walk help offered" "walk 4 or 5 small steps on your heels"
answer 11 1                     # heel walk normal
answer 12 1                     # toe walk normal
answer 13 1                     # no leg pain
answer 14 5                     # feeling: none
answer 15 0                     # started today
answer 16 1                     # lifting
answer 17 2                     # no fall
answer 18 1                     # first time
answer 19 4                     # context: none
answer 20 9                     # look-alikes: none
answer 21 7                     # medicine safety: none
answer 22 2                     # no paracetamol overuse
answer 23 "1 5"                 # bending, moving
answer 24 "1 2"                 # tender, knot
answer 25 1                     # lying down eases it
expect "result level on top" "SELF CARE:"
expect "why" "fits a back muscle spasm"
expect "the plan" "Your plan"
expect "clean exit" "EXIT:0"
if screen | grep -q "Are you pregnant"; then
  fail "no pregnancy question after changing the answer to male"
else
  passed=$((passed + 1))
fi
if screen | awk 'length > 80 { bad = 1 } END { exit !bad }'; then
  fail "a line is wider than 80 columns"
else
  passed=$((passed + 1))
fi
tm kill-session -t "$session"

# ---- an emergency path that stops early --------------------------------
start emergency
expect "EU number by default" "call 112"
answer 1 58
answer 2 2
answer 3 "1"                    # chest pain
expect "stops and says what to do now" "STOP: this needs help now. Call 112."
expect "emergency level" "EMERGENCY:"
expect "heart reason" "heart attack"
expect "clean exit" "EXIT:0"
if screen | grep -q "Question 4 of"; then
  fail "asked more questions after an emergency"
else
  passed=$((passed + 1))
fi
tm kill-session -t "$session"

# ---- bad input, then Ctrl-C ----------------------------------------------
start interrupt --region us
answer 1 abc
expect "bad number explained" "Please type a number from 1 to 120"
answer 1 30
answer 2 7
expect "bad option explained" "Please type a number from 1 to 4"
tm send-keys -t "$session" C-c
expect "Ctrl-C leaves with a message" "Stopped (Ctrl-C)"
expect "Ctrl-C names the number" "call 911"
expect "Ctrl-C exit status" "EXIT:130"
tm kill-session -t "$session"

# ---- end of input (Ctrl-D) ------------------------------------------------
start eof
answer 1 30
wait_for "Question 2 of"
tm send-keys -t "$session" C-d
expect "end of input leaves with a message" "Stopped: no more input"
expect "end of input exit status" "EXIT:1"
tm kill-session -t "$session"

echo "assess tty: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
