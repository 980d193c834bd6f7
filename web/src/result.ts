// The result: level, who to see, why, the plan as a timeline with timers,
// and the buttons that open an episode (calendar, diary, PDF).
import * as api from "./api";
import {
  conditionName, emergencyScreen, explanationDetails, findingMeaning, levelBanner, nowSteps, planItem, serviceName,
} from "./common";
import { download, h, replaceChildren } from "./dom";
import * as store from "./store";
import { emergencyNumber, vocab } from "./vocab";
import { hasTimer, notifyButton, timerControl } from "./timers";

export interface ResultHost {
  main: HTMLElement;
  go(route: string): void;
  showError(where: HTMLElement, err: unknown, retry?: () => void): void;
}

export function duration(min: number): string {
  if (min < 60) return `${min} minutes`;
  if (min % 1440 === 0) return min === 1440 ? "1 day" : `${min / 1440} days`;
  if (min % 60 === 0) return min === 60 ? "1 hour" : `${min / 60} hours`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

export function activityWhen(a: api.PlanActivity): string {
  const from = a.start_minute === 0 ? "From now" : `From ${duration(a.start_minute)} after the start`;
  if (a.every_minutes > 0) {
    return `${from}: ${duration(a.duration_minutes)} every ${duration(a.every_minutes)}, until ${duration(a.until_minute)} after the start`;
  }
  return a.start_minute === 0 ? "Now" : `Once, ${duration(a.start_minute)} after the start`;
}

// The full plan by the knowledge base's sections (the plan's `sections`,
// plan.yaml: their titles, which are shown open, where the timetable
// goes), each folded (<details>) unless the knowledge base marks it open
// (the safety net: what to watch for). `openTag`: the open sections'
// heading level.
export function planSections(plan: api.Plan, openTag: "h2" | "h3" = "h2"): { open: HTMLElement[]; folded: HTMLElement[] } {
  const open: HTMLElement[] = [];
  const folded: HTMLElement[] = [];
  const sections = [...(plan.sections ?? [])];
  // Never hide advice: a section the list lacks is shown under its id.
  for (const i of plan.items) {
    if (!sections.some((s) => s.id === i.section)) {
      sections.push({ id: i.section, title: i.section, rest_title: i.section, open: false, timetable: false });
    }
  }
  for (const sec of sections) {
    const items = plan.items.filter((i) => i.section === sec.id);
    if (items.length && sec.open) {
      const id = `plan-${sec.id}`;
      open.push(h("section", { class: `plan-section section-${sec.id}`, "aria-labelledby": id },
        h(openTag, { id }, sec.title), items.map((i) => planItem(i, openTag === "h2" ? "h3" : "h4"))));
    } else if (items.length) {
      folded.push(h("details", { class: `plan-section section-${sec.id}`, "data-section": sec.id },
        h("summary", null, h("span", { class: "summary-title" }, sec.title)),
        items.map((i) => planItem(i))));
    }
    if (sec.timetable && plan.activities.length) folded.push(timeline(plan.activities));
  }
  return { open, folded };
}

function timeline(activities: api.PlanActivity[]): HTMLElement {
  const sorted = [...activities].sort((a, b) => a.start_minute - b.start_minute);
  return h("details", { class: "timeline-section", "data-section": "timeline" },
    h("summary", null, h("span", { class: "summary-title" }, "Your timetable")),
    h("p", { class: "hint" }, "Times count from when you start the plan. Reminders in the calendar are only set in waking hours."),
    notifyButton(),
    h("ol", { class: "timeline" }, sorted.map((a) =>
      h("li", { "data-activity": a.id },
        h("h3", null, a.title),
        h("p", { class: "when" }, activityWhen(a)),
        h("p", null, a.description),
        hasTimer(a) ? timerControl(a) : null))));
}

// The episode of this result: the stored one if it was opened from these
// same answers, otherwise a new one (its token is kept in this browser).
export async function ensureEpisode(a: api.Assessment): Promise<store.StoredEpisode> {
  const key = JSON.stringify(a.answers);
  const have = store.episode();
  if (have && have.answers === key) return have;
  const e = await api.openEpisode(a.answers, store.region());
  const stored: store.StoredEpisode = {
    id: e.id, token: e.token, created_at: e.created_at, region: e.region, answers: key,
  };
  store.setEpisode(stored);
  return stored;
}

export function renderResult(host: ResultHost, a: api.Assessment): void {
  const t = a.triage;
  const n = a.emergency_number || emergencyNumber(store.region());
  if (t.triage === "emergency") {
    const back = h("button", { type: "button", class: "link-button" }, "I answered a question wrongly: go back");
    back.addEventListener("click", () => {
      document.body.classList.remove("emergency-mode");
      const s = store.session();
      const last = s.order.pop();
      if (last !== undefined) delete s.answers[last];
      s.last = null;
      store.setSession(s);
      host.go("#/questions");
    });
    // Nothing is on the server yet: the answers live in this browser only.
    const print = h("button", { type: "button", class: "secondary", "data-testid": "print-summary" },
      "Print the summary for the ambulance crew or A&E");
    print.addEventListener("click", () => host.go("#/summary"));
    const erase = h("button", { type: "button", class: "secondary", "data-testid": "erase-answers" },
      "Erase my answers from this browser");
    // Only these answers: a diary kept from before keeps its key (it has
    // its own "Delete my data").
    erase.addEventListener("click", () => {
      document.body.classList.remove("emergency-mode");
      store.setSession(null);
      host.go("#/");
    });
    replaceChildren(host.main, emergencyScreen(n, t.explanation ?? [],
      a.what_to_do_now ?? [], a.plan,
      a.call_script ?? null,
      h("section", { class: "after-call", "aria-labelledby": "after-call-h" },
        h("h2", { id: "after-call-h" }, "Your answers"),
        h("div", { class: "actions" }, print, erase),
        back)));
    host.main.querySelector<HTMLElement>("h1")?.focus();
    return;
  }

  const status = h("div", { class: "action-status", "aria-live": "polite" });
  const busy = async (btn: HTMLButtonElement, work: () => Promise<void>): Promise<void> => {
    btn.disabled = true;
    status.textContent = "Working…";
    try {
      await work();
    } catch (err) {
      status.textContent = "";
      host.showError(status, err);
    } finally {
      btn.disabled = false;
    }
  };

  const icsBtn = h("button", { type: "button", class: "secondary", "data-testid": "add-calendar" }, "Add to calendar (.ics)");
  icsBtn.addEventListener("click", () => void busy(icsBtn, async () => {
    const e = await ensureEpisode(a);
    download(await api.getBlob(e.id, e.token, "plan.ics"), "backaid-plan.ics");
    status.textContent = "The calendar file was downloaded. Open it to add the reminders to your calendar.";
  }));
  const printBtn = h("button", { type: "button", class: "secondary", "data-testid": "print-summary" }, "Print the handover summary");
  printBtn.addEventListener("click", () => host.go("#/summary"));
  const diaryBtn = h("button", { type: "button", class: "primary", "data-testid": "start-diary" }, "Start a diary");
  diaryBtn.addEventListener("click", () => void busy(diaryBtn, async () => {
    await ensureEpisode(a);
    host.go("#/diary");
  }));
  const againBtn = h("button", { type: "button", class: "link-button" }, "Start again");
  againBtn.addEventListener("click", () => {
    store.setSession(null);
    host.go("#/");
  });

  const redFlags = t.red_flags.map(findingMeaning);
  const plan = planSections(a.plan);
  // First: at most three things to do now (the server's list, as `backaid
  // assess` leads with it); then the level and why; then the safety net;
  // the rest of the plan and the details folded.
  const steps = a.what_to_do_now ?? [];
  const why = t.explanation ?? [];
  replaceChildren(host.main,
    h("section", { class: "do-now", "aria-labelledby": "do-now-title", "data-testid": "do-now" },
      h("h1", { id: "do-now-title", tabindex: -1 }, "What to do now"),
      steps.length
        ? nowSteps(steps)
        : h("p", null, vocab.levels[t.triage] ?? "")),
    levelBanner(t.triage, n, "h2"),
    h("section", { "aria-labelledby": "why-title", "data-testid": "why" },
      h("h2", { id: "why-title" }, "Why"),
      why.length ? explanationDetails(why)
        : h("p", null, "None of the warning signs we asked about were found.")),
    h("p", { class: "notice", "data-testid": "not-diagnosis" }, "This is not a diagnosis. It tells you how soon to get help and how to look after yourself."),
    plan.open,
    h("h2", { class: "full-plan-title" }, "Your full plan"),
    t.see?.length ? h("details", { class: "see" },
      h("summary", null, h("span", { class: "summary-title" }, "Who to see, and what to tell them")),
      h("ul", null, t.see.map((s) => h("li", null, serviceName(s)))),
      h("h3", null, "What to tell them"),
      h("ul", null,
        redFlags.length ? h("li", null, `The warning signs you reported: ${redFlags.join("; ")}.`) : null,
        h("li", null, "When the pain started, how bad it is (0 to 10) and what makes it worse."),
        h("li", null, "Show them the handover summary (print it or save it as a PDF)."))) : null,
    plan.folded,
    t.conditions.length ? h("details", { class: "conditions" },
      h("summary", null, h("span", { class: "summary-title" }, "What a clinician should check for")),
      h("p", { class: "hint" }, "These are things to rule out, not things you have."),
      h("ul", null, t.conditions.map((c) => h("li", null, conditionName(c))))) : null,
    t.not_assessed.length ? h("details", { class: "not-assessed" },
      h("summary", null, `${t.not_assessed.length} warning signs were not checked`),
      h("p", null, "Not answered is never taken as \"no\". If any of these applies, check again or ask a doctor."),
      h("ul", null, t.not_assessed.map((k) => h("li", null, findingMeaning(k))))) : null,
    h("section", { class: "result-actions", "aria-labelledby": "next-title" },
      h("h2", { id: "next-title" }, "Keep track"),
      h("p", { class: "hint" }, "The calendar and the diary save your answers on this server. Only this browser holds the key to them, and you can delete them at any time."),
      h("div", { class: "actions" }, diaryBtn, icsBtn, printBtn),
      status,
      againBtn),
    h("details", { class: "about-result", "data-testid": "about-result" },
      h("summary", null, "About this result"),
      h("p", null, "The questions, the level and the plan come from the knowledge base, in which every rule and advice item names its sources. The rules await clinical sign-off."),
      h("p", { class: "kb" }, `Knowledge base version ${a.plan.kb_version}`),
      h("p", null, h("a", { href: "#/about" }, "More about backaid"))));
  host.main.querySelector<HTMLElement>("h1")?.focus();
}
