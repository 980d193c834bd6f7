// Builds the web page into OUT_DIR (index.html, assets/app.js,
// assets/style.css), for `backaid serve --web OUT_DIR`.
//
// Usage: node build.mjs --src WEB_SRC_DIR --out OUT_DIR
//
// The page never decides anything clinical (the server does: triage,
// branching, plan), and it names the API's ids with the words the server
// sends (GET /v1/vocabulary): nothing of the knowledge base is built in.
import { mkdirSync, copyFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
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
const out = arg("out");

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
});

copyFileSync(join(src, "static/index.html"), join(out, "index.html"));
copyFileSync(join(src, "static/style.css"), join(out, "assets/style.css"));
copyFileSync(join(src, "static/icon.svg"), join(out, "assets/icon.svg"));
writeFileSync(join(out, "build-stamp"), new Date().toISOString() + "\n");
