// Countdown timers for the plan's ice and heat sessions (and walking
// breaks). The end time is kept in localStorage, so a reload keeps
// counting. Notifications are asked for only when the person clicks
// "Notify me", never on page load.
import type { PlanActivity } from "./api";
import { alertText, announce, h } from "./dom";
import * as store from "./store";

const ticking = new Map<string, number>();

function mmss(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function notify(title: string, body: string): void {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  try {
    new Notification(title, { body, tag: "backaid-timer" });
  } catch { /* some mobile browsers only allow service-worker notifications */ }
}

export function hasTimer(a: PlanActivity): boolean {
  // Activities that repeat for a while (ice, heat, walks in plan.yaml); the
  // one-off checks have no interval.
  return a.duration_minutes > 0 && a.every_minutes > 0;
}

export function timerControl(a: PlanActivity): HTMLElement {
  const display = h("span", { class: "timer-display", role: "timer", "aria-live": "off", "data-testid": `timer-${a.id}` },
    mmss(a.duration_minutes * 60_000));
  const btn = h("button", { type: "button", class: "secondary", "data-testid": `timer-start-${a.id}` });
  const box = h("div", { class: "timer" }, btn, display);

  const stop = (finished: boolean): void => {
    const t = store.timers();
    delete t[a.id];
    store.setTimers(t);
    const handle = ticking.get(a.id);
    if (handle !== undefined) window.clearInterval(handle);
    ticking.delete(a.id);
    display.textContent = finished ? "Done" : mmss(a.duration_minutes * 60_000);
    btn.textContent = `Start ${a.duration_minutes}-minute ${a.title.toLowerCase()} timer`;
    btn.setAttribute("aria-pressed", "false");
    if (finished) {
      const msg = `${a.title}: ${a.duration_minutes} minutes are up. Take it off now.`;
      alertText(msg);
      notify("backaid timer", msg);
    }
  };
  const run = (end: number): void => {
    btn.textContent = `Stop ${a.title.toLowerCase()} timer`;
    btn.setAttribute("aria-pressed", "true");
    const tick = (): void => {
      const left = end - Date.now();
      if (left <= 0) {
        stop(true);
        return;
      }
      display.textContent = mmss(left);
      // A screen reader hears the minutes, not every second.
      if (Math.ceil(left / 1000) % 60 === 0) announce(`${a.title}: ${Math.round(left / 60000)} minutes left`);
    };
    tick();
    const old = ticking.get(a.id);
    if (old !== undefined) window.clearInterval(old);
    ticking.set(a.id, window.setInterval(tick, 1000));
  };

  btn.addEventListener("click", () => {
    if (store.timers()[a.id]) {
      stop(false);
      announce(`${a.title} timer stopped`);
      return;
    }
    const end = Date.now() + a.duration_minutes * 60_000;
    const t = store.timers();
    t[a.id] = end;
    store.setTimers(t);
    announce(`${a.title} timer started: ${a.duration_minutes} minutes`);
    run(end);
  });

  const saved = store.timers()[a.id];
  if (saved && saved > Date.now()) run(saved);
  else stop(false);
  return box;
}

export function notifyButton(): HTMLElement | null {
  if (!("Notification" in window)) return null;
  const status = h("span", { class: "hint", "aria-live": "polite" });
  const btn = h("button", { type: "button", class: "secondary", "data-testid": "notify" }, "Notify me when a timer ends");
  const show = (): void => {
    const p = Notification.permission;
    status.textContent = p === "granted" ? "Notifications are on." : p === "denied" ? "Notifications are blocked in this browser; the page will still show and announce the end." : "";
    btn.hidden = p !== "default";
  };
  btn.addEventListener("click", () => {
    void Notification.requestPermission().then(show, show);
  });
  show();
  return h("div", { class: "notify" }, btn, status);
}
