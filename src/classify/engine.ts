// The classify stage proper: one recipient record in, one explainable Verdict out. Pure (the
// prefilter's scratch buffer is internal) and allocation-light: regexes were compiled by the
// loader, one literal pass tells which of them could match at all, each level is walked through
// its status/code index merged with the remaining candidates, and the first rule that matches
// wins (DESIGN.md precedence: provider → text → status → reply, then the fallback).
import type { BounceReport, RecipientRecord, ReportKind } from '../domain/report.js';
import type { Verdict } from '../domain/verdict.js';
import type { RuleSet } from './loader.js';
import { codeMatches, parseStatus, statusMatches } from './matchers.js';
import { detectProvider, type ProviderHit } from './provider.js';
import type { Candidates } from './prefilter.js';
import type { CompiledRule, LevelIndex, StatusTriple } from './types.js';

type Facts = Pick<RecipientRecord, 'status' | 'replyCode' | 'diagnostic' | 'remoteMta' | 'stage' | 'action' | 'recipient' | 'diagnosticType'>;
const EMPTY: readonly CompiledRule[] = [];

/** Is the recipient's domain one of `domains`, or a subdomain of one? */
function inDomains(domains: readonly string[], recipient: string): boolean {
  const d = recipient.slice(recipient.lastIndexOf('@') + 1).toLowerCase();
  for (const x of domains) if (d === x || (d.endsWith(x) && d.charCodeAt(d.length - x.length - 1) === 46)) return true;
  return false;
}

/**
 * Does `rule` match the record of a report of `kind`, given the provider already detected for
 * it? `maybe` is the literal prefilter's answer for the record's text (prefilter.ts), when the
 * caller has it.
 */
export function ruleMatches(rule: CompiledRule, record: Facts, kind: ReportKind, provider: ProviderHit, triple?: StatusTriple | null, maybe?: Candidates): boolean {
  // Cheapest conditions first; the regexes run only when every set lookup passed.
  if (rule.providers !== null && !rule.providers.has(provider.provider) && !rule.providers.has(provider.family)) return false;
  if (rule.kinds !== null && !rule.kinds.has(kind)) return false;
  if (rule.actions !== null && !rule.actions.has(record.action)) return false;
  if (rule.stages !== null && !rule.stages.has(record.stage)) return false;
  if (rule.diagnosticTypes !== null && !rule.diagnosticTypes.has(record.diagnosticType ?? '')) return false;
  if (rule.domains !== null && !inDomains(rule.domains, record.recipient)) return false;
  if (rule.code !== null && !codeMatches(rule.code, record.replyCode)) return false;
  if (rule.status !== null) {
    const t = triple === undefined ? parseStatus(record.status) : triple;
    if (!statusMatches(rule.status, record.status, t)) return false;
  }
  if (rule.host !== null && (record.remoteMta === undefined || !rule.host.test(record.remoteMta))) return false;
  if (rule.text !== null) {
    if (maybe !== undefined && maybe.stamp[rule.textId] !== maybe.epoch) return false;
    if (!rule.text.test(record.diagnostic)) return false;
  }
  return true;
}

/**
 * First matching rule of one level, in evaluation order, merged from three ordered streams:
 * the status/code bucket, the unindexed rules without text, and the unindexed text rules the
 * prefilter could not rule out (the others are skipped without a look).
 */
function firstMatch(ix: LevelIndex, key: string | undefined, rec: Facts, kind: ReportKind, provider: ProviderHit, triple: StatusTriple | null, maybe: Candidates, byTextId: readonly CompiledRule[]): CompiledRule | undefined {
  const a = key === undefined ? EMPTY : ix.byKey.get(key) ?? EMPTY;
  const b = ix.plain;
  const hits = maybe.hits;
  let i = 0;
  let j = 0;
  let h = 0;
  for (;;) {
    let c: CompiledRule | undefined;
    while (h < hits.length) {
      c = byTextId[hits[h]!];
      if (c !== undefined && c.gated && c.level === ix.level) break;
      c = undefined;
      h++;
    }
    const ra = a[i];
    const rb = b[j];
    let r = ra;
    if (rb !== undefined && (r === undefined || rb.ordinal < r.ordinal)) r = rb;
    if (c !== undefined && (r === undefined || c.ordinal < r.ordinal)) r = c;
    if (r === undefined) return undefined;
    if (r === ra) i++;
    else if (r === rb) j++;
    else h++;
    if (ruleMatches(r, rec, kind, provider, triple, maybe)) return r;
  }
}

export function classify(
  record: RecipientRecord,
  report: Pick<BounceReport, 'generator' | 'reportingMta' | 'kind'>,
  rules: RuleSet,
): Verdict {
  const maybe = rules.prefilter.candidates(record.diagnostic);
  const provider = detectProvider(record, report, rules, maybe);
  const triple = parseStatus(record.status);
  for (const ix of rules.levels) {
    const key = ix.level === 'reply' ? record.replyCode : record.status;
    const r = firstMatch(ix, key, record, report.kind, provider, triple, maybe, rules.byTextId);
    if (r) {
      const v: Verdict = {
        reason: r.reason, side: r.side, provider: provider.provider, family: provider.family,
        providerBy: provider.by, rule: r.id, level: r.level,
      };
      if (r.detail !== undefined) v.detail = r.detail;
      return v;
    }
  }
  // Nothing matched: say so rather than guess; policy treats `unknown` as "keep testing".
  return {
    reason: 'undefined', side: 'unknown', provider: provider.provider, family: provider.family,
    providerBy: provider.by, rule: 'fallback/none', level: 'fallback',
  };
}
