// Pain over the episode as an SVG line chart, with the meaningful-change
// line (the first score minus the smallest change that counts). A table of
// the same numbers follows for screen readers and for print.
import type { PainTrend } from "./api";
import { h, svg } from "./dom";

const W = 320, H = 180, L = 34, R = 10, T = 12, B = 30;

export function painChart(trend: PainTrend): HTMLElement {
  const pts = trend.points;
  if (pts.length === 0) {
    return h("p", { class: "hint", "data-testid": "chart-empty" }, "No pain scores yet. Add a check-in to start the chart.");
  }
  const times = pts.map((p) => Date.parse(p.at));
  const t0 = times[0];
  const t1 = Math.max(times[times.length - 1], t0 + 1);
  const x = (t: number): number => pts.length === 1 ? L + (W - L - R) / 2 : L + ((t - t0) / (t1 - t0)) * (W - L - R);
  const y = (v: number): number => T + ((10 - v) / 10) * (H - T - B);
  const grid = [0, 2, 4, 6, 8, 10].map((v) => [
    svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }),
    svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", class: "axis" }, String(v)),
  ]);
  const first = pts[0].pain;
  const mc = trend.meaningful_change;
  const line = first - mc >= 0 ? [
    svg("line", { x1: L, x2: W - R, y1: y(first - mc), y2: y(first - mc), class: "mc-line", "data-testid": "mc-line" }),
    svg("text", { x: W - R, y: y(first - mc) - 4, "text-anchor": "end", class: "mc-label" }, `real improvement (−${mc})`),
  ] : null;
  const d = pts.map((p, i) => `${i ? "L" : "M"}${x(times[i]).toFixed(1)},${y(p.pain).toFixed(1)}`).join(" ");
  const fmt = (t: number): string => new Date(t).toLocaleDateString(undefined, { day: "numeric", month: "short" });
  const label = `Pain from ${first} to ${pts[pts.length - 1].pain} out of 10 over ${pts.length} scores; ${trend.direction === "unknown" ? "no trend yet" : trend.direction}.`;
  const chart = svg("svg", {
    viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-labelledby": "chart-title chart-desc",
    "data-testid": "pain-chart",
  },
    svg("title", { id: "chart-title" }, "Pain over time"),
    svg("desc", { id: "chart-desc" }, label),
    grid, line,
    svg("path", { d, class: "pain-line" }),
    pts.map((p, i) => svg("circle", { cx: x(times[i]), cy: y(p.pain), r: 4, class: "pain-point" })),
    svg("text", { x: L, y: H - 8, class: "axis" }, fmt(t0)),
    pts.length > 1 ? svg("text", { x: W - R, y: H - 8, "text-anchor": "end", class: "axis" }, fmt(t1)) : null);
  return h("figure", { class: "chart-figure" }, chart,
    h("figcaption", null, label, ` A fall of ${mc} points or more is a real change.`),
    h("details", null, h("summary", null, "Pain scores as a table"),
      h("table", null, h("thead", null, h("tr", null, h("th", { scope: "col" }, "When"), h("th", { scope: "col" }, "Pain (0-10)"))),
        h("tbody", null, pts.map((p) => h("tr", null,
          h("td", null, new Date(p.at).toLocaleString()), h("td", null, String(p.pain))))))));
}
