// The handover summary for a doctor or physiotherapist, laid out for printing
// (assets/style.css has the print rules): assessment answers, red flags
// reported, pertinent negatives with the time they were answered, level,
// reasons, plan and the diary's pain trend.
import { vocab } from "./vocab";
import * as api from "./api";
import { painChart } from "./chart";
import { becauseText, conditionName, findingMeaning, LEVEL_HEADLINE, serviceName, sourceName } from "./common";
import { h, replaceChildren } from "./dom";
import * as store from "./store";

export interface SummaryHost {
  main: HTMLElement;
  go(route: string): void;
  showError(where: HTMLElement, err: unknown, retry?: () => void): void;
}

function when(iso: string | number): string {
  const d = new Date(iso);
  return `${d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}, ${d.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" })}`;
}

function answerText(q: api.Question | undefined, v: api.AnswerValue): string {
  if (!q) return Array.isArray(v) ? v.join(", ") : String(v);
  if (q.kind === "number") return v === "unsure" ? "not sure" : `${v}${q.unit ? " " + q.unit : ""}`;
  const ids = Array.isArray(v) ? v : [v];
  return ids.map((id) => q.options.find((o) => o.id === id)?.label ?? id).join("; ");
}

interface Source {
  startedAt: string;
  answers: api.Answers;
  findings: api.Findings;
  triage: api.TriageResult;
  plan: api.Plan;
  entries: api.Entry[];
  trend: api.PainTrend | null;
  number: string;
}

