// Who rejected? Provider detection from pack data, strongest evidence first (DESIGN.md
// "Vocabulary"): the remote MTA host, then fingerprints in the reply text, then the report's
// generator, then the recipient domain. Within a step, providers are tried in load order, so an
// operator file can claim a host before a shipped pack does.
import type { BounceReport, RecipientRecord } from '../domain/report.js';
import type { Verdict } from '../domain/verdict.js';
import type { RuleSet } from './loader.js';
import type { Candidates } from './prefilter.js';

export interface ProviderHit {
  provider: string;
  family: string;
  by: Verdict['providerBy'];
}

const NONE: ProviderHit = Object.freeze({ provider: 'other', family: 'other', by: 'none' });

/** Host as written in Remote-MTA, without a trailing root dot. */
function hostOf(record: Pick<RecipientRecord, 'remoteMta'>): string | undefined {
  const h = record.remoteMta;
  if (!h) return undefined;
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

export function detectProvider(
  record: Pick<RecipientRecord, 'remoteMta' | 'diagnostic' | 'recipient'>,
  report: Pick<BounceReport, 'generator'>,
  rules: RuleSet,
  maybe: Candidates = rules.prefilter.candidates(record.diagnostic),
): ProviderHit {
  const ps = rules.providers;
  const host = hostOf(record);
  if (host) {
    for (const p of ps) if (p.hosts !== null && p.hosts.test(host)) return { provider: p.id, family: p.family, by: 'host' };
  }
  if (record.diagnostic) {
    for (const p of ps) if (p.text !== null && maybe.stamp[p.textId] === maybe.epoch && p.text.test(record.diagnostic)) return { provider: p.id, family: p.family, by: 'text' };
  }
  // The generator only says who *wrote* the report. When the report names a remote MTA that no
  // provider claims, that host rejected, not the generator: an Exchange Online NDR wrapping a
  // third party's "550 User unknown" (microsoft-ndr.md §0) must not be blamed on Microsoft.
  const gen = report.generator?.toLowerCase();
  if (gen && !host) {
    for (const p of ps) if (p.generators.has(gen)) return { provider: p.id, family: p.family, by: 'generator' };
  }
  const at = record.recipient.lastIndexOf('@');
  if (at >= 0) {
    const domain = record.recipient.slice(at + 1).toLowerCase();
    for (const p of ps) if (p.domains.has(domain)) return { provider: p.id, family: p.family, by: 'domain' };
  }
  return NONE;
}
