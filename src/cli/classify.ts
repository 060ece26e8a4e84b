// `bounce-triage classify <file|dir|->`: the parse and classify stages on files, without a
// daemon or a database — one JSON line per bounced recipient, or one `"bounce": false` line per
// message that holds none. What an operator runs to see what the daemon would conclude.
import { parseArgs } from 'node:util';
import { classify, loadRuleSet, shippedRuleFiles } from '../classify/index.js';
import { loadConfig } from '../config/load.js';
import type { BounceReport } from '../domain/report.js';
import { readMessages } from '../ingest/files.js';
import { parseReport } from '../parse/index.js';
import type { RuleSet } from '../classify/index.js';

export async function runClassify(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, strict: true,
    options: { explain: { type: 'boolean', default: false }, config: { type: 'string' } },
  });
  if (positionals.length === 0) {
    process.stderr.write('bounce-triage classify: give a file, a directory (maildir or .eml files), an mbox, or - for stdin\n');
    return 2;
  }
  const config = loadConfig({ file: values.config, env: process.env });
  const rules = loadRuleSet([...config.rules.files, ...shippedRuleFiles()]);
  const parseOpts = { streamHeader: config.parse.streamHeader };
  for (const target of positionals) {
    for await (const found of readMessages(target)) {
      const report = await parseReport(found.raw, parseOpts);
      for (const line of linesFor(found.file, found.message, report, rules, values.explain === true)) {
        if (!out.write(JSON.stringify(line) + '\n')) await new Promise(r => out.once('drain', r));
      }
    }
  }
  return 0;
}

/** The JSON lines for one message (exported for tests and the accuracy harness). */
export function linesFor(file: string, message: number, report: BounceReport, rules: RuleSet, explain: boolean): object[] {
  if (report.records.length === 0) {
    return [{ file, message, bounce: false, kind: report.kind, why: report.why ?? 'no recipient records found' }];
  }
  return report.records.map(record => {
    const v = classify(record, report, rules);
    // A delayed or positive record is reported, but it is not a bounce (RFC 3464 §2.3.3).
    const line: Record<string, unknown> = {
      file, message, bounce: report.bounce && record.action === 'failed', kind: report.kind,
      recipient: record.recipient, action: record.action, status: record.status, replyCode: record.replyCode ?? null,
      reason: v.reason, side: v.side, provider: v.provider, detail: v.detail ?? null, rule: v.rule,
    };
    if (explain) {
      line.explain = {
        diagnostic: record.diagnostic, rawDiagnostic: record.rawDiagnostic, dsnStatus: record.dsnStatus,
        remoteMta: record.remoteMta, stage: record.stage, fields: record.fields,
        provider: { id: v.provider, family: v.family, by: v.providerBy }, level: v.level,
        generator: report.generator, reportingMta: report.reportingMta, original: report.original, notes: report.notes,
      };
    }
    return line;
  });
}
