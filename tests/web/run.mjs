// Browser tests of the web page: Debian's Chromium driven by playwright-core
// against the real `backaid serve` (SQLite in a temporary directory, a free
// port), with axe-core checking every page and state for WCAG 2.1 AA.
//
// Usage: node run.mjs --bin BACKAID --web WEB_DIR --node-modules DIR --out DIR
//   DIR of --node-modules: where web/package-lock.json was installed
//   (playwright-core, axe-core); --out: screenshots and downloads.
// Chromium: /usr/bin/chromium (or $BACKAID_CHROMIUM), headless, with the
// flags that keep it off the network, and a fresh user-data-dir.
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`missing --${name}`);
  return process.argv[i + 1];
}
const bin = arg("bin");
const webDir = arg("web");
const outDir = arg("out");
const require = createRequire(join(resolve(arg("node-modules")), "resolve.js"));
const { chromium } = require("playwright-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

mkdirSync(outDir, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), "backaid-web-"));
let server;
let serverLog = "";
let base;
let context;

async function waitFor(cond, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await cond();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}\n${serverLog.slice(-2000)}`);
}

before(async () => {
  const ready = join(tmp, "ready");
  server = spawn(bin, ["serve", "--listen", "127.0.0.1:0", "--ready-file", ready,
    "--db", `sqlite:${join(tmp, "backaid.sqlite")}`, "--web", webDir], { stdio: ["ignore", "pipe", "pipe"] });
  server.stdout.on("data", (d) => { serverLog += d; });
  server.stderr.on("data", (d) => { serverLog += d; });
  server.on("exit", (code) => { serverLog += `\n[server exited ${code}]`; });
  const port = await waitFor(() => {
    if (!existsSync(ready)) return null;
    const m = readFileSync(ready, "utf8").match(/(\d+)\s*$/);
    return m ? Number(m[1]) : null;
  }, 20_000, "the server's ready file");
  base = `http://127.0.0.1:${port}`;
  context = await chromium.launchPersistentContext(join(tmp, "chromium-profile"), {
    executablePath: process.env.BACKAID_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 360, height: 780 },
    acceptDownloads: true,
    locale: "en-GB",
    timezoneId: "Europe/London",
  });
});

after(async () => {
  await context?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => { server.once("exit", r); setTimeout(r, 5000); });
  }
  rmSync(tmp, { recursive: true, force: true });
});

// A fresh page with empty storage, at the start screen.
async function freshPage() {
  const page = await context.newPage();
  page.on("pageerror", (e) => { throw new Error(`page error: ${e.message}`); });
  await page.goto(`${base}/`);
  await page.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
  await page.goto(`${base}/#/`);
  await page.getByTestId("start").waitFor();
  // The default region follows the browser's language (en-GB: 999).
  assert.equal(await page.locator("#top-call").getAttribute("href"), "tel:999");
  await page.getByLabel(/Europe/).check();
  return page;
}

// axe-core: 0 violations of WCAG 2.0/2.1 A and AA.
async function axe(page, state) {
  await page.evaluate(axeSource);
  const r = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const res = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return res.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  });
  assert.deepEqual(r, [], `axe violations on ${state}`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
}

// Answers for a self-care back spasm (ids of knowledge/questions.yaml);
// every checklist not named is "None of these".
const SELF_CARE = {
  age: 35, sex: "male", temperature: 36.8, pulse: 72, blood_pressure: 120, pain_score: 4,
  range_of_motion: "some", walking: "painful",
  below_knee: "no", claudication: "no", onset_days: 1, how_started: "movement",
  small_fall: "no", bone_risks: "no", course: "same", self_care_days: 1, before: "no",
  episodes_6_months: 0, colic: "no", belly_lump: "no", after_meals: "no", pregnant: "no",
  pregnancy_weeks: 0, lying_down: "yes",
};

