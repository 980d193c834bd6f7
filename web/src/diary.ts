// The diary of an episode: the current level, a daily check-in that the
// server re-triages (with a banner when the level goes up), the pain chart,
// export and erase.
import { activities, notePrompts, redFlagOptions, vocab } from "./vocab";
import * as api from "./api";
import { painChart } from "./chart";
import { emergencyScreen, LEVEL_HEADLINE, levelBanner, nowSteps } from "./common";
import { planSections } from "./result";
import { alertText, announce, download, h, nextId, replaceChildren } from "./dom";
import { painScale } from "./painscale";
import * as store from "./store";

export interface DiaryHost {
  main: HTMLElement;
  go(route: string): void;
  showError(where: HTMLElement, err: unknown, retry?: () => void): void;
}

// `saved`: the check-in just saved (its time), confirmed at the top.
export async function showDiary(host: DiaryHost, escalation?: api.Review, saved?: api.Entry): Promise<void> {
  const ep = store.episode();
  if (!ep) {
    replaceChildren(host.main, h("h1", { tabindex: -1 }, "No diary yet"),
      h("p", null, "Answer the questions first; then choose \"Start a diary\" on your result."),
      h("a", { href: "#/", class: "button primary" }, "Go to the start"));
    host.main.querySelector<HTMLElement>("h1")?.focus();
    return;
  }
  let e: api.Episode;
  try {
    e = await api.getEpisode(ep.id, ep.token);
  } catch (err) {
    const box = h("div", null);
    replaceChildren(host.main, h("h1", { tabindex: -1 }, "Your diary"), box);
    if (err instanceof api.ApiError && err.status === 404) {
      store.setEpisode(null);
      replaceChildren(box, h("p", null, "This diary no longer exists on the server (it may have been deleted)."),
        h("a", { href: "#/", class: "button primary" }, "Start a new assessment"));
    } else {
      host.showError(box, err, () => void showDiary(host, escalation));
    }
    return;
  }
  const review = escalation ?? e.review;
  const n = e.emergency_number;
  const savedNote = saved ? h("p", { class: "saved", role: "status", "data-testid": "saved" },
    `Your check-in was saved (${new Date(saved.at).toLocaleString()}).`) : null;
  const sex = e.initial.findings.sex;
  if (review.level === "emergency") {
    // After the call: the person can still put right a mistaken tick, print
    // the summary for the crew and erase the episode.
    replaceChildren(host.main, emergencyScreen(n, review.triage.explanation ?? [],
      review.what_to_do_now, review.plan,
      review.call_script ?? null,
      h("section", { class: "after-call", "aria-labelledby": "after-call-h" },
        h("h2", { id: "after-call-h" }, "Your diary"),
        savedNote,
        correctionSection(host, ep, e.entries),
        dataActions(host, ep))));
    host.main.querySelector<HTMLElement>("h1")?.focus();
    alertText(`Call ${n} now`);
    return;
  }

  const banner = review.escalated ? h("div", { class: "escalation", role: "alert", "data-testid": "escalation" },
    h("h2", null, `Your level has gone up: ${LEVEL_HEADLINE[review.level](n)}`),
    h("p", null, "Because of what you reported, you need help sooner than before."),
    // The server's first steps (WhatToDoNow) and the sections the
    // knowledge base shows open (when to get help): the diary decides none.
    h("section", { class: "do-now", "data-testid": "escalation-steps", "aria-labelledby": "esc-now-h" },
      h("h3", { id: "esc-now-h" }, "What to do now"), nowSteps(review.what_to_do_now)),
    planSections(review.plan, "h3").open) : null;

  const form = checkInForm(host, ep, sex);

  replaceChildren(host.main,
    h("h1", { tabindex: -1 }, "Your diary"),
    savedNote,
    banner,
    h("section", { "aria-labelledby": "now-level" },
      h("h2", { id: "now-level", class: "sr-only" }, "Your level now"),
      levelBanner(review.level, n, "h2")),
    h("section", { "aria-labelledby": "checkin-title" },
      h("h2", { id: "checkin-title" }, "Today's check-in"), form),
    h("section", { "aria-labelledby": "chart-h" },
      h("h2", { id: "chart-h" }, "Pain over the days"), painChart(review.pain_trend)),
    e.entries.length ? h("section", { "aria-labelledby": "entries-h" },
      h("h2", { id: "entries-h" }, "Your check-ins"),
      h("ol", { class: "entries" }, [...e.entries].reverse().map((en) => h("li", null,
        h("strong", null, new Date(en.at).toLocaleString()), ": ",
        en.pain !== null ? `pain ${en.pain}/10` : "no pain score",
        en.done.length ? `; did: ${en.done.map((d) => activities().find((a) => a.id === d)?.label ?? d).join(", ")}` : "",
        Object.keys(en.findings).length ? `; new: ${Object.keys(en.findings).map((k) => vocab.findings[k]?.meaning ?? k).join(", ")}` : "",
        en.note ? `; “${en.note}”` : "")))) : null,
    correctionSection(host, ep, e.entries),
    dataActions(host, ep));
  host.main.querySelector<HTMLElement>("h1")?.focus();
  if (review.escalated) alertText(`Your level has gone up: ${LEVEL_HEADLINE[review.level](n)}`);
  else if (saved) announce("Your check-in was saved.");
}

