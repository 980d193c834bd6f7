// Builds the web page into OUT_DIR (index.html, assets/app.js,
// assets/style.css), for `backaid serve --web OUT_DIR`.
//
// Usage: node build.mjs --src WEB_SRC_DIR --kb KNOWLEDGE_DIR --out OUT_DIR
//
// The page never decides anything clinical (the server does: triage,
// branching, plan). It only needs the plain-language names of ids that the
// API returns as ids (levels, services, conditions, sources, findings) and
// the diary's vocabulary (activities, red-flag options). Those are read from
// the knowledge base at build time, so they are never copied by hand.
import { readFileSync, mkdirSync, copyFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import * as esbuild from "esbuild";

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) {
    console.error(`build.mjs: missing --${name}`);
    process.exit(2);
  }
  return resolve(process.argv[i + 1]);
}

const src = arg("src");
const kbDir = arg("kb");
const out = arg("out");

const load = (f) => parse(readFileSync(join(kbDir, f), "utf8"));

// The names the page shows for the API's ids.
function vocabulary() {
  const kb = load("kb.yaml");
  const findings = load("findings.yaml").findings;
  const conditions = load("conditions.yaml").conditions;
  const sources = load("sources.yaml").sources;
  const diary = load("diary.yaml");
  const questions = load("questions.yaml").questions;
  const v = {
    levels: {},
    services: {},
    conditions: {},
    sources: {},
    findings: {},
    activities: diary.activities.map((a) => ({ id: a.id, label: a.label })),
    meaningfulChange: diary.pain.meaningful_change,
    // Diary "new symptoms": every answer option of the red-flag checklists
    // (section danger), with the findings it sets.
    redFlagOptions: [],
  };
  for (const [id, l] of Object.entries(kb.levels)) v.levels[id] = l.meaning;
  for (const s of kb.services) v.services[s.id] = s.name;
  for (const c of conditions) v.conditions[c.id] = c.name;
  for (const s of sources) v.sources[s.cite] = s.title;
  for (const f of findings) {
    v.findings[f.key] = { meaning: f.meaning, red_flag: !!f.red_flag };
  }
  for (const q of questions) {
    if (q.section !== "danger" || q.kind !== "checklist") continue;
    for (const o of q.options) {
      if (o.role || !o.sets) continue;
      v.redFlagOptions.push({ id: `${q.id}.${o.id}`, label: o.label, sets: o.sets });
    }
  }
  if (v.redFlagOptions.length === 0) throw new Error("no red-flag options found");
  return v;
}

const vocab = vocabulary();
mkdirSync(join(out, "assets"), { recursive: true });

await esbuild.build({
  entryPoints: [join(src, "src/main.ts")],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "iife",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  outfile: join(out, "assets/app.js"),
  logLevel: "warning",
  plugins: [
    {
      name: "backaid-vocab",
      setup(build) {
        build.onResolve({ filter: /^backaid:vocab$/ }, () => ({
          path: "vocab",
          namespace: "backaid-vocab",
        }));
        build.onLoad({ filter: /.*/, namespace: "backaid-vocab" }, () => ({
          contents: JSON.stringify(vocab),
          loader: "json",
        }));
      },
    },
  ],
});

copyFileSync(join(src, "static/index.html"), join(out, "index.html"));
copyFileSync(join(src, "static/style.css"), join(out, "assets/style.css"));
copyFileSync(join(src, "static/icon.svg"), join(out, "assets/icon.svg"));
writeFileSync(join(out, "build-stamp"), new Date().toISOString() + "\n");
