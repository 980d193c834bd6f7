// backaid in the browser: start, questions, result, diary, summary. Routes
// are in the URL fragment; the episode token never is.
import { showDiary } from "./diary";
import { alertText, h, replaceChildren } from "./dom";
import { startQuestions } from "./questions";
import { renderResult } from "./result";
import * as store from "./store";
import { showSummary } from "./summary";
import { beforeYouStart, emergencyNumber, loadVocabulary, regions } from "./vocab";

const main = document.getElementById("main") as HTMLElement;

function updateHeader(): void {
  const n = emergencyNumber(store.region());
  const a = document.getElementById("top-call") as HTMLAnchorElement | null;
  if (a) {
    a.href = `tel:${n}`;
    a.textContent = `call ${n}`;
  }
}

function showError(where: HTMLElement, err: unknown, retry?: () => void): void {
  const msg = err instanceof Error ? err.message : String(err);
  const box = h("div", { class: "error", role: "alert" },
    h("p", null, h("strong", null, "That did not work. "), msg),
    h("p", null, `If you feel worse or have any warning sign, do not wait: call ${emergencyNumber(store.region())}.`));
  if (retry) {
    const b = h("button", { type: "button", class: "secondary" }, "Try again");
    b.addEventListener("click", retry);
    box.appendChild(b);
  }
  replaceChildren(where, box);
}

const host = { main, go, showError };

function go(route: string): void {
  if (location.hash === route) void render();
  else location.hash = route;
}

function startView(): void {
  const current = store.region();
  const fs = h("fieldset", { class: "region" }, h("legend", null, "Where are you? (for the emergency number)"),
    regions().map(({ id: r, name, emergency_number: number }) => {
      const id = `region-${r}`;
      const input = h("input", { type: "radio", name: "region", id, value: r, checked: r === current });
      input.addEventListener("change", () => {
        store.setRegion(r);
        updateHeader();
        const p = document.getElementById("start-emergency");
        if (p) p.textContent = beforeYouStart(number);
      });
      return h("div", { class: "choice" }, input, h("label", { for: id }, `${name}: ${number}`));
    }));
  const n = emergencyNumber(current);
  const start = h("button", { type: "button", class: "primary big", "data-testid": "start" }, "Start the questions");
  start.addEventListener("click", () => {
    store.setSession(null);
    go("#/questions");
  });
  const ep = store.episode();
  replaceChildren(main,
    h("h1", { tabindex: -1 }, "Back spasm check"),
    h("p", { class: "lead" }, "Answer a few questions about your back pain. backaid tells you how soon to get help, who to see and how to look after yourself, with the reasons and their sources."),
    h("div", { class: "notice", "data-testid": "not-diagnosis" },
      h("p", null, h("strong", null, "This is not a diagnosis. "),
        "backaid gives information and triage. It does not replace a doctor, pharmacist or physiotherapist who examines you.")),
    h("p", { class: "emergency-note", id: "start-emergency" }, beforeYouStart(n)),
    fs,
    h("p", { class: "hint" }, "About 20 questions, one at a time. No account; nothing is saved on the server unless you start a diary or a calendar."),
    start,
    ep ? h("p", null, h("a", { href: "#/diary", "data-testid": "continue-diary" }, "Continue your diary")) : null);
  main.querySelector<HTMLElement>("h1")?.focus();
}

async function render(): Promise<void> {
  document.body.classList.remove("emergency-mode");
  updateHeader();
  const route = location.hash || "#/";
  // Every view names the knowledge base's ids and regions. The server
  // writes its vocabulary into index.html, so this only asks the server
  // when the page was served without it.
  try {
    await loadVocabulary();
  } catch (err) {
    showError(main, err, () => void render());
    return;
  }
  updateHeader();
  switch (route) {
    case "#/questions":
      await startQuestions(host);
      break;
    case "#/result": {
      const last = store.session().last;
      if (!last || !last.finished) go("#/questions");
      else renderResult(host, last);
      break;
    }
    case "#/diary":
      await showDiary(host);
      break;
    case "#/summary":
      await showSummary(host);
      break;
    case "#/deleted":
      replaceChildren(main, h("h1", { tabindex: -1 }, "Your data was deleted"),
        h("p", null, "Your diary, your answers and the plan were erased from the server, and this browser no longer keeps anything of them."),
        h("a", { href: "#/", class: "button primary" }, "Back to the start"));
      main.querySelector<HTMLElement>("h1")?.focus();
      alertText("Your data was deleted");
      break;
    default:
      startView();
  }
}

window.addEventListener("hashchange", () => void render());
void render();
