// Fills backaid's FHIR Questionnaire in LHC-Forms (a third-party SDC form
// renderer) in Debian's Chromium, as a person would: clicks the answer
// options and types the numbers of each case's answers, in the order the
// adaptive path asked them, then takes the QuestionnaireResponse that
// LHC-Forms itself builds (LForms.Util.getFormFHIRData). Driven by
// lforms_test.py, which compares what $triage makes of it with
// /v1/assessments.
//
// usage: node lforms_fill.mjs --node-modules DIR --job JOB.json --out OUT.json
//        [--shots DIR]
// JOB: {"base": "http://127.0.0.1:PORT", "option_system": "...",
//       "cases": [{"id": "...", "answers": [[linkId, reply], ...]}]}
// reply: a number, null (a number left blank: "not sure"), an option code, or a
// list of option codes. OUT: {"<id>": {"qr": {...}, "missing": [linkId...],
// "lforms_version": "..."}}; `missing` lists answers whose control was not
// on the page (hidden by enableWhen, or not rendered).
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) {
    if (fallback !== undefined) return fallback;
    throw new Error(`missing --${name}`);
  }
  return process.argv[i + 1];
}
const require = createRequire(join(resolve(arg("node-modules")), "resolve.js"));
const { chromium } = require("playwright-core");
const job = JSON.parse(readFileSync(arg("job"), "utf8"));
const shots = arg("shots", "");
if (shots) mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.BACKAID_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update"],
});
const out = {};
try {
  for (const c of job.cases) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(job.base + "/");
    await page.waitForFunction(
      () => window.LForms && LForms.Util && LForms.Util.getFormFHIRData &&
        LForms.Util.addFormToPage, null, { timeout: 60000 });
    const version = await page.evaluate(async () => {
      const q = await (await fetch("/fhir/Questionnaire/backaid-assessment")).json();
      await LForms.Util.addFormToPage(q, "form", { fhirVersion: "R4" });
      return LForms.lformsVersion;
    });
    const missing = [];
    for (const [linkId, reply] of c.answers) {
      const base = `${linkId}/1/1`;
      if (typeof reply === "number") {
        const input = page.locator(`input[id="${base}"]`);
        if (await input.count() !== 1) { missing.push(linkId); continue; }
        await input.fill(String(reply));
        await input.press("Tab");
        continue;
      }
      if (reply === null) {
        // A number the case does not state: left blank, as a person would.
        if (await page.locator(`input[id="${base}"]`).count() !== 1) missing.push(linkId);
        continue;
      }
      for (const code of Array.isArray(reply) ? reply : [reply]) {
        const label = page.locator(`label[id="${base}|${job.option_system}|${code}"]`);
        if (await label.count() !== 1) { missing.push(`${linkId}=${code}`); continue; }
        await label.click();
      }
    }
    const qr = await page.evaluate(() => LForms.Util.getFormFHIRData(
      "QuestionnaireResponse", "R4", document.getElementById("form")));
    if (shots) await page.screenshot({ path: join(shots, `${c.id}.png`), fullPage: true });
    out[c.id] = { qr, missing, lforms_version: version, page_errors: errors };
    await page.close();
  }
} finally {
  await browser.close();
}
writeFileSync(arg("out"), JSON.stringify(out));
