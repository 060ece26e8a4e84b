// What classify concludes about one recipient record. Every verdict names the rule that produced
// it, so a decision can always be traced back to a line in config/rules/.
import type { Reason, Side } from './vocab.js';

export interface Verdict {
  reason: Reason;
  side: Side;
  /** Provider-specific fingerprint, e.g. `microsoft.group_restricted`; absent when generic. */
  detail?: string;
  /** Who rejected: a provider id from the packs (`microsoft_m365`, `google`, ...) or `other`. */
  provider: string;
  /** Provider family (`microsoft` for microsoft_m365 / microsoft_consumer), or `other`. */
  family: string;
  /** How the provider was recognised: `host`, `text`, `generator`, `domain` or `none`. */
  providerBy: 'host' | 'text' | 'generator' | 'domain' | 'none';
  /** Id of the rule that fired (`<pack>/<id>`), e.g. `microsoft/group-permission`. */
  rule: string;
  /** Precedence level the rule belongs to. */
  level: RuleLevel;
}

/** DESIGN.md precedence: provider rule → generic text → enhanced status → reply code. */
export const RULE_LEVELS = ['provider', 'text', 'status', 'reply', 'fallback'] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];