// The warning signs the person reported in the diary and has not taken back:
// each can be corrected ("I ticked it by mistake"), which adds an entry that
// sets it to its normal value. The mistaken entry stays in the record (and
// in the handover summary) with the correction after it.
function correctionSection(host: DiaryHost, ep: store.StoredEpisode, entries: api.Entry[]): HTMLElement | null {
  const last = new Map<string, api.Findings[string]>();
  for (const en of entries) for (const [k, v] of Object.entries(en.findings)) last.set(k, v);
  const open = [...last].filter(([k, v]) => {
    const f = vocab.findings[k];
    return f?.red_flag && f.normal !== undefined && v !== f.normal;
  }).map(([k]) => k);
  if (!open.length) return null;
  const status = h("div", { "aria-live": "polite" });
  return h("section", { "aria-labelledby": "fix-h", "data-testid": "corrections" },
    h("h2", { id: "fix-h" }, "Ticked something by mistake?"),
    h("p", null, "If you do not have one of these, you can correct it. Your earlier check-in stays in the record, with the correction after it, and your level is worked out again."),
    h("ul", { class: "corrections" }, open.map((k) => {
      const meaning = vocab.findings[k]?.meaning ?? k;
      return h("li", null, confirmButton(`I do not have this: ${meaning}`, `Correct “${meaning}”?`,
        "This records that you do not have it and that the earlier tick was a mistake. If you are not sure, do not correct it: ask for help instead.",
        "Yes, it was a mistake", `correct-${k}`, () => api.addEntry(ep.id, ep.token, {
          findings: { [k]: vocab.findings[k].normal as api.Findings[string] },
          note: `Correction: “${meaning}” was ticked by mistake.`,
        }).then((r) => void showDiary(host, r.review.escalated || r.review.level === "emergency" ? r.review : undefined, r.entry),
          (err) => host.showError(status, err))));
    })), status);
}

// A button that asks in a modal dialog before it acts.
function confirmButton(label: string, title: string, text: string, yes: string, testId: string,
  act: () => Promise<void>): HTMLElement {
  const btn = h("button", { type: "button", class: "secondary", "data-testid": testId }, label);
  const titleId = nextId("dlg");
  const yesBtn = h("button", { type: "button", class: "primary", "data-testid": `confirm-${testId}` }, yes);
  const noBtn = h("button", { type: "button", class: "secondary" }, "Cancel");
  const dialog = h("dialog", { "aria-labelledby": titleId, class: "confirm" },
    h("h2", { id: titleId }, title), h("p", null, text), h("div", { class: "actions" }, noBtn, yesBtn));
  btn.addEventListener("click", () => { dialog.showModal(); noBtn.focus(); });
  noBtn.addEventListener("click", () => { dialog.close(); btn.focus(); });
  yesBtn.addEventListener("click", () => {
    yesBtn.disabled = true;
    void act().finally(() => { yesBtn.disabled = false; if (dialog.open) dialog.close(); });
  });
  return h("span", null, btn, dialog);
}