// Answers the current question from `answers`; returns its id.
async function answerOne(page, answers) {
  const form = page.locator("form.question");
  await form.waitFor();
  const id = await form.getAttribute("data-question");
  const want = answers[id];
  if (await form.getByTestId("pain-scale").count()) {
    // The 0-10 scale: eleven radios, none chosen at first (issue 14).
    assert.equal(await form.locator("input[type=radio]").count(), 11);
    if (want === "unsure") await page.getByTestId("not-sure").click();
    else {
      await form.locator(`input[type=radio][value="${want ?? 1}"]`).check();
      await page.getByTestId("next").click();
    }
  } else if (await form.locator("input[type=number]").count()) {
    if (want === "unsure") await page.getByTestId("not-sure").click();
    else {
      await form.locator("input[type=number]").fill(String(want ?? 1));
      await page.getByTestId("next").click();
    }
  } else {
    const ids = Array.isArray(want) ? want : want !== undefined ? [want] : null;
    const inputs = form.locator("input");
    const n = await inputs.count();
    let picked = false;
    for (let i = 0; i < n; i++) {
      const inp = inputs.nth(i);
      const value = await inp.getAttribute("value");
      const role = await inp.getAttribute("data-role");
      if ((ids && ids.includes(value)) || (!ids && (role === "none" || (!picked && value === "no")))) {
        await inp.check();
        picked = true;
      }
    }
    if (!picked) await inputs.first().check();
    await page.getByTestId("next").click();
  }
  await page.waitForFunction((prev) => {
    const f = document.querySelector("form.question");
    return !f || f.getAttribute("data-question") !== prev;
  }, id);
  return id;
}

async function answerAll(page, answers, limit = 60) {
  const asked = [];
  for (let i = 0; i < limit; i++) {
    if (!(await page.locator("form.question").count())) break;
    asked.push(await answerOne(page, answers));
  }
  return asked;
}

async function toSelfCareResult(page) {
  await page.getByTestId("start").click();
  await page.locator("form.question").waitFor();
  await axe(page, "the first question");
  const asked = await answerAll(page, SELF_CARE);
  await page.locator(".level").first().waitFor();
  return asked;
}

test("self-care path: questions one at a time, back, help, then the plan with timers", async () => {
  const page = await freshPage();
  await axe(page, "the start screen");
  await shot(page, "01-start");
  assert.match(await page.getByTestId("not-diagnosis").innerText(), /not a diagnosis/i);
  // Region changes the emergency number everywhere.
  await page.getByLabel(/United Kingdom/).check();
  assert.equal(await page.locator("#top-call").getAttribute("href"), "tel:999");
  await page.getByLabel(/Europe/).check();

  await page.getByTestId("start").click();
  const first = page.locator("form.question");
  await first.waitFor();
  const firstId = await first.getAttribute("data-question");
  assert.match(await page.getByTestId("progress").innerText(), /^Question 1 of about \d+$/);
  // Help opens and closes with its button.
  const helpBtn = page.getByRole("button", { name: "Help with this question" });
  await helpBtn.click();
  assert.equal(await helpBtn.getAttribute("aria-expanded"), "true");
  // Next without an answer says what is missing and does not move on.
  await page.getByTestId("next").click();
  await page.locator(".field-error:not([hidden])").waitFor();
  assert.equal(await first.getAttribute("data-question"), firstId);
  await answerOne(page, SELF_CARE);
  assert.match(await page.getByTestId("progress").innerText(), /^Question 2 of about/);
  // Back returns to the first question with its answer kept.
  await page.getByTestId("back").click();
  await page.waitForFunction((id) => document.querySelector("form.question")?.getAttribute("data-question") === id, firstId);

  const asked = [firstId, ...(await answerAll(page, SELF_CARE))];
  await page.locator(".level").first().waitFor();
  assert.ok(asked.length >= 10, `only ${asked.length} questions were asked`);
  assert.equal(await page.locator(".level").first().getAttribute("data-level"), "self_care");
  // The red-flag checklists came first.
  assert.ok(asked.indexOf("emergency_signs") < asked.indexOf("pain_score"), asked.join(","));
  await page.locator("section.timeline-section").waitFor();
  await page.locator(".section-safety_net").waitFor();
  assert.match(await page.locator(".section-safety_net h2").innerText(), /Call a doctor if/);
  await axe(page, "the self-care result");
  await shot(page, "02-result-self-care");

  // The ice timer counts down.
  const timer = page.getByTestId("timer-ice");
  const before = await timer.innerText();
  await page.getByTestId("timer-start-ice").click();
  await page.waitForFunction((b) => document.querySelector("[data-testid=timer-ice]").textContent !== b, before);
  assert.match(await timer.innerText(), /^\d+:\d\d$/);
  await page.getByTestId("timer-start-ice").click();  // stop
  await page.close();
});

