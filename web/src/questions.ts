// One question at a time. The page keeps the answers so far and posts them
// all to /v1/assessments after each answer; the server says which question
// comes next (the same branching as `backaid assess`) and when it is done.
import * as api from "./api";
import { painScale } from "./painscale";
import { announce, h, nextId, replaceChildren } from "./dom";
import * as store from "./store";

export interface QuestionsHost {
  main: HTMLElement;
  go(route: string): void;
  showError(where: HTMLElement, err: unknown, retry: () => void): void;
}

// The browser's Back button goes to the previous question: every question
// shown is a history entry (#/questions with {answered: n}); going back to
// one takes back the answers given after it and shows that question with
// its answer. The page's own Back button goes through the same history.
interface QState { answered: number }
const stateOf = (): QState | null => {
  const st = history.state as Partial<QState> | null;
  return st && typeof st.answered === "number" ? { answered: st.answered } : null;
};

// Takes back the answers after the first `n`; returns the last one taken
// back (to show the question with its answer), or undefined.
function rewindTo(n: number): api.AnswerValue | undefined {
  const s = store.session();
  let prefill: api.AnswerValue | undefined;
  while (s.order.length > n) {
    const id = s.order.pop()!;
    prefill = s.answers[id];
    delete s.answers[id];
  }
  s.last = null;
  store.setSession(s);
  return prefill;
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
    // Back from the result (or a later question): that question again.
    const prefill = rewindTo(st.answered);
    await post(host, store.session(), prefill);
    return;
  }
  const s = store.session();
  if (s.last && !s.last.finished && s.last.next_question) {
    renderQuestion(host, s.last, undefined);
    return;
  }
  await post(host, s, undefined);
}

async function post(host: QuestionsHost, s: store.Session, prefill: api.AnswerValue | undefined,
                    onError?: () => void): Promise<void> {
  try {
    const a = await api.assess(s.answers, store.region());
    s.last = a;
    store.setSession(s);
    if (a.finished || !a.next_question) {
      host.go("#/result");
      return;
    }
    renderQuestion(host, a, prefill);
  } catch (err) {
    onError?.();
    const box = h("div", null);
    replaceChildren(host.main, h("h1", { tabindex: -1 }, "Something went wrong"), box);
    host.showError(box, err, () => void post(host, store.session(), prefill));
  }
}