// PDF, print, export and erase: on every diary screen, the emergency one too.
function dataActions(host: DiaryHost, ep: store.StoredEpisode): HTMLElement {
  const status = h("div", { "aria-live": "polite" });
  const exportBtn = h("button", { type: "button", class: "secondary", "data-testid": "export" }, "Export my data (JSON)");
  exportBtn.addEventListener("click", () => {
    void api.getBlob(ep.id, ep.token, "export").then(
      (b) => { download(b, "backaid-episode.json"); status.textContent = "Your data was downloaded."; },
      (err) => host.showError(status, err));
  });
  const pdfBtn = h("button", { type: "button", class: "secondary", "data-testid": "pdf" }, "Download the handover summary (PDF)");
  pdfBtn.addEventListener("click", () => {
    void api.getBlob(ep.id, ep.token, "summary.pdf").then(
      (b) => { download(b, "backaid-summary.pdf"); status.textContent = "The PDF summary was downloaded."; },
      (err) => host.showError(status, err));
  });
  const printBtn = h("button", { type: "button", class: "secondary", "data-testid": "print-summary" }, "Print the handover summary");
  printBtn.addEventListener("click", () => host.go("#/summary"));
  return h("section", { "aria-labelledby": "data-h" },
    h("h2", { id: "data-h" }, "Your data"),
    h("div", { class: "actions" }, pdfBtn, printBtn, exportBtn, deleteButton(host, ep)),
    status);
}

function checkInForm(host: DiaryHost, ep: store.StoredEpisode, sex: unknown): HTMLFormElement {
  const options = redFlagOptions(sex);
  const pain = painScale("How bad is the pain now? (0 = none, 10 = worst imaginable)");
  const activity = activities().map((a) => {
    const id = nextId("act");
    return h("div", { class: "choice" }, h("input", { id, type: "checkbox", name: "done", value: a.id }), h("label", { for: id }, a.label));
  });
  // The red-flag options, grouped as the assessment asked them; after the
  // options of one question, that question's help (a label may refer to it).
  const groups = new Map<string, HTMLElement[]>();
  options.forEach((o, k) => {
    const id = nextId("rf");
    const g = o.group ?? "";
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(h("div", { class: "choice" }, h("input", { id, type: "checkbox", name: "flag", value: o.id }), h("label", { for: id }, o.label)));
    const question = o.id.split(".")[0];
    const next = options[k + 1];
    if (o.help && (!next || next.id.split(".")[0] !== question || (next.group ?? "") !== g)) {
      groups.get(g)!.push(h("details", { class: "flag-help", "data-testid": `help-${question}` },
        h("summary", null, "Help with this question"), h("p", null, o.help)));
    }
  });
  const flags = [...groups].map(([g, items]) => h("fieldset", { class: "flag-group" }, h("legend", null, g), items));
  const noteId = nextId("note");
  const note = h("textarea", { id: noteId, maxlength: 2000, rows: 3 });
  const prompt = h("div", { "aria-live": "polite", "data-testid": "note-prompt-box" });
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "save-entry" }, "Save today's check-in");
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "checkin", novalidate: true },
    pain.el,
    h("fieldset", null, h("legend", null, "What did you do since the last check-in?"), activity),
    h("fieldset", { class: "new-flags" }, h("legend", null, "Is any of these new? Tick only what is new since you started."), flags),
    h("div", { class: "field" }, h("label", { for: noteId }, "Anything else (optional)"), note, prompt),
    submit, status);
  // A note that may describe a warning sign: offer to tick it (the words are
  // knowledge-base data, diary.yaml note_prompts; nothing is ticked unasked).
  const checkbox = (id: string) => [...form.querySelectorAll<HTMLInputElement>("input[name=flag]")].find((i) => i.value === id);
  const showPrompt = () => {
    const found = suggestedOptions(note.value, sex).filter((o) => !checkbox(o.id)?.checked);
    if (!found.length) { replaceChildren(prompt); return; }
    replaceChildren(prompt, h("div", { class: "note-prompt", "data-testid": "note-prompt" },
      h("p", null, h("strong", null, "Your note may describe a warning sign."),
        " If one of these is new, record it so that your level is worked out again:"),
      h("ul", null, found.map((o) => {
        const b = h("button", { type: "button", class: "secondary", "data-testid": `record-${o.id}` }, `Record: ${o.label}`);
        b.addEventListener("click", () => {
          const c = checkbox(o.id);
          if (c) { c.checked = true; c.focus(); }
          showPrompt();
        });
        return h("li", null, b);
      }))));
  };
  note.addEventListener("input", showPrompt);
  form.addEventListener("change", (ev) => { if ((ev.target as HTMLInputElement).name === "flag") showPrompt(); });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const done = [...form.querySelectorAll<HTMLInputElement>("input[name=done]:checked")].map((i) => i.value);
    const findings: api.Findings = {};
    for (const i of form.querySelectorAll<HTMLInputElement>("input[name=flag]:checked")) {
      Object.assign(findings, options.find((o) => o.id === i.value)?.sets ?? {});
    }
    const body: Parameters<typeof api.addEntry>[2] = {};
    const score = pain.value();
    if (score !== null) body.pain = score;
    if (done.length) body.done = done;
    if (Object.keys(findings).length) body.findings = findings;
    if (note.value.trim()) body.note = note.value.trim();
    if (!Object.keys(body).length) {
      status.textContent = "Nothing to save yet: choose a pain score, tick something or write a note.";
      return;
    }
    submit.disabled = true;
    status.textContent = "Saving…";
    api.addEntry(ep.id, ep.token, body).then(
      (r) => void showDiary(host, r.review.escalated || r.review.level === "emergency" ? r.review : undefined, r.entry),
      (err) => { submit.disabled = false; status.textContent = ""; host.showError(status, err); });
  });
  return form;
}

