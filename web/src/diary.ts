// The diary of an episode: the current level, a daily check-in that the
// server re-triages (with a banner when the level goes up), the pain chart,
// export and erase.
import { activities, redFlagOptions, vocab } from "./vocab";
import * as api from "./api";
import { painChart } from "./chart";
import { emergencyScreen, LEVEL_HEADLINE, levelBanner, planItem } from "./common";
import { alertText, download, h, nextId, replaceChildren } from "./dom";
import * as store from "./store";

export interface DiaryHost {
  main: HTMLElement;
  go(route: string): void;
  showError(where: HTMLElement, err: unknown, retry?: () => void): void;
}

export async function showDiary(host: DiaryHost, escalation?: api.Review): Promise<void> {
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
  if (review.level === "emergency") {
    replaceChildren(host.main, emergencyScreen(n, review.triage.explanation ?? [], review.what_to_do_now.filter((i) => i.section === "now")));
    host.main.querySelector<HTMLElement>("h1")?.focus();
    alertText(`Call ${n} now`);
    return;
  }

  const banner = review.escalated ? h("div", { class: "escalation", role: "alert", "data-testid": "escalation" },
    h("h2", null, `Your level has gone up: ${LEVEL_HEADLINE[review.level](n)}`),
    h("p", null, "Because of what you reported, you need help sooner than before."),
    review.what_to_do_now.map((i) => planItem(i, "h3"))) : null;

  const form = checkInForm(host, ep);
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
  const printBtn = h("button", { type: "button", class: "secondary" }, "Print the handover summary");
  printBtn.addEventListener("click", () => host.go("#/summary"));

  replaceChildren(host.main,
    h("h1", { tabindex: -1 }, "Your diary"),
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
    h("section", { "aria-labelledby": "data-h" },
      h("h2", { id: "data-h" }, "Your data"),
      h("div", { class: "actions" }, pdfBtn, printBtn, exportBtn, deleteButton(host, ep)),
      status));
  host.main.querySelector<HTMLElement>("h1")?.focus();
  if (review.escalated) alertText(`Your level has gone up: ${LEVEL_HEADLINE[review.level](n)}`);
}

function checkInForm(host: DiaryHost, ep: store.StoredEpisode): HTMLFormElement {
  const painId = nextId("pain");
  const pain = h("input", { id: painId, type: "range", min: 0, max: 10, step: 1, value: 5, "aria-describedby": `${painId}-out` });
  const out = h("output", { id: `${painId}-out`, for: painId, "data-testid": "pain-value" }, "5 out of 10");
  pain.addEventListener("input", () => {
    out.textContent = `${pain.value} out of 10`;
    pain.setAttribute("aria-valuetext", `${pain.value} out of 10`);
  });
  pain.setAttribute("aria-valuetext", "5 out of 10");
  const activity = activities().map((a) => {
    const id = nextId("act");
    return h("div", { class: "choice" }, h("input", { id, type: "checkbox", name: "done", value: a.id }), h("label", { for: id }, a.label));
  });
  const flags = redFlagOptions().map((o) => {
    const id = nextId("rf");
    return h("div", { class: "choice" }, h("input", { id, type: "checkbox", name: "flag", value: o.id }), h("label", { for: id }, o.label));
  });
  const noteId = nextId("note");
  const note = h("textarea", { id: noteId, maxlength: 2000, rows: 3 });
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "save-entry" }, "Save today's check-in");
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "checkin", novalidate: true },
    h("div", { class: "field" },
      h("label", { for: painId }, "How bad is the pain now? (0 = none, 10 = worst imaginable)"),
      h("div", { class: "range-row" }, h("span", { "aria-hidden": "true" }, "0"), pain, h("span", { "aria-hidden": "true" }, "10")), out),
    h("fieldset", null, h("legend", null, "What did you do since the last check-in?"), activity),
    h("fieldset", { class: "new-flags" }, h("legend", null, "Is any of these new? Tick only what is new since you started."), flags),
    h("div", { class: "field" }, h("label", { for: noteId }, "Anything else (optional)"), note),
    submit, status);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const done = [...form.querySelectorAll<HTMLInputElement>("input[name=done]:checked")].map((i) => i.value);
    const findings: api.Findings = {};
    for (const i of form.querySelectorAll<HTMLInputElement>("input[name=flag]:checked")) {
      Object.assign(findings, redFlagOptions().find((o) => o.id === i.value)?.sets ?? {});
    }
    const body: Parameters<typeof api.addEntry>[2] = { pain: Number(pain.value) };
    if (done.length) body.done = done;
    if (Object.keys(findings).length) body.findings = findings;
    if (note.value.trim()) body.note = note.value.trim();
    submit.disabled = true;
    status.textContent = "Saving…";
    api.addEntry(ep.id, ep.token, body).then(
      (r) => void showDiary(host, r.review.escalated || r.review.level === "emergency" ? r.review : undefined),
      (err) => { submit.disabled = false; status.textContent = ""; host.showError(status, err); });
  });
  return form;
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
