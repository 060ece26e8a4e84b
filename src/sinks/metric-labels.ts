// Bounded label values derived from the rule packs: which enhanced codes keep their own
// `enhanced_code` value, and which recipient domains the packs attribute to a provider.
import type { RuleSet } from '../classify/index.js';

/**
 * The enhanced codes a family's rules name — exactly, in a bounded range such as 5.7.606-649, or
 * in their samples (rules keyed on words alone, like 5.7.509 DMARC reject) — are the values of the
 * `enhanced_code` label; anything else is `other`. Computed once at start-up as a finite set, so
 * the label's cardinality is known before the first bounce: a wildcard pattern (5.7.*) expands
 * to too many codes and is left out.
 */
export function knownCodes(rules: RuleSet, family: string): (status: string) => boolean {
  const ids = new Set(rules.providers.filter(p => p.family === family).map(p => p.id));
  const own = rules.rules.filter(r => r.pack === family || [...(r.providers ?? [])].some(p => p === family || ids.has(p)));
  const known = new Set(own.flatMap(r => r.samples.flatMap(x => [...x.text.matchAll(/\b([245]\.\d{1,3}\.\d{1,3})\b/g)].map(m => m[1] as string))));
  for (const m of own.flatMap(r => (r.status ? [r.status] : []))) {
    for (const c of m.exact) known.add(c);
    const expanded: string[] = [];
    for (const cls of [4, 5]) for (let subject = 1; subject <= 7; subject++) for (let detail = 0; detail <= 999; detail++) {
      if (m.patterns.some(p => p([cls, subject, detail]))) expanded.push(`${cls}.${subject}.${detail}`);
    }
    if (expanded.length <= MAX_RANGE) for (const c of expanded) known.add(c);
  }
  for (const c of known) if (/^[45]\.0\./.test(c)) known.delete(c);
  return status => known.has(status);
}

/** A pattern naming more codes than this is a wildcard, not a list of codes. */
const MAX_RANGE = 200;

/** Recipient domains the packs attribute to a provider (for labelling deliveries). */
export function providerDomains(rules: RuleSet): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of rules.providers) for (const d of p.domains) if (!out.has(d)) out.set(d, p.id);
  return out;
}