// The diary's red-flag options that a note's words may describe
// (diary.yaml note_prompts: a word matches at the start of a word).
export function suggestedOptions(text: string, sex?: unknown): api.RedFlagOption[] {
  const t = ` ${text.toLowerCase().replace(/[’‘]/g, "'").replace(/[^a-z0-9']+/g, " ")} `;
  const keys = new Set<string>();
  for (const p of notePrompts()) {
    if (p.words.some((w) => t.includes(` ${w}`))) for (const f of p.findings) keys.add(f);
  }
  return redFlagOptions(sex).filter((o) => Object.entries(o.sets).some(([k, v]) =>
    keys.has(k) && v !== vocab.findings[k]?.normal));
}

function deleteButton(host: DiaryHost, ep: store.StoredEpisode): HTMLElement {
  const btn = h("button", { type: "button", class: "danger", "data-testid": "delete" }, "Delete my data");
  const titleId = nextId("dlg");
  const confirmBtn = h("button", { type: "button", class: "danger", "data-testid": "confirm-delete" }, "Yes, delete everything");
  const cancelBtn = h("button", { type: "button", class: "secondary" }, "Cancel");
  const msg = h("div", { "aria-live": "polite" });
  const dialog = h("dialog", { "aria-labelledby": titleId, class: "confirm" },
    h("h2", { id: titleId }, "Delete your diary?"),
    h("p", null, "This erases your answers, your check-ins and the plan from the server. It cannot be undone. Export your data first if you want a copy."),
    msg, h("div", { class: "actions" }, cancelBtn, confirmBtn));
  btn.addEventListener("click", () => { dialog.showModal(); cancelBtn.focus(); });
  cancelBtn.addEventListener("click", () => { dialog.close(); btn.focus(); });
  confirmBtn.addEventListener("click", () => {
    confirmBtn.disabled = true;
    api.eraseEpisode(ep.id, ep.token).then(() => {
      dialog.close();
      store.forgetEverything();
      host.go("#/deleted");
    }, (err) => { confirmBtn.disabled = false; host.showError(msg, err); });
  });
  return h("span", null, btn, dialog);
}
