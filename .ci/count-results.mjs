// Counts every assertion in tap's saved TAP streams (one file per test file) with tap-parser in
// flat mode, so subtests' assertions count one by one, and prints the line CI reads.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'tap-parser';

const root = process.argv[2] ?? '.tap/test-results';
const files = [];
const walk = dir => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.tap')) files.push(p);
  }
};
try {
  walk(root);
} catch (err) {
  console.log(`no tap results under ${root}: ${err.message}`);
}

let passed = 0;
let failed = 0;
for (const file of files.sort()) {
  const parser = new Parser({ flat: true });
  let final;
  parser.on('complete', r => { final = r; });
  parser.end(readFileSync(file, 'utf8'));
  if (!final) {
    failed += 1;
    console.log(`not ok - ${file}: incomplete TAP stream`);
    continue;
  }
  // Todo and skipped assertions are neither passes nor failures.
  passed += final.pass - (final.todo ?? 0) - (final.skip ?? 0);
  failed += final.fail;
  if (!final.ok && final.fail === 0) {
    failed += 1;
    console.log(`not ok - ${file}: test file did not finish cleanly`);
  }
}
if (files.length === 0) failed += 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