test("emergency path stops at once with a full-screen call (keyboard only)", async () => {
  const page = await freshPage();
  // Keyboard only: Tab to the start button, Enter.
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement?.getAttribute("data-testid") === "start")) break;
  }
  await page.keyboard.press("Enter");
  await page.locator("form.question").waitFor();
  // Answer everything up to the red-flag checklist "as benign", then tick
  // chest pain with the keyboard.
  for (let i = 0; i < 10; i++) {
    const id = await page.locator("form.question").getAttribute("data-question");
    if (id === "emergency_signs") break;
    await answerOne(page, SELF_CARE);
  }
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.value), "chest_pain");
  await page.keyboard.press("Space");
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement?.getAttribute("data-testid") === "next")) break;
  }
  await page.keyboard.press("Enter");
  const call = page.getByTestId("call-link");
  await call.waitFor();
  assert.equal(await call.getAttribute("href"), "tel:112");
  assert.equal(await page.locator("h1").innerText(), "Call 112 now");
  assert.equal(await page.locator("form.question").count(), 0);
  assert.equal(await page.locator("header.top").isVisible(), false);
  // The call link is in view without scrolling at 360 px.
  const box = await call.boundingBox();
  assert.ok(box && box.y + box.height <= 780, `call link at ${JSON.stringify(box)}`);
  await axe(page, "the emergency screen");
  await shot(page, "03-emergency");
  await page.close();
});

test("calendar download: opens an episode, fetches plan.ics with the token in a header", async () => {
  const page = await freshPage();
  await toSelfCareResult(page);
  const urls = [];
  page.on("request", (r) => urls.push(r.url()));
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("add-calendar").click()]);
  assert.equal(download.suggestedFilename(), "backaid-plan.ics");
  const file = join(outDir, "plan.ics");
  await download.saveAs(file);
  const ics = readFileSync(file, "utf8");
  assert.match(ics, /^BEGIN:VCALENDAR/);
  assert.match(ics, /BEGIN:VEVENT/);
  const ep = await page.evaluate(() => JSON.parse(localStorage.getItem("backaid.episode")));
  assert.ok(ep.id && ep.token);
  for (const u of urls.concat(page.url())) assert.ok(!u.includes(ep.token), `token in URL ${u}`);
  await page.close();
});

test("diary: check-in, escalation banner, chart, print page, PDF, export and delete", async () => {
  const page = await freshPage();
  await toSelfCareResult(page);
  await page.getByTestId("start-diary").click();
  await page.getByTestId("save-entry").waitFor();
  assert.equal(await page.locator(".level").getAttribute("data-level"), "self_care");
  await axe(page, "the diary");

  // The pain scale starts with no score chosen (issue 14).
  const scale = page.getByTestId("pain-scale");
  assert.equal(await scale.locator("input[type=radio]").count(), 11);
  assert.equal(await scale.locator("input:checked").count(), 0);
  // Day 1: a little better, did ice and a walk.
  await scale.locator('input[value="3"]').check();
  await page.getByLabel("Ice or a cold pack").check();
  await page.getByLabel("Short walks").check();
  await page.getByTestId("save-entry").click();
  await page.waitForFunction(() => document.querySelectorAll(".entries li").length === 1);
  assert.match(await page.getByTestId("saved").innerText(), /Your check-in was saved/);
  assert.equal(await page.getByTestId("escalation").count(), 0);

  // Day 2: worse, with a new fever: the level goes up.
  await page.getByTestId("pain-scale").locator('input[value="8"]').check();
  await page.getByLabel(/A fever/).check();
  await page.getByTestId("save-entry").click();
  const banner = page.getByTestId("escalation");
  await banner.waitFor();
  assert.match(await banner.innerText(), /Your level has gone up/);
  assert.notEqual(await page.locator(".level").getAttribute("data-level"), "self_care");
  const chart = page.getByTestId("pain-chart");
  await chart.waitFor();
  assert.equal(await chart.locator("circle").count(), 3);  // initial + 2 entries
  assert.equal(await page.getByTestId("mc-line").count(), 1);
  await axe(page, "the diary after escalation");
  await shot(page, "04-diary-escalated");

  // The print page: pertinent negatives with times, level, print layout.
  await page.goto(`${base}/#/summary`);
  const summary = page.getByTestId("summary");
  await summary.waitFor();
  // Negatives: grouped under one time, only what was asked (issue 14):
  // a man's summary says nothing about pregnancy, no "No ... reported".
  const negatives = await page.getByTestId("negatives").innerText();
  assert.match(negatives, /^Answered no at the assessment \(\d\d:\d\d, /m);
  assert.doesNotMatch(negatives, / reported, \d\d:\d\d/);
  assert.doesNotMatch(await summary.innerText(), /pregnan|vaginal/i);
  assert.doesNotMatch(await summary.innerText(), /self_care|\[self-care/);
  await axe(page, "the summary");
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.getByTestId("print").isVisible(), false);
  assert.equal(await page.locator("header.top").isVisible(), false);
  await shot(page, "05-summary-print");
  await page.pdf({ path: join(outDir, "summary-print.pdf"), format: "A4" });
  await page.emulateMedia({ media: "screen" });

  // The PDF from the server.
  await page.goto(`${base}/#/diary`);
  await page.getByTestId("pdf").waitFor();
  const [pdf] = await Promise.all([page.waitForEvent("download"), page.getByTestId("pdf").click()]);
  const pdfFile = join(outDir, "summary.pdf");
  await pdf.saveAs(pdfFile);
  assert.equal(readFileSync(pdfFile).subarray(0, 5).toString("latin1"), "%PDF-");

  // Export.
  const [exp] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export").click()]);
  const expFile = join(outDir, "export.json");
  await exp.saveAs(expFile);
  const data = JSON.parse(readFileSync(expFile, "utf8"));
  assert.equal(data.format, "backaid-episode-export/1");
  assert.equal(data.episode.entries.length, 2);

  // Delete, with confirmation; afterwards the server has nothing.
  const ep = await page.evaluate(() => JSON.parse(localStorage.getItem("backaid.episode")));
  await page.getByTestId("delete").click();
  await page.getByTestId("confirm-delete").waitFor();
  await axe(page, "the delete confirmation");
  await page.getByTestId("confirm-delete").click();
  await page.getByRole("heading", { name: "Your data was deleted" }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem("backaid.episode")), null);
  const res = await fetch(`${base}/v1/episodes/${ep.id}`, { headers: { Authorization: `Bearer ${ep.token}` } });
  assert.equal(res.status, 404);
  await page.close();
});

