// One screen at a time. A screen is one or more short related questions that
// the server groups (`next_screen` of /v1/assessments: questions.yaml's
// `screen`), shown in one form with one "Next". The page keeps the answers
// so far and posts them all after each screen; the server says which screen
// comes next (the same choice as `backaid assess`) and when it is done.
import * as api from "./api";
import { alertText, announce, h, nextId, replaceChildren } from "./dom";
import { type Field, questionField } from "./question_field";
import * as store from "./store";

export interface QuestionsHost {
  main: HTMLElement;
  go(route: string): void;
  showError(where: HTMLElement, err: unknown, retry: () => void): void;
}

type Prefill = api.Answers;

// The questions to show now, in order: the server's screen, or the one next
// question of a server without screens.
export function screenOf(a: api.Assessment): api.Question[] {
  if (Array.isArray(a.next_screen)) return a.next_screen;
  return a.next_question ? [a.next_question] : [];
}

// "Step N of about M" counts screens (questions for a server without
// them); M never drops below N.
export function stepOf(a: api.Assessment): { n: number; about: number } {
  const p = a.progress;
  const byScreens = typeof p.screens_answered === "number" && typeof p.screens_about === "number";
  const n = (byScreens ? p.screens_answered! : p.answered) + 1;
  const about = Math.max(byScreens ? p.screens_about! : p.about, n);
  return { n, about };
}

// The browser's Back button goes to the previous screen: every screen shown
// is a history entry (#/questions with {answered: n}, the number of answers
// given before that screen); going back to one takes back the answers given
// from it on and shows that screen with all its answers. The page's own
// Back button goes through the same history.
interface QState { answered: number }
const stateOf = (): QState | null => {
  const st = history.state as Partial<QState> | null;
  return st && typeof st.answered === "number" ? { answered: st.answered } : null;
};

// Where the answered screens end in `order` (a session kept by a page
// before screens: one question a screen).
function boundaries(s: store.Session): number[] {
  return s.screens ?? s.order.map((_, i) => i + 1);
}

// Takes back the answers after the first `n`; returns them (to show the
// screen again with its answers).
function rewindTo(n: number): Prefill {
  const s = store.session();
  const prefill: Prefill = {};
  while (s.order.length > n) {
    const id = s.order.pop()!;
    if (id in s.answers) prefill[id] = s.answers[id];
    delete s.answers[id];
  }
  s.screens = boundaries(s).filter((b) => b <= n);
  s.last = null;
  store.setSession(s);
  return prefill;
}

// A screen answered in part (the result's "I answered a question wrongly"
// takes back one answer): back to its start, with the rest of its answers.
function settle(): Prefill | undefined {
  const s = store.session();
  const ends = boundaries(s).filter((b) => b <= s.order.length);
  const lastEnd = ends.length ? ends[ends.length - 1] : 0;
  if (s.order.length === lastEnd) {
    if (s.screens && ends.length !== s.screens.length) {
      s.screens = ends;
      store.setSession(s);
    }
    return undefined;
  }
  return rewindTo(lastEnd);
}

let hostForHistory: QuestionsHost | null = null;
window.addEventListener("popstate", () => {
  // Within the questions (the fragment did not change): rewind here. A
  // change of fragment (from the result) is handled by startQuestions.
  if (!hostForHistory || location.hash !== "#/questions" || !document.querySelector("form.question")) return;
  const st = stateOf();
  const s = store.session();
  if (st && st.answered < s.order.length) {
    const prefill = rewindTo(st.answered);
    void post(hostForHistory, store.session(), prefill);
  } else {
    void post(hostForHistory, s, undefined);
  }
});

export async function startQuestions(host: QuestionsHost): Promise<void> {
  hostForHistory = host;
  const st = stateOf();
  if (st && st.answered < store.session().order.length) {
    // Back from the result (or a later screen): that screen again.
    const prefill = rewindTo(st.answered);
    await post(host, store.session(), prefill);
    return;
  }
  const partial = settle();
  const s = store.session();
  if (!partial && s.last && !s.last.finished && screenOf(s.last).length) {
    renderScreen(host, s.last, undefined);
    return;
  }
  await post(host, s, partial);
}

