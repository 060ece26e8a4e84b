// Recipient-domain scope: when one tenant refuses us as a whole — its customer block list
// (Microsoft 5.7.513), "rejected by recipient" (5.7.507), relay access denied for the domain —
// every address there would bounce the same way, and none of them is at fault. Pause the domain
// (one decision, one webhook) instead of walking each address into keep_testing and pause.
import type { DomainRow } from '../domain/state.js';
import type { PolicyConfig, PolicyItem } from './types.js';

export interface DomainOutcome {
  policyRule: string;
  why: string;
  retestAt: string;
}

export function decideDomain(item: PolicyItem, current: DomainRow | undefined, now: Date, cfg: PolicyConfig): DomainOutcome | null {
  const { verdict, record } = item;
  if (record.action !== 'failed' || !verdict.detail || !cfg.domainDetails.includes(verdict.detail)) return null;
  if (domainEffectiveState(current, now) === 'pause') return null;
  const retestAt = new Date(now.getTime() + cfg.domainPauseMs).toISOString();
  return {
    policyRule: 'policy/domain-refuses-us',
    retestAt,
    why: `${verdict.detail} (${record.status}): the recipient's tenant refuses this sender for every address; ` +
      `paused until ${retestAt} — ask its administrator, the addresses are not at fault`,
  };
}

/** A paused domain whose retest time has passed counts as ok again. */
export function domainEffectiveState(current: DomainRow | undefined, now: Date): DomainRow['state'] {
  if (!current || current.state !== 'pause') return 'ok';
  return current.retestAt !== null && Date.parse(current.retestAt) <= now.getTime() ? 'ok' : 'pause';
}
