// The accuracy harness's hand-kept lists (bench/accuracy-reviewed.ts) must point at real label
// rows: a typo in a file name or message number would silently stop a correction or a kept
// reason from applying, and the printed figures would no longer say what the note claims.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEPT, REVIEWED } from '../../bench/accuracy-reviewed.js';

// A byte-for-byte copy of ../shared/corpus/labels.jsonl (test/fixtures/corpus/PROVENANCE.md).
const corpus = join(import.meta.dirname, '..', 'fixtures', 'corpus');
interface Label { file: string; message: number; index?: number; recipient: string | null; status?: string; reason?: string }
const labels: Label[] = readFileSync(join(corpus, 'labels-all.jsonl'), 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l) as Label);
const key = (r: { file: string; message: number; index?: number }) => `${r.file}#${r.message}.${r.index ?? 1}`;
const byKey = new Map(labels.map(l => [key(l), l]));

t.test('every reviewed correction names a label row and repeats its value', async t => {
  for (const r of REVIEWED) {
    const label = byKey.get(key(r));
    t.ok(label, `${key(r)} is a label row`);
    if (!label) continue;
    if (r.field === 'recipient') t.equal(r.label, label.recipient, `${key(r)}: recipient as labelled`);
    if (r.field === 'status') t.equal(r.label, label.status, `${key(r)}: status as labelled`);
    if (r.field === 'reason') t.equal(r.label, label.reason, `${key(r)}: reason as labelled`);
    if (r.field === 'message') t.equal(r.label, String(label.message), `${key(r)}: message as labelled`);
    if (r.field === 'bounce') t.equal(label.recipient, null, `${key(r)}: labelled not a bounce`);
    t.not(r.ours, r.label, `${key(r)}: a correction changes the value`);
    t.ok(r.evidence.length > 10, `${key(r)}: carries evidence`);
  }
});

t.test('every kept disagreement names a label row once, with a reason', async t => {
  const seen = new Set<string>();
  for (const k of KEPT) {
    t.ok(byKey.has(key(k)), `${key(k)} is a label row`);
    t.notOk(seen.has(key(k)), `${key(k)} is listed once`);
    seen.add(key(k));
    t.ok(k.why.length > 10, `${key(k)}: carries a reason`);
  }
});