async function post(host: QuestionsHost, s: store.Session, prefill: Prefill | undefined,
                    onError?: () => void): Promise<void> {
  try {
    const a = await api.assess(s.answers, store.region());
    s.last = a;
    store.setSession(s);
    if (a.finished || screenOf(a).length === 0) {
      host.go("#/result");
      return;
    }
    renderScreen(host, a, prefill);
  } catch (err) {
    onError?.();
    const box = h("div", null);
    replaceChildren(host.main, h("h1", { tabindex: -1 }, "Something went wrong"), box);
    host.showError(box, err, () => void post(host, store.session(), prefill));
  }
}

function renderScreen(host: QuestionsHost, a: api.Assessment, prefill: Prefill | undefined): void {
  const questions = screenOf(a);
  const s = store.session();
  const { n, about } = stepOf(a);
  const headingId = nextId("screen");
  const screenId = questions[0].screen || questions[0].id;

  const form = h("form", {
    class: "question", novalidate: true, "aria-labelledby": headingId,
    "data-screen": screenId, "data-questions": questions.map((q) => q.id).join(" "),
    "data-answered": s.order.length,
  });
  const submit = () => form.requestSubmit();
  const fields: Field[] = questions.map((q) =>
    questionField(q, prefill?.[q.id], { submitIfAlone: questions.length === 1 ? submit : null }));

  const nextBtn = h("button", { type: "submit", class: "primary", "data-testid": "next" }, "Next");
  const backBtn = h("button", { type: "button", class: "secondary", "data-testid": "back" },
    s.order.length ? "Back" : "Back to start");
  form.append(...fields.map((f) => f.el), h("div", { class: "actions" }, backBtn, nextBtn));

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (nextBtn.disabled) return;
    // Every question is checked; every error is shown; the first invalid
    // question gets the focus.
    const values: [api.Question, api.AnswerValue][] = [];
    const invalid: Field[] = [];
    for (const f of fields) {
      const r = f.read();
      if ("error" in r) {
        f.showError(r.error);
        invalid.push(f);
      } else {
        f.showError(null);
        values.push([f.q, r.value]);
      }
    }
    if (invalid.length) {
      invalid[0].focus();
      alertText(invalid.length === 1 ? "One question still needs an answer."
        : `${invalid.length} questions still need an answer.`);
      return;
    }
    const before = store.session();
    const cur = store.session();
    for (const [q, v] of values) {
      cur.answers[q.id] = v;
      cur.order = cur.order.filter((x) => x !== q.id);
      cur.order.push(q.id);
    }
    cur.screens = [...boundaries(before).filter((b) => b <= before.order.length), cur.order.length];
    nextBtn.disabled = true;
    void post(host, cur, undefined, () => store.setSession(before));
  });
  backBtn.addEventListener("click", () => {
    const cur = store.session();
    if (cur.order.length && stateOf()?.answered === cur.order.length) {
      history.back();  // the popstate handler rewinds one screen
      return;
    }
    if (!cur.order.length) {
      host.go("#/");
      return;
    }
    const ends = boundaries(cur).filter((b) => b < cur.order.length);
    const taken = rewindTo(ends.length ? ends[ends.length - 1] : 0);
    void post(host, store.session(), taken);
  });

  // One history entry per screen (see stateOf above).
  const answered = s.order.length;
  const st = stateOf();
  if (!st || st.answered >= answered) history.replaceState({ answered }, "", "#/questions");
  else history.pushState({ answered }, "", "#/questions");

  const progressId = nextId("progress");
  replaceChildren(host.main,
    h("h1", { class: "section-title", id: headingId }, questions[0].section_title),
    h("div", { class: "progress" },
      h("p", { id: progressId, "data-testid": "progress" }, `Step ${n} of about ${about}`),
      h("progress", { max: about, value: n - 1, "aria-labelledby": progressId })),
    form);
  fields[0].title.setAttribute("tabindex", "-1");
  fields[0].title.focus();
  announce(`Step ${n} of about ${about}: ${questions[0].section_title}`);
}
