// `npm run accuracy`: runs parse + classify over the Sisimai corpus (../shared/corpus/emails) and
// compares every labelled recipient row of labels.jsonl: same recipient, same enhanced status,
// same reason — per folder and overall, raw and after the reviewed corrections in
// accuracy-reviewed.ts; then a confusion table of reasons and the list of disagreements.
// A measurement, not a test: it exits 0 unless --check is given and a target is missed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify, loadRuleSet, shippedRuleFiles } from '../src/classify/index.js';
import type { BounceReport } from '../src/domain/report.js';
import { readMessages } from '../src/ingest/files.js';
import { parseReport } from '../src/parse/index.js';
import { packageRoot } from '../src/package-root.js';
import { KEPT, REVIEWED, type Reviewed } from './accuracy-reviewed.js';
import { sisimaiStatus } from './sisimai-status.js';

interface Label {
  file: string; message: number; index?: number; recipient: string | null; status?: string;
  replycode?: string; reason?: string; feedbacktype?: string; bounce?: boolean; source?: string;
}
interface Ours { recipient: string; status: string; reason: string; diagnostic: string; rule: string; kind: string }
interface Row { label: Label; folder: string; ours?: Ours; ok: { recipient: boolean; status: boolean; reason: boolean }; reviewed: { recipient: boolean; status: boolean; reason: boolean } }

const FIELDS = ['recipient', 'status', 'reason'] as const;
const TARGETS = { recipient: 0.99, status: 0.98, reason: 0.95 };
const TARGET_FOLDERS = ['bsd', 'dos', 'mac', 'err', 'mbox'];

const root = process.env.ACCURACY_CORPUS ?? join(packageRoot(), '../shared/corpus');
const check = process.argv.includes('--check');
const labels = readFileSync(join(root, 'labels.jsonl'), 'utf8').trim().split('\n').map(l => JSON.parse(l) as Label);
const rules = loadRuleSet(shippedRuleFiles());

function folderOf(file: string): string {
  const [top, sub] = file.split('/');
  if (top === 'maildir') return sub ?? top;
  if (top === 'mailbox') return sub?.startsWith('mbox') ? 'mbox' : 'size';
  return 'debug';
}

/** Every message of every labelled file, parsed and classified once. */
async function run(): Promise<{ reports: Map<string, { report: BounceReport; ours: Ours[] }>; crashes: string[] }> {
  const reports = new Map<string, { report: BounceReport; ours: Ours[] }>();
  const crashes: string[] = [];
  for (const file of [...new Set(labels.map(l => l.file))]) {
    try {
      for await (const m of readMessages(join(root, 'emails', file))) {
        const report = await parseReport(m.raw, { streamHeader: 'X-Stream' });
        const ours = report.records.map(r => {
          const v = classify(r, report, rules);
          // Did the message itself carry an enhanced code (Status: or inside the reply)?
          const explicit = r.dsnStatus !== undefined || /(^|[^\d.])[245]\.\d{1,3}\.\d{1,3}(?![\d.])/.test(r.rawDiagnostic ?? r.diagnostic);
          return { recipient: r.recipient, status: sisimaiStatus(r.status, v.reason, explicit), reason: v.reason, diagnostic: r.diagnostic, rule: v.rule, kind: report.kind };
        });
        reports.set(`${file}#${m.message}`, { report, ours });
      }
    } catch (err) {
      crashes.push(`${file}: ${(err as Error).stack ?? String(err)}`);
    }
  }
  return { reports, crashes };
}

type Reports = Awaited<ReturnType<typeof run>>['reports'];

function agree(label: Label, ours: Ours | undefined) {
  return {
    recipient: ours !== undefined,
    status: ours !== undefined && ours.status === (label.status ?? ''),
    reason: ours !== undefined && ours.reason === label.reason,
  };
}

function compare(reports: Reports): Row[] {
  return labels.map(label => {
    const folder = folderOf(label.file);
    const fixes = REVIEWED.filter(r => r.file === label.file && r.message === label.message && (r.index ?? 1) === (label.index ?? 1));
    const fix = (field: Reviewed['field']) => fixes.find(r => r.field === field);
    const find = (message: number, recipient: string) =>
      reports.get(`${label.file}#${Math.max(1, message)}`)?.ours.find(o => o.recipient.toLowerCase() === recipient.toLowerCase());

    if (label.recipient === null) {
      // "Not a bounce" rows: right when we report no failed recipient either.
      const got = reports.get(`${label.file}#${Math.max(1, label.message)}`);
      const fine = !got || !got.report.bounce;
      const ok = { recipient: fine, status: fine, reason: fine };
      const reviewedFine = fine || (fix('bounce')?.ours === 'failed' && got?.report.bounce === true);
      return { label, folder, ok, reviewed: { recipient: reviewedFine, status: reviewedFine, reason: reviewedFine } };
    }
    const ours = find(label.message, label.recipient);
    const ok = agree(label, ours);
    // Under review: a wrong message number or recipient in the label points at the record to compare.
    const moved = fix('message');
    const renamed = fix('recipient');
    if (renamed?.ours === '') {
      const none = !reports.get(`${label.file}#${Math.max(1, label.message)}`)?.ours.length;
      return { label, folder, ours, ok, reviewed: { recipient: none, status: none, reason: none } };
    }
    const target = find(moved ? Number(moved.ours) : label.message, renamed?.ours ?? label.recipient);
    const reviewed = agree(label, target);
    for (const f of ['status', 'reason'] as const) {
      const r = fix(f);
      if (!reviewed[f] && r && target && String(target[f]) === r.ours) reviewed[f] = true;
    }
    return { label, folder, ours, ok, reviewed };
  });
}

