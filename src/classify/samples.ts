// Turns the sample replies written next to each rule into realistic records, and checks that
// every rule fires on its own samples through the whole engine (DESIGN.md "Rules as data":
// a rule that can never fire is a failing test). Used by the test suite and by
// `bounce-triage rules check`.
import type { BounceReport, RecipientRecord } from '../domain/report.js';
import type { Stage } from '../domain/vocab.js';
import { classify, ruleMatches } from './engine.js';
import type { RuleSet } from './loader.js';
import { detectProvider } from './provider.js';
import type { CompiledRule, SampleDefaults, SampleSpec } from './types.js';

// A reply code stands alone (not inside an IP, a date or a tag like S3150): "550 5.7.1",
// "550-5.7.26", "452, "4.2.2"", "smtp;550 ...".
const REPLY_CODE = /(?:^|[^\d.])([245][0-5]\d)(?=[\s,-]|$)/;
const ENHANCED = /(?:^|[^\d.])([245]\.\d{1,3}\.\d{1,3})(?![\d.])/;
// Postfix writes the SMTP stage into the text: "(in reply to RCPT TO command)".
const IN_REPLY_TO = /\(in reply to (MAIL FROM|RCPT TO|end of DATA|DATA|HELO|EHLO|STARTTLS)\b[^)]*\)/i;
const STAGE_OF: Record<string, Stage> = {
  'mail from': 'mail', 'rcpt to': 'rcpt', 'end of data': 'data', data: 'data', helo: 'helo', ehlo: 'helo', starttls: 'helo',
};

const spec = (s: SampleSpec | string): SampleSpec => (typeof s === 'string' ? { text: s } : s);

/**
 * A record as the parse stage would produce it for this reply: reply code and enhanced status
 * read from the text (the enhanced code in the text beats `Status:`), else the sample's
 * `status`, else `<class>.0.0` from the reply code, as MTAs synthesise it.
 */
export function recordFromSample(sample: SampleSpec | string, packDefaults: SampleDefaults = {}): RecipientRecord {
  const s = spec(sample);
  const text = s.text.trim();
  const replyCode = REPLY_CODE.exec(text)?.[1];
  const enhanced = ENHANCED.exec(text)?.[1];
  const dsnStatus = s.status ?? packDefaults.status;
  const status = enhanced ?? dsnStatus ?? (replyCode ? `${replyCode[0]}.0.0` : '5.0.0');
  const said = IN_REPLY_TO.exec(text)?.[1]?.toLowerCase();
  const stage: Stage = s.stage ?? (said ? STAGE_OF[said] : undefined) ?? packDefaults.stage ?? 'unknown';
  const host = s.host !== undefined ? s.host : packDefaults.host;
  const type = (s.diagnostic_type ?? packDefaults.diagnostic_type ?? 'smtp').toLowerCase();
  const record: RecipientRecord = {
    recipient: s.recipient ?? packDefaults.recipient ?? 'user@example.com',
    action: s.action ?? packDefaults.action ?? (status.startsWith('4') ? 'delayed' : status.startsWith('2') ? 'delivered' : 'failed'),
    status,
    diagnostic: text,
    rawDiagnostic: `${type}; ${text}`,
    diagnosticType: type,
    stage,
    fields: {},
  };
  if (dsnStatus !== undefined) record.dsnStatus = dsnStatus;
  if (replyCode !== undefined) record.replyCode = replyCode;
  if (host) record.remoteMta = host;
  return record;
}

/** The report-level facts classify needs, for a sample (`generator` and `kind` from sample or defaults). */
export function reportFromSample(sample: SampleSpec | string, packDefaults: SampleDefaults = {}): Pick<BounceReport, 'generator' | 'reportingMta' | 'kind'> {
  const s = spec(sample);
  const generator = s.generator ?? packDefaults.generator;
  const kind = s.kind ?? packDefaults.kind ?? (generator === undefined ? 'dsn' : 'ndr');
  return generator === undefined ? { kind } : { kind, generator };
}

export interface SampleFailure {
  rule: string;
  sample: string;
  /** `no-match`: the rule's own conditions reject its sample; `shadowed`: another rule won. */
  problem: 'no-match' | 'shadowed';
  got: string;
}

/** Checks one rule's samples: each must match the rule and classify to it. */
export function checkRule(rule: CompiledRule, rules: RuleSet): SampleFailure[] {
  const out: SampleFailure[] = [];
  for (const s of rule.samples) {
    const record = recordFromSample(s, rule.sampleDefaults);
    const report = reportFromSample(s, rule.sampleDefaults);
    const provider = detectProvider(record, report, rules);
    const v = classify(record, report, rules);
    if (!ruleMatches(rule, record, report.kind, provider)) {
      out.push({ rule: rule.id, sample: s.text, problem: 'no-match', got: `${v.rule} (provider ${provider.provider} by ${provider.by}, status ${record.status}, code ${record.replyCode ?? '-'}, stage ${record.stage})` });
    } else if (v.rule !== rule.id) {
      out.push({ rule: rule.id, sample: s.text, problem: 'shadowed', got: v.rule });
    }
  }
  return out;
}

export function checkRuleSamples(rules: RuleSet): SampleFailure[] {
  return rules.rules.flatMap(r => checkRule(r, rules));
}