test("diary: a new red flag that needs an emergency shows the call screen", async () => {
  const page = await freshPage();
  await toSelfCareResult(page);
  await page.getByTestId("start-diary").click();
  await page.getByTestId("save-entry").waitFor();
  await page.getByLabel(/New trouble peeing/).check();
  await page.getByTestId("save-entry").click();
  const call = page.getByTestId("call-link");
  await call.waitFor();
  assert.equal(await call.getAttribute("href"), "tel:112");
  // After the call screen the person can still correct a mistaken tick,
  // print the summary and erase the episode (issue 14).
  assert.match(await page.getByTestId("saved").innerText(), /Your check-in was saved/);
  await page.getByTestId("correct-bladder_dysfunction").waitFor();
  await page.getByTestId("print-summary").waitFor();
  await page.getByTestId("delete").waitFor();
  await axe(page, "the diary emergency");
  await shot(page, "07-diary-emergency-actions");
  await page.getByTestId("correct-bladder_dysfunction").click();
  await page.getByTestId("confirm-correct-bladder_dysfunction").click();
  await page.getByTestId("save-entry").waitFor();
  assert.equal(await page.getByTestId("call-link").count(), 0);
  assert.equal(await page.getByTestId("corrections").count(), 0);
  assert.match(await page.locator(".entries").innerText(), /Correction: .+ was ticked by mistake/);
  await page.getByTestId("print-summary").click();
  await page.getByTestId("summary").waitFor();
  await page.close();
});

test("diary worsening to one-leg weakness: a note prompts to record it, the level goes up", async () => {
  const page = await freshPage();
  await toSelfCareResult(page);
  await page.getByTestId("start-diary").click();
  await page.getByTestId("save-entry").waitFor();
  // The one-leg signs are offered, from the knowledge base's options.
  await page.getByLabel("New weakness in one leg or foot").waitFor();
  await page.getByLabel("Numbness or pins and needles in one leg").waitFor();
  // Nothing chosen: saving asks for something instead of sending a 5.
  await page.getByTestId("save-entry").click();
  await page.getByText(/Nothing to save yet/).waitFor();
  await page.getByTestId("pain-scale").locator('input[value="6"]').check();
  await page.getByLabel(/Anything else/).fill("My left leg gave way on the stairs");
  const prompt = page.getByTestId("note-prompt");
  await prompt.waitFor();
  assert.match(await prompt.innerText(), /may describe a warning sign/);
  await page.getByTestId("record-leg_symptoms.one_leg_weak").click();
  assert.equal(await page.getByLabel("New weakness in one leg or foot").isChecked(), true);
  await axe(page, "the diary note prompt");
  await page.setViewportSize({ width: 1280, height: 900 });
  await shot(page, "08-diary-note-prompt-1280");
  await page.setViewportSize({ width: 360, height: 780 });
  await shot(page, "08-diary-note-prompt-360");
  await page.getByTestId("save-entry").click();
  const banner = page.getByTestId("escalation");
  await banner.waitFor();
  assert.match(await banner.innerText(), /Your level has gone up/);
  assert.notEqual(await page.locator(".level").first().getAttribute("data-level"), "self_care");
  assert.match(await page.getByTestId("saved").innerText(), /Your check-in was saved/);
  assert.match(await page.locator(".entries").innerText(), /weakness/i);
  await page.getByTestId("correct-leg_weakness").waitFor();
  await axe(page, "the diary after one-leg weakness");
  await shot(page, "09-diary-one-leg-weakness-360");
  await page.close();
});