export async function showSummary(host: SummaryHost): Promise<void> {
  replaceChildren(host.main, h("p", null, "Loading the summary…"));
  let src: Source;
  let questionnaire: api.Questionnaire;
  try {
    questionnaire = await api.getQuestionnaire();
    const ep = store.episode();
    const last = store.session().last;
    if (ep && (!last || ep.answers === JSON.stringify(last.answers))) {
      const e = await api.getEpisode(ep.id, ep.token);
      src = {
        startedAt: e.created_at, answers: e.initial.answers, findings: e.initial.findings,
        triage: e.review.triage, plan: e.review.plan, entries: e.entries, trend: e.review.pain_trend,
        number: e.emergency_number,
      };
    } else if (last && last.finished) {
      src = {
        startedAt: new Date().toISOString(), answers: last.answers, findings: last.findings, triage: last.triage,
        plan: last.plan, entries: [], trend: null, number: last.emergency_number,
      };
    } else {
      replaceChildren(host.main, h("h1", { tabindex: -1 }, "Handover summary"),
        h("p", null, "There is nothing to summarise yet: answer the questions first."),
        h("a", { class: "button primary", href: "#/" }, "Go to the start"));
      return;
    }
  } catch (err) {
    const box = h("div", null);
    replaceChildren(host.main, h("h1", { tabindex: -1 }, "Handover summary"), box);
    host.showError(box, err, () => void showSummary(host));
    return;
  }
  const qs = new Map(questionnaire.questions.map((q) => [q.id, q]));
  const t = src.triage;

  // Red-flag findings answered "no": only what the person was asked and
  // answered (the vocabulary's "asks": the sex question does not ask about
  // pregnancy), grouped by question with one time for the assessment, and
  // one line per diary entry. Only yes/no findings read as "no".
  const answered = Object.keys(src.answers);
  const shown = new Set<string>();
  const negativeGroups: { title: string; items: string[] }[] = [];
  for (const q of answered) {
    const items = (vocab.asks?.[q] ?? []).filter((k) => src.findings[k] === false && vocab.findings[k]?.red_flag && !shown.has(k));
    items.forEach((k) => shown.add(k));
    if (items.length) negativeGroups.push({ title: qs.get(q)?.text ?? q, items: items.map(findingMeaning) });
  }
  if (!answered.length) {
    const items = Object.entries(src.findings).filter(([k, v]) => v === false && vocab.findings[k]?.red_flag).map(([k]) => findingMeaning(k));
    if (items.length) negativeGroups.push({ title: "Findings given", items });
  }
  const diaryNegatives: { at: string; items: string[] }[] = [];
  const reported: { text: string; at: string }[] = [];
  for (const e of src.entries) {
    const items: string[] = [];
    for (const [k, v] of Object.entries(e.findings)) {
      if (v === false && vocab.findings[k]?.red_flag) items.push(findingMeaning(k));
      else if (v !== false && v !== null) reported.push({ text: becauseText(v === true ? k : `${k}=${v}`), at: e.at });
    }
    if (items.length) diaryNegatives.push({ at: e.at, items });
  }
  const capital = (t: string): string => t.charAt(0).toUpperCase() + t.slice(1);

  const printBtn = h("button", { type: "button", class: "primary", "data-testid": "print" }, "Print or save as PDF");
  printBtn.addEventListener("click", () => window.print());
  const backBtn = h("button", { type: "button", class: "secondary" }, "Back");
  backBtn.addEventListener("click", () => history.back());

  replaceChildren(host.main, h("article", { class: "summary", "data-testid": "summary" },
    h("h1", { tabindex: -1 }, "backaid handover summary"),
    h("p", { class: "notice" }, "For the doctor or physiotherapist. backaid gives information and triage, not a diagnosis; the person has not been examined."),
    h("p", null, `Assessment: ${when(src.startedAt)}. Printed: ${when(Date.now())}.`),
    h("div", { class: "no-print actions" }, printBtn, backBtn),
    h("section", null, h("h2", null, "Level"),
      h("p", { class: `summary-level level-text-${t.triage}`, "data-testid": "summary-level" }, LEVEL_HEADLINE[t.triage](src.number)),
      h("p", null, vocab.levels[t.triage] ?? ""),
      t.see?.length ? h("p", null, "See: ", t.see.map(serviceName).join("; ")) : null,
      t.conditions.length ? h("p", null, "To be checked for (not diagnosed): ", t.conditions.map(conditionName).join("; ")) : null),
    h("section", null, h("h2", null, "Red flags"),
      t.red_flags.length || reported.length ? h("ul", null,
        t.red_flags.map((k) => h("li", null, `Reported: ${findingMeaning(k)}`)),
        reported.map((r) => h("li", null, `Reported in the diary: ${r.text} (${when(r.at)})`))) : h("p", null, "None reported."),
      h("h3", null, "Pertinent negatives"),
      negativeGroups.length || diaryNegatives.length ? h("div", { "data-testid": "negatives" },
        negativeGroups.length ? [h("p", null, `Answered no at the assessment (${when(src.startedAt)}):`),
          h("ul", null, negativeGroups.map((g) => h("li", null, `${capital(g.items.join("; "))}.`)))] : null,
        diaryNegatives.length ? h("ul", null, diaryNegatives.map((d) => h("li", null, `Answered no in the diary, ${when(d.at)}: ${d.items.join("; ")}.`))) : null)
        : h("p", null, "None recorded."),
      t.not_assessed.length ? [h("h3", null, "Not assessed (never taken as no)"),
        h("ul", null, t.not_assessed.map((k) => h("li", null, findingMeaning(k))))] : null),
    h("section", null, h("h2", null, "Reasons"),
      h("ul", null, (t.explanation ?? []).map((e) => h("li", null, `${e.reason} (${LEVEL_HEADLINE[e.level](src.number)}; sources: ${e.sources.map(sourceName).join("; ")})`)))),
    h("section", null, h("h2", null, "Answers"),
      h("dl", { class: "answers" }, Object.entries(src.answers).map(([id, v]) => [
        h("dt", null, qs.get(id)?.text ?? id), h("dd", null, answerText(qs.get(id), v))]))),
    h("section", null, h("h2", null, "Plan"),
      h("ul", null, src.plan.items.map((i) => h("li", null, h("strong", null, i.title), ": ", i.text)))),
    h("section", null, h("h2", null, "Diary"),
      src.entries.length ? [
        src.trend ? painChart(src.trend) : null,
        src.trend && src.trend.direction !== "unknown" ? h("p", null, `Trend: ${src.trend.direction} (first ${src.trend.first ?? "?"}, last ${src.trend.last ?? "?"}, lowest ${src.trend.lowest ?? "?"}, highest ${src.trend.highest ?? "?"}).`) : null,
        h("ul", null, src.entries.map((e) => h("li", null, `${when(e.at)}: pain ${e.pain ?? "not given"}${e.note ? `; “${e.note}”` : ""}`)))]
        : h("p", null, "No diary entries.")),
    h("p", { class: "kb" }, `Knowledge base ${src.plan.kb_version}`)));
  host.main.querySelector<HTMLElement>("h1")?.focus();
}
