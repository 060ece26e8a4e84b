// Benchmark: parse + classify over the real corpus in one process, next to a baseline measured
// in the same run (bare mailparser simpleParser on the same bytes), so the ratio holds on a noisy
// machine even when absolute figures do not. Not a test: it reports, it never fails on a time.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { classify, loadRuleSet, shippedRuleFiles } from '../src/classify/index.js';
import { parseReport } from '../src/parse/index.js';

export function corpusFiles(root: string): Buffer[] {
  const out: Buffer[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name !== 'LICENSE' && !name.startsWith('.')) out.push(readFileSync(p));
    }
  };
  walk(join(root, 'maildir'));
  return out;
}

interface Round { seconds: number; cpuMicros: number }

async function timed(fn: () => Promise<void>): Promise<Round> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  return { seconds, cpuMicros: cpu.user + cpu.system };
}

export async function benchClassify(corpusRoot: string, rounds = 5): Promise<Record<string, unknown>> {
  const files = corpusFiles(corpusRoot);
  const rules = loadRuleSet(shippedRuleFiles());
  const opts = { streamHeader: 'X-Stream' };
  let records = 0;
  const ours = async () => {
    records = 0;
    for (const raw of files) {
      const report = await parseReport(raw, opts);
      for (const r of report.records) { classify(r, report, rules); records += 1; }
    }
  };
  const baseline = async () => {
    for (const raw of files) {
      await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
    }
  };
  await ours();
  await baseline(); // warm-up: JIT and lazy requires
  const best = { ours: Infinity, base: Infinity, oursCpu: 0, baseCpu: 0 };
  for (let i = 0; i < rounds; i++) {
    // Alternate so that machine noise hits both sides alike.
    const a = await timed(ours);
    const b = await timed(baseline);
    if (a.seconds < best.ours) { best.ours = a.seconds; best.oursCpu = a.cpuMicros; }
    if (b.seconds < best.base) { best.base = b.seconds; best.baseCpu = b.cpuMicros; }
  }
  const n = files.length;
  return {
    messages: n,
    records,
    'parse+classify msg/s': Math.round(n / best.ours),
    'parse+classify CPU µs/msg': Math.round(best.oursCpu / n),
    'baseline simpleParser msg/s': Math.round(n / best.base),
    'baseline CPU µs/msg': Math.round(best.baseCpu / n),
    'ratio ours/baseline (throughput)': Number((best.base / best.ours).toFixed(2)),
  };
}