function renderQuestion(host: QuestionsHost, a: api.Assessment, prefill: api.AnswerValue | undefined): void {
  const q = a.next_question!;
  const s = store.session();
  const number = a.progress.answered + 1;
  const about = Math.max(a.progress.about, number);
  const errId = nextId("err");
  const helpId = nextId("help");
  const err = h("p", { id: errId, class: "field-error", hidden: true });
  const titleId = nextId("q");

  let body: HTMLElement;
  let value: () => api.AnswerValue | string | null;  // string = error text

  if (q.kind === "number" && q.min === 0 && q.max === 10 && !q.unit) {
    // A 0-10 scale: eleven radios (painscale.ts), none chosen at first.
    const scale = painScale(q.text, "pain-scale");
    scale.el.querySelector("legend")?.setAttribute("id", titleId);
    scale.el.querySelector("legend")?.classList.add("q-text");
    scale.set(typeof prefill === "number" ? prefill : null);
    let unsure = false;
    body = h("div", { class: "number-q" }, scale.el,
      h("button", {
        type: "button", class: "secondary", "data-testid": "not-sure",
        onclick: () => { unsure = true; scale.el.closest("form")?.requestSubmit(); },
      }, "I'm not sure"));
    value = () => {
      if (unsure) { unsure = false; return "unsure"; }
      const v = scale.value();
      return v === null ? `Choose a number from 0 to 10, or "I'm not sure".` : v;
    };
  } else if (q.kind === "number") {
    const inputId = nextId("num");
    const input = h("input", {
      id: inputId, type: "number", inputmode: "numeric", min: q.min ?? null, max: q.max ?? null, step: "any",
      "aria-describedby": `${errId} ${inputId}-range`, autocomplete: "off",
      value: typeof prefill === "number" ? prefill : null,
    });
    let unsure = false;
    body = h("div", { class: "number-q" },
      h("label", { for: inputId, id: titleId, class: "q-text" }, q.text),
      h("div", { class: "number-row" }, input, q.unit ? h("span", { class: "unit" }, q.unit) : null),
      h("p", { id: `${inputId}-range`, class: "hint" }, `Between ${q.min} and ${q.max}${q.unit ? " " + q.unit : ""}.`),
      h("button", {
        type: "button", class: "secondary", "data-testid": "not-sure",
        onclick: () => { unsure = true; input.closest("form")?.requestSubmit(); },
      }, "I'm not sure"));
    value = () => {
      if (unsure) { unsure = false; return "unsure"; }
      const raw = input.value.trim();
      const v = Number(raw);
      if (raw === "" || !Number.isFinite(v)) return `Type a number, or choose "I'm not sure".`;
      if ((q.min !== undefined && v < q.min) || (q.max !== undefined && v > q.max)) {
        return `Type a number between ${q.min} and ${q.max}.`;
      }
      return v;
    };
  } else {
    const multi = q.kind === "checklist";
    const name = nextId("opt");
    const picked = new Set<string>(
      Array.isArray(prefill) ? prefill : typeof prefill === "string" ? [prefill] : []);
    const inputs: HTMLInputElement[] = [];
    const roles = new Map(q.options.map((o) => [o.id, o.role]));
    const rows = q.options.map((o) => {
      const id = nextId("o");
      const input = h("input", {
        id, type: multi ? "checkbox" : "radio", name, value: o.id, checked: picked.has(o.id),
        "data-role": o.role,
      });
      inputs.push(input);
      if (multi) {
        // "None of these" excludes every other tick; any other tick
        // (including "I'm not sure") clears "None of these".
        input.addEventListener("change", () => {
          if (!input.checked) return;
          for (const other of inputs) {
            if (other === input) continue;
            const r = roles.get(other.value);
            if (o.role === "none" || r === "none") other.checked = false;
          }
        });
      }
      return h("div", { class: `choice role-${o.role}` }, input, h("label", { for: id }, o.label));
    });
    body = h("fieldset", { "aria-describedby": errId },
      h("legend", { id: titleId, class: "q-text" }, q.text), rows);
    value = () => {
      const ticked = inputs.filter((i) => i.checked).map((i) => i.value);
      if (ticked.length === 0) {
        return multi ? `Tick at least one, or "None of these" or "I'm not sure".` : "Choose one answer.";
      }
      return multi ? ticked : ticked[0];
    };
  }

  const helpBox = h("div", { id: helpId, class: "help", hidden: true }, h("p", null, q.help));
  const helpBtn = h("button", {
    type: "button", class: "link-button", "aria-expanded": "false", "aria-controls": helpId,
  }, "Help with this question");
  helpBtn.addEventListener("click", () => {
    const open = helpBox.hidden;
    helpBox.hidden = !open;
    helpBtn.setAttribute("aria-expanded", String(open));
  });

  const nextBtn = h("button", { type: "submit", class: "primary", "data-testid": "next" }, "Next");
  const backBtn = h("button", { type: "button", class: "secondary", "data-testid": "back" },
    s.order.length ? "Back" : "Back to start");
  const form = h("form", { class: "question", "data-question": q.id, novalidate: true, "aria-labelledby": titleId },
    body, err, q.help ? [helpBtn, helpBox] : null,
    h("div", { class: "actions" }, backBtn, nextBtn));

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = value();
    if (v === null || (typeof v === "string" && q.kind !== "single" && v !== "unsure")) {
      err.textContent = String(v);
      err.hidden = false;
      err.setAttribute("role", "alert");
      form.querySelector<HTMLElement>("input")?.setAttribute("aria-invalid", "true");
      form.querySelector<HTMLElement>("input")?.focus();
      return;
    }
    if (q.kind === "single" && typeof v === "string" && !q.options.some((o) => o.id === v)) {
      err.textContent = v;
      err.hidden = false;
      err.setAttribute("role", "alert");
      form.querySelector<HTMLElement>("input")?.focus();
      return;
    }
    const cur = store.session();
    cur.answers[q.id] = v as api.AnswerValue;
    cur.order.push(q.id);
    nextBtn.disabled = true;
    void post(host, cur, undefined, () => {
      const undo = store.session();
      delete undo.answers[q.id];
      undo.order = undo.order.filter((x) => x !== q.id);
      store.setSession(undo);
    });
  });
  backBtn.addEventListener("click", () => {
    const cur = store.session();
    if (cur.order.length && stateOf()?.answered === cur.order.length) {
      history.back();  // the popstate handler rewinds one answer
      return;
    }
    const last = cur.order.pop();
    if (last === undefined) {
      host.go("#/");
      return;
    }
    const prev = cur.answers[last];
    delete cur.answers[last];
    store.setSession(cur);
    void post(host, cur, prev);
  });

  // One history entry per question shown (see stateOf above).
  const answered = s.order.length;
  const st = stateOf();
  if (!st || st.answered >= answered) history.replaceState({ answered }, "", "#/questions");
  else history.pushState({ answered }, "", "#/questions");

  replaceChildren(host.main,
    h("h1", { class: "section-title" }, q.section_title),
    h("div", { class: "progress" },
      h("p", { id: "progress-text", "data-testid": "progress" }, `Question ${number} of about ${about}`),
      h("progress", { max: about, value: number - 1, "aria-labelledby": "progress-text" })),
    form);
  const first = form.querySelector<HTMLElement>("legend, label.q-text");
  if (first) {
    first.setAttribute("tabindex", "-1");
    first.focus();
  }
  announce(`Question ${number} of about ${about}`);
}
