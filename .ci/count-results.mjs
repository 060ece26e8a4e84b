// Counts every assertion in tap's saved TAP streams (one file per test file, under
// .tap/test-results) with tap-parser, descending into subtests so that each leaf assertion counts
// once (the `ok N - name` line that closes a subtest is its summary, not an assertion), and prints
// the "N passed, N failed" line CI reads.
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

const count = { passed: 0, failed: 0, skipped: 0 };
function watch(parser) {
  const children = [];
  parser.on('child', child => { children.push(child.name); watch(child); });
  parser.on('assert', a => {
    const i = children.indexOf(a.name);
    if (i >= 0) { children.splice(i, 1); return; } // summary line of a subtest
    if (a.skip || a.todo) count.skipped += 1;
    else if (a.ok) count.passed += 1;
    else count.failed += 1;
  });
}

for (const file of files.sort()) {
  const parser = new Parser();
  watch(parser);
  let final;
  parser.on('complete', r => { final = r; });
  parser.end(readFileSync(file, 'utf8'));
  // A file that crashed before its first assertion leaves an empty stream, which tap-parser reads
  // as "no tests found" and ok: only an explicit skip-all plan may have no assertions.
  const empty = final && final.count === 0 && !(final.plan.skipAll && final.plan.skipReason !== 'no tests found');
  if (!final || (!final.ok && final.fail === 0) || empty) {
    count.failed += 1;
    console.log(`not ok - ${file}: the test file did not finish cleanly`);
  }
}
if (files.length === 0) count.failed += 1;
// Every test file must have left a result stream.
const wanted = [];
const collect = dir => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p);
    else if (p.endsWith('.test.ts')) wanted.push(p);
  }
};
collect('test');
for (const t of wanted) {
  if (!files.includes(join(root, `${t}.tap`))) {
    count.failed += 1;
    console.log(`not ok - ${t}: no tap results`);
  }
}
if (count.skipped > 0) console.log(`${count.skipped} skipped or todo`);
console.log(`${count.passed} passed, ${count.failed} failed`);
process.exit(count.failed > 0 ? 1 : 0);