function pct(n: number, d: number): string {
  return d === 0 ? '   -  ' : `${((100 * n) / d).toFixed(1).padStart(5)}%`;
}

function report(rows: Row[], crashes: string[]): boolean {
  const folders = [...new Set(rows.map(r => r.folder))];
  const lines: string[] = [];
  let met = crashes.length === 0;
  lines.push(`accuracy: parse + classify vs ${join(root, 'labels.jsonl')} (${rows.length} rows)`);
  lines.push('status: RFC 3463 codes as we emit them; where a message carries no specific code (x.0.0), compared as Sisimai\'s pseudo-code for our reason (bench/sisimai-status.ts)');
  lines.push('');
  lines.push('folder  rows | raw: recipient  status  reason | reviewed: recipient  status  reason');
  for (const folder of [...folders, 'overall']) {
    const rs = folder === 'overall' ? rows : rows.filter(r => r.folder === folder);
    const raw = FIELDS.map(f => pct(rs.filter(r => r.ok[f]).length, rs.length));
    const rev = FIELDS.map(f => pct(rs.filter(r => r.reviewed[f]).length, rs.length));
    let flag = '';
    if (TARGET_FOLDERS.includes(folder)) {
      const missed = FIELDS.filter(f => rs.filter(r => r.ok[f]).length / rs.length < TARGETS[f]);
      if (missed.length) { met = false; flag = `  << below target: ${missed.join(', ')}`; }
    }
    lines.push(`${folder.padEnd(7)} ${String(rs.length).padStart(4)} |      ${raw[0]}  ${raw[1]}  ${raw[2]} |           ${rev[0]}  ${rev[1]}  ${rev[2]}${flag}`);
  }
  lines.push(`targets (raw, on ${TARGET_FOLDERS.join(', ')}): recipient >= 99%, status >= 98%, reason >= 95%; crashes: ${crashes.length}`);
  for (const c of crashes) lines.push(`  CRASH ${c}`);

  lines.push('', 'reason confusion (label → ours, disagreements only; "-" = recipient not found):');
  const confusion = new Map<string, number>();
  for (const r of rows) if (!r.ok.reason && r.label.recipient !== null) {
    const k = `${r.label.reason} → ${r.ours?.reason ?? '-'}`;
    confusion.set(k, (confusion.get(k) ?? 0) + 1);
  }
  for (const [k, n] of [...confusion].sort((a, b) => b[1] - a[1])) lines.push(`  ${String(n).padStart(3)}  ${k}`);

  lines.push('', 'disagreements (raw; [reviewed] = label corrected in bench/accuracy-reviewed.ts with evidence; [kept: ...] = kept on purpose, with the reason):');
  let unexplained = 0;
  for (const r of rows) {
    const bad = FIELDS.filter(f => !r.ok[f]);
    if (bad.length === 0) continue;
    const where = `${r.label.file}#${r.label.message}.${r.label.index ?? 1}`;
    const mark = (f: (typeof FIELDS)[number]) => (r.reviewed[f] ? ' [reviewed]' : '');
    const what = r.label.recipient === null
      ? `label: not a bounce; we report a failed recipient${mark('recipient')}`
      : !r.ours ? `recipient ${r.label.recipient} not found${mark('recipient')}`
        : bad.filter(f => f !== 'recipient').map(f => `${f} ${r.label[f]} → ${r.ours?.[f]}${mark(f)}`).join('; ') + `  (${r.ours.rule}: ${r.ours.diagnostic.slice(0, 110)})`;
    const kept = KEPT.find(k => k.file === r.label.file && k.message === r.label.message && (k.index ?? 1) === (r.label.index ?? 1));
    const explained = bad.every(f => r.reviewed[f]) || kept !== undefined;
    if (!explained) unexplained++;
    lines.push(`  ${where}: ${what}${kept ? `\n      [kept: ${kept.why}]` : explained ? '' : '  << UNEXPLAINED'}`);
  }
  lines.push(`unexplained disagreements: ${unexplained}`);
  process.stdout.write(lines.join('\n') + '\n');
  return met;
}

const { reports, crashes } = await run();
const ok = report(compare(reports), crashes);
if (check && !ok) process.exitCode = 1;
