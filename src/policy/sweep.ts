// Time-based transitions, run periodically by the daemon (and by tests with an injected clock):
// a pause whose retest time has passed goes back to keep_testing (the address may be tried
// again, and a further policy bounce pauses it with a longer hold); a paused domain whose retest
// time has passed is ok again; an escalated stream that has been quiet long enough recovers.
// Each is a decision with a webhook, so consumers resume sending when we do.
import type { DomainRow, DueRows, RecipientRow, StreamRow } from '../domain/state.js';
import { streamRecovered } from './stream.js';
import { emptyOutcome, type PolicyConfig, type PolicyOutcome } from './types.js';

export type { DueRows } from '../domain/state.js';

export function decideSweep(due: DueRows, now: Date, cfg: PolicyConfig): PolicyOutcome {
  const out = emptyOutcome();
  const at = now.toISOString();
  for (const r of due.recipients) {
    if (r.state !== 'pause' || r.retestAt === null || Date.parse(r.retestAt) > now.getTime()) continue;
    const row: RecipientRow = { ...r, state: 'keep_testing', policyRule: 'policy/retest-due', since: at, retestAt: null, updatedAt: at };
    out.recipients.push(row);
    out.recipientChanges.push({
      row,
      decision: { subject: 'recipient', key: r.address, from: 'pause', to: 'keep_testing', policyRule: 'policy/retest-due', at, why: `retest time ${r.retestAt} reached: the address may be tried again (another policy bounce pauses it for longer)`, inputs: { retestAt: r.retestAt, pauseCount: r.pauseCount } },
    });
  }
  for (const d of due.domains) {
    if (d.state !== 'pause' || d.retestAt === null || Date.parse(d.retestAt) > now.getTime()) continue;
    const row: DomainRow = { ...d, state: 'ok', policyRule: 'policy/domain-retest-due', why: `retest time ${d.retestAt} reached`, since: at, retestAt: null, updatedAt: at };
    out.domains.push(row);
    out.domainChanges.push({ row, decision: { subject: 'domain', key: d.domain, from: 'pause', to: 'ok', policyRule: 'policy/domain-retest-due', at, why: row.why ?? '', inputs: { retestAt: d.retestAt } } });
  }
  for (const { row: s, lastSignalAt } of due.streams) {
    const rec = streamRecovered(s, lastSignalAt, now, cfg);
    if (!rec) continue;
    const row: StreamRow = { ...s, state: 'ok', why: rec.why, since: at, updatedAt: at };
    out.streams.push(row);
    out.streamChanges.push({ row, domains: [], decision: { subject: 'stream', key: s.stream, from: 'escalate', to: 'ok', policyRule: rec.policyRule, at, why: rec.why, inputs: { lastSignalAt } } });
  }
  return out;
}
