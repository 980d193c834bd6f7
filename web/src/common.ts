// Pieces shared by the views: level wording and icons, names of ids, the
// emergency screen.
import { levelHeadline, vocab } from "./vocab";
import type { Explanation, Level, NowStep, Plan, PlanItem } from "./api";
import { h, svg, type Child } from "./dom";

// How each level is announced: the knowledge base's headline (regions.yaml)
// with the emergency number `n`.
export const LEVEL_HEADLINE: Record<Level, (n: string) => string> = {
  emergency: (n) => levelHeadline("emergency", n),
  urgent: (n) => levelHeadline("urgent", n),
  routine: (n) => levelHeadline("routine", n),
  self_care: (n) => levelHeadline("self_care", n),
};
export const LEVEL_SHORT: Record<Level, string> = {
  emergency: "emergency", urgent: "urgent", routine: "routine", self_care: "self-care",
};
export const LEVEL_RANK: Record<Level, number> = { self_care: 0, routine: 1, urgent: 2, emergency: 3 };

export function levelIcon(level: Level): SVGElement {
  const paths: Record<Level, Child> = {
    emergency: [svg("path", { d: "M12 2 1 21h22z", fill: "currentColor" }),
      svg("path", { d: "M11 9h2v6h-2zm0 8h2v2h-2z", fill: "var(--icon-cut)" })],
    urgent: [svg("circle", { cx: 12, cy: 12, r: 10, fill: "currentColor" }),
      svg("path", { d: "M11 6h2v6.6l4 2.4-1 1.7-5-3z", fill: "var(--icon-cut)" })],
    routine: [svg("rect", { x: 3, y: 4, width: 18, height: 17, rx: 2, fill: "currentColor" }),
      svg("path", { d: "M5 9h14v10H5z", fill: "var(--icon-cut)" }),
      svg("path", { d: "M7 11h3v3H7z", fill: "currentColor" })],
    self_care: [svg("path", { d: "M12 3 2 12h3v9h5v-6h4v6h5v-9h3z", fill: "currentColor" })],
  };
  return svg("svg", { class: "icon", viewBox: "0 0 24 24", width: 32, height: 32, "aria-hidden": "true", focusable: "false" }, paths[level]);
}

export function levelBanner(level: Level, emergencyNumber: string, tag: "h1" | "h2" = "h1"): HTMLElement {
  const heading = h(tag, { class: "level-title", tabindex: tag === "h1" ? -1 : null }, LEVEL_HEADLINE[level](emergencyNumber));
  return h("div", { class: `level level-${level}`, "data-level": level },
    levelIcon(level), h("div", null, heading, h("p", null, vocab.levels[level] ?? "")));
}

export const sourceName = (cite: string): string => vocab.sources[cite] ?? cite;
export const serviceName = (id: string): string => vocab.services[id] ?? id.replace(/_/g, " ");
export const conditionName = (id: string): string => vocab.conditions[id] ?? id.replace(/_/g, " ");
export const findingMeaning = (key: string): string => vocab.findings[key]?.meaning ?? key.replace(/_/g, " ");

// "bladder_dysfunction" / "leg_weakness=both" / "x=not assessed" in words.
export function becauseText(b: string): string {
  const eq = b.indexOf("=");
  if (eq < 0) return findingMeaning(b);
  const key = b.slice(0, eq);
  const val = b.slice(eq + 1);
  return `${findingMeaning(key)}: ${val.replace(/_/g, " ")}`;
}

export function sourcesList(sources: string[]): HTMLElement {
  return h("p", { class: "sources" }, "Sources: ", sources.map(sourceName).join("; "));
}

export function explanationDetails(ex: Explanation[]): HTMLElement {
  return h("div", { class: "why" }, ex.map((e) =>
    h("details", null,
      h("summary", null, h("span", { class: `tag tag-${e.level}` }, LEVEL_SHORT[e.level]), " ", e.reason),
      e.because.length ? h("div", null, h("p", null, "Because of what you told us:"),
        h("ul", null, e.because.map((b) => h("li", null, becauseText(b))))) : null,
      sourcesList(e.sources))));
}

export function planItem(item: PlanItem, headingTag: "h3" | "h4" = "h3"): HTMLElement {
  const variantNote: Record<string, string> = {
    caution: "Take care:",
    check_first: "Check these first; do not take it if any applies:",
    not_for_you: "Not advised for you, because:",
  };
  return h("article", { class: `item variant-${item.variant}`, "data-item": item.id },
    h(headingTag, null, item.title),
    h("p", null, item.text),
    item.steps.length ? h("ol", { class: "steps" }, item.steps.map((s) => h("li", null, s))) : null,
    item.concerns?.length ? h("div", { class: "concerns" },
      h("p", null, h("strong", null, variantNote[item.variant] ?? "Note:")),
      h("ul", null, item.concerns.map((c) => h("li", null, c)))) : null,
    item.decision ? h("details", null, h("summary", null, "Sources disagree here"), h("p", null, item.decision)) : null,
    item.sources.length ? sourcesList(item.sources) : null);
}

// The server's first steps (what_to_do_now: WhatToDoNow), in its order,
// as a numbered list: the title, then the text.
export function nowSteps(steps: NowStep[]): HTMLElement {
  return h("ol", { class: "do-now-steps" }, steps.map((st) => h("li", { "data-step": st.id },
    h("strong", null, st.title.replace(/\.?$/, ".")), st.text ? ` ${st.text}` : "")));
}

// The full-screen emergency call: the call link first and alone on the
// screen; below it, open, what to tell the call handler (the knowledge
// base's script as the server filled it in), what to do while waiting (the
// server's steps after its call, each as the plan gives it in full) and
// why; then `extra` (print the summary, erase the data).
export function emergencyScreen(number: string, why: Explanation[], steps: NowStep[], plan: Plan,
  script: { title: string; lines: string[] } | null, extra?: Child): HTMLElement {
  document.body.classList.add("emergency-mode");
  const reasons = why.filter((e) => e.level === "emergency");
  const now: PlanItem[] = steps.filter((st) => st.role !== "emergency_call").map((st) =>
    plan.items.find((i) => i.id === st.id) ??
      { id: st.id, section: "", variant: "advice", title: st.title, text: st.text, steps: [], sources: st.sources ?? [] });
  return h("section", { class: "emergency", "aria-labelledby": "emergency-title" },
    h("div", { class: "emergency-call" },
      levelIcon("emergency"),
      h("h1", { id: "emergency-title", tabindex: -1 }, `Call ${number} now`),
      h("a", { class: "call-link", href: `tel:${number}`, "data-testid": "call-link" }, `Call ${number}`),
      h("p", { class: "emergency-lead" }, "Or go to the nearest emergency department now.")),
    h("div", { class: "emergency-more" },
      script ? h("section", { class: "call-script", "aria-labelledby": "call-script-h", "data-testid": "call-script" },
        h("h2", { id: "call-script-h" }, script.title),
        h("ol", null, script.lines.map((l) => h("li", null, l)))) : null,
      reasons.length ? h("section", { "aria-labelledby": "why-h", "data-testid": "emergency-why" },
        h("h2", { id: "why-h" }, "Why"),
        explanationDetails(reasons)) : null,
      now.length ? h("section", { "aria-labelledby": "wait-h", "data-testid": "while-you-wait" },
        h("h2", { id: "wait-h" }, "Until help comes"), now.map((i) => planItem(i))) : null,
      // Said once on this screen, as on every result.
      h("p", { class: "notice", "data-testid": "not-diagnosis" },
        "This is not a diagnosis: the crew or the emergency department will examine you."),
      extra ?? null));
}
