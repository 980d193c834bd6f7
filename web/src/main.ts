// backaid in the browser: start, questions, result, diary, summary. Routes
// are in the URL fragment; the episode token never is.
import { showDiary } from "./diary";
import { alertText, h, replaceChildren } from "./dom";
import { startQuestions } from "./questions";
import { renderResult } from "./result";
import * as store from "./store";
import { showSummary } from "./summary";
import { beforeYouStart, emergencyNumber, loadVocabulary, regions, vocab } from "./vocab";

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
        // The names and labels in the region's words from now on.
        loadVocabulary(r).then(() => {
          if (p && store.region() === r) p.textContent = beforeYouStart(number);
        }, () => { /* tried again at the next view */ });
      });
      return h("div", { class: "choice" }, input, h("label", { for: id }, `${name}: ${number}`));
    }));
  const n = emergencyNumber(current);
  const start = h("button", { type: "button", class: "primary big", "data-testid": "start" }, "Start the questions");
  // Answers in progress are not thrown away without asking.
  const inProgress = store.session().order.length > 0 && !store.session().last?.finished;
  const titleId = "discard-title";
  const keep = h("button", { type: "button", class: "primary", "data-testid": "keep-answers" }, "Go on where I was");
  const discard = h("button", { type: "button", class: "secondary", "data-testid": "discard-answers" }, "Start again");
  const dialog = h("dialog", { class: "confirm", "aria-labelledby": titleId },
    h("h2", { id: titleId }, "Start again?"),
    h("p", null, `You have answered ${store.session().order.length} question${store.session().order.length === 1 ? "" : "s"}. Starting again throws these answers away.`),
    h("div", { class: "actions" }, keep, discard));
  keep.addEventListener("click", () => { dialog.close(); go("#/questions"); });
  discard.addEventListener("click", () => { dialog.close(); store.setSession(null); go("#/questions"); });
  start.addEventListener("click", () => {
    if (inProgress) {
      dialog.showModal();
      keep.focus();
      return;
    }
    store.setSession(null);
    go("#/questions");
  });
  const ep = store.episode();
  replaceChildren(main,
    h("h1", { tabindex: -1 }, "Back spasm check"),
    h("p", { class: "lead" }, "Answer a few questions about your back pain: backaid tells you how soon to get help and how to look after yourself, with the reasons."),
    h("p", { class: "emergency-note", id: "start-emergency" }, beforeYouStart(n)),
    start, dialog,
    h("div", { class: "notice", "data-testid": "not-diagnosis" },
      h("p", null, h("strong", null, "This is not a diagnosis. "),
        "backaid gives information and triage. It does not replace a doctor, pharmacist or physiotherapist who examines you.")),
    ep ? h("p", null, h("a", { href: "#/diary", "data-testid": "continue-diary" }, "Continue your diary")) : null,
    h("p", { class: "hint" }, "A few short questions on each screen. No account; nothing is saved on the server unless you start a diary or a calendar."),
    fs);
  main.querySelector<HTMLElement>("h1")?.focus();
}

// Who wrote it and how it was checked (reachable from every page: the
// footer link in index.html).
function aboutView(): void {
  const titles = [...new Set(Object.values(vocab.sources))].sort();
  replaceChildren(main,
    h("h1", { tabindex: -1 }, "About backaid"),
    h("p", null, "backaid is a back spasm check written by a small engineering team. Its questions, levels and advice come from a knowledge base in which every rule and advice item names its sources: published guidelines (such as NICE) and articles."),
    h("div", { class: "notice", "data-testid": "sign-off" },
      h("p", null, h("strong", null, "Awaiting clinical sign-off. "),
        "The rules have been checked against published cases and guidelines, but a clinician has not yet signed them off. backaid is not a diagnosis and does not replace a doctor, pharmacist or physiotherapist.")),
    h("h2", null, "Knowledge base"),
    h("p", { "data-testid": "kb-version" }, `Version ${vocab.kb_version}`),
    h("h2", null, "Sources"),
    h("ul", { "data-testid": "about-sources" }, titles.map((t) => h("li", null, t))),
    h("p", null, h("a", { href: "#/" }, "Back to the start")));
  main.querySelector<HTMLElement>("h1")?.focus();
}

async function render(): Promise<void> {
  document.body.classList.remove("emergency-mode");
  updateHeader();
  const route = location.hash || "#/";
  // Every view names the knowledge base's ids and regions, in the words of
  // the person's region. The server writes the default region's vocabulary
  // into index.html, so this asks the server only for another region (or
  // when the page was served without it: then a second time, once the
  // regions are known and the person's region may be another).
  try {
    await loadVocabulary(store.region());
    await loadVocabulary(store.region());
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
    case "#/about":
      aboutView();
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
