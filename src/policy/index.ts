// The policy stage: turns one message's verdicts plus the stored history into the rows to write
// (events, state rows, transitions with their explanation). Pure — the clock is an input.
import type { EventSummary, NewEvent, RecipientRow, SnapshotRequest, StreamRow } from '../domain/state.js';
import { decideRecipient } from './recipient.js';
import { decideStream, domainOf, ESCALATION_EVENTS } from './stream.js';
import type { PolicyConfig, PolicyInput, PolicyItem, PolicyOutcome } from './types.js';

export type { PolicyConfig, PolicyInput, PolicyItem, PolicyOutcome } from './types.js';

export function decide(input: PolicyInput, cfg: PolicyConfig): PolicyOutcome {
  const at = input.now.toISOString();
  const out: PolicyOutcome = { events: [], recipients: [], streams: [], recipientChanges: [], streamChanges: [] };
  // Working copies, so that two records for one address in one message see each other.
  const rows = new Map<string, RecipientRow | undefined>();
  const history = new Map<string, EventSummary[]>();
  for (const [address, snap] of input.snapshot.recipients) {
    rows.set(address, snap.row);
    history.set(address, [...snap.events]);
  }

  for (const item of input.items) {
    const event = toEvent(item, input.stream, at);
    out.events.push(event);
    const address = event.recipient;
    const current = rows.get(address);
    const outcome = decideRecipient(item, current, history.get(address) ?? [], input.messageKey, input.now, cfg);
    history.set(address, [...(history.get(address) ?? []), summary(event, input.messageKey)]);
    if (!outcome) continue;
    const row: RecipientRow = {
      address, domain: event.recipientDomain, state: outcome.to,
      reason: item.verdict.reason, side: item.verdict.side, detail: item.verdict.detail ?? null,
      rule: item.verdict.rule, policyRule: outcome.policyRule,
      since: at, retestAt: outcome.retestAt, updatedAt: at,
    };
    rows.set(address, row);
    out.recipientChanges.push({
      row, item,
      decision: {
        subject: 'recipient', key: address, from: current?.state ?? 'active', to: outcome.to,
        policyRule: outcome.policyRule, why: outcome.why, at,
      },
    });
  }
  // One row per address: the last change wins (the transitions list keeps every step).
  const latest = new Map(out.recipientChanges.map(c => [c.row.address, c.row]));
  out.recipients = [...latest.values()];

  const streamRow = input.snapshot.stream.row;
  const escalation = decideStream(streamRow, input.snapshot.stream.events, input.items, input.now, cfg);
  if (escalation) {
    const trigger = input.items.find(i => i.verdict.family === 'microsoft') as PolicyItem;
    const row: StreamRow = { stream: input.stream, state: 'escalate', why: escalation.why, since: at, updatedAt: at };
    out.streams.push(row);
    out.streamChanges.push({
      row, domains: escalation.domains, item: trigger,
      decision: {
        subject: 'stream', key: input.stream, from: streamRow?.state ?? 'ok', to: 'escalate',
        policyRule: escalation.policyRule, why: escalation.why, at,
      },
    });
  }
  return out;
}

/** The history policy needs: the recipients' events in the policy window, and per stream only what escalation counts. */
export function historyRequest(now: Date, cfg: PolicyConfig): Omit<SnapshotRequest, 'recipients' | 'stream'> {
  return {
    recipientSince: new Date(now.getTime() - cfg.policyWindowMs).toISOString(),
    streamSince: new Date(now.getTime() - cfg.escalateWindowMs).toISOString(),
    streamFilter: ESCALATION_EVENTS,
  };
}

function toEvent({ record, verdict }: PolicyItem, stream: string, at: string): NewEvent {
  return {
    recipient: record.recipient, recipientDomain: domainOf(record.recipient), stream,
    action: record.action, status: record.status, replyCode: record.replyCode ?? null,
    reason: verdict.reason, side: verdict.side, detail: verdict.detail ?? null,
    provider: verdict.provider, family: verdict.family, rule: verdict.rule,
    remoteMta: record.remoteMta ?? null, stage: record.stage, diagnostic: record.diagnostic, at,
  };
}

function summary(e: NewEvent, messageKey: string): EventSummary {
  return {
    recipient: e.recipient, recipientDomain: e.recipientDomain, reason: e.reason, side: e.side,
    family: e.family, action: e.action, messageKey, at: e.at,
  };
}
