// Every package pinned in web/package-lock.json must run on the Node.js that
// a fresh Debian bookworm machine installs (Debian's `nodejs`, 18.20.x): a
// newer Node installed by hand on a developer's or CI's machine would hide a
// dependency that refuses to start there (playwright-core >= 1.62 did).
//
// Usage: node engines_test.mjs LOCKFILE [NODE_VERSION]   (default 18.20.4)
// Uses npm's own semver (resolved from the npm executable) to read ranges.
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync, realpathSync } from "node:fs";

const lockFile = process.argv[2];
const bookwormNode = process.argv[3] ?? "18.20.4";

function npmSemver() {
  const npmBin = realpathSync(execFileSync("sh", ["-c", "command -v npm"]).toString().trim());
  return createRequire(npmBin)("semver");
}

test(`every locked package admits Node ${bookwormNode}`, () => {
  const semver = npmSemver();
  const lock = JSON.parse(readFileSync(lockFile, "utf8"));
  const refusing = [];
  let checked = 0;
  for (const [path, pkg] of Object.entries(lock.packages ?? {})) {
    const range = pkg.engines?.node;
    if (!path || !range) continue;
    checked++;
    if (!semver.satisfies(bookwormNode, range)) {
      refusing.push(`${path}@${pkg.version} needs node ${range}`);
    }
  }
  assert.ok(checked > 0, "no package in the lock file declares engines.node");
  assert.deepEqual(refusing, []);
});

test("the check itself rejects a Node-20-only range", () => {
  const semver = npmSemver();
  assert.equal(semver.satisfies(bookwormNode, ">=20"), false);
});