test("back button: the browser's Back goes to the previous question, Start asks before discarding", async () => {
  const page = await freshPage();
  // The start button is above the fold at 360 x 640.
  await page.setViewportSize({ width: 360, height: 640 });
  await page.evaluate(() => window.scrollTo(0, 0));
  const startBox = await page.getByTestId("start").boundingBox();
  assert.ok(startBox && startBox.y + startBox.height <= 640, `start button at ${JSON.stringify(startBox)}`);
  await shot(page, "10-start-360x640");
  await page.setViewportSize({ width: 360, height: 780 });

  await page.getByTestId("start").click();
  const asked = [];
  for (let i = 0; i < 3; i++) asked.push(await answerOne(page, SELF_CARE));
  const form = page.locator("form.question");
  const fourth = await form.getAttribute("data-question");
  // Browser Back: the third question again, with its answer kept.
  await page.goBack();
  await page.waitForFunction((id) => document.querySelector("form.question")?.getAttribute("data-question") === id, asked[2]);
  assert.equal(await form.locator("input:checked, input[type=number]").count() > 0, true);
  assert.match(page.url(), /#\/questions$/);
  // Twice more: the first question, never the start screen silently.
  await page.goBack();
  await page.waitForFunction((id) => document.querySelector("form.question")?.getAttribute("data-question") === id, asked[1]);
  await page.goBack();
  await page.waitForFunction((id) => document.querySelector("form.question")?.getAttribute("data-question") === id, asked[0]);
  assert.match(await page.getByTestId("progress").innerText(), /^Question 1 of/);
  await axe(page, "a question after Back");
  await shot(page, "11-back-to-first-360");
  // Answer on again, then go to the start: Start asks before discarding.
  await answerOne(page, SELF_CARE);
  await answerOne(page, SELF_CARE);
  await page.goto(`${base}/#/`);
  await page.getByTestId("start").click();
  const keep = page.getByTestId("keep-answers");
  await keep.waitFor();
  await axe(page, "the start-again question");
  await keep.click();
  await page.waitForFunction(() => document.querySelector("form.question")?.getAttribute("data-question"));
  assert.notEqual(await form.getAttribute("data-question"), asked[0]);
  assert.notEqual(fourth, null);
  await page.goto(`${base}/#/`);
  await page.getByTestId("start").click();
  await page.getByTestId("discard-answers").click();
  await page.waitForFunction((id) => document.querySelector("form.question")?.getAttribute("data-question") === id, asked[0]);
  assert.match(await page.getByTestId("progress").innerText(), /^Question 1 of/);

  // Long titles wrap inside their box at 320 px.
  await page.setViewportSize({ width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 320, `page is ${overflow} px wide at 320`);
  await shot(page, "12-question-320");
  await page.setViewportSize({ width: 1280, height: 900 });
  await shot(page, "12-question-1280");
  await page.setViewportSize({ width: 360, height: 780 });
  await page.close();
});

test("from a result: Back returns to the last question; About is one click away", async () => {
  const page = await freshPage();
  const asked = await toSelfCareResult(page);
  await page.goBack();
  await page.waitForFunction((id) => document.querySelector("form.question")?.getAttribute("data-question") === id, asked[asked.length - 1]);
  await answerAll(page, SELF_CARE);
  await page.locator(".level").first().waitFor();
  // About: version, sources, awaiting sign-off, reachable from the result.
  await page.getByTestId("about-link").click();
  await page.getByRole("heading", { name: "About backaid" }).waitFor();
  assert.match(await page.getByTestId("kb-version").innerText(), /^Version \S+/);
  assert.match(await page.getByTestId("sign-off").innerText(), /Awaiting clinical sign-off/);
  assert.ok(await page.getByTestId("about-sources").locator("li").count() >= 5);
  assert.match(await page.getByTestId("about-sources").innerText(), /NICE|Low back pain/);
  assert.doesNotMatch(await page.getByTestId("about-sources").innerText(), /\.txt/);
  await axe(page, "the About page");
  await shot(page, "13-about-360");
  await page.close();
});
