// The policy stage: turns one message's verdicts plus the stored history into the rows to write
// (events, recipient/domain/stream rows, transitions with their explanation and inputs). Pure —
// the clock is an input. Time-based transitions live in sweep.ts, deliveries in success.ts.
import type { EventSummary, NewEvent, RecipientRow, SnapshotRequest } from '../domain/state.js';
import { decideDomain } from './domain.js';
import { buildEvidence } from './evidence.js';
import { decideRecipient, nextRow } from './recipient.js';
import { decideStream, domainOf, ESCALATION_EVENTS } from './stream.js';
import { emptyOutcome, type PolicyConfig, type PolicyInput, type PolicyItem, type PolicyOutcome } from './types.js';

export type { PolicyConfig, PolicyInput, PolicyItem, PolicyOutcome } from './types.js';

export function decide(input: PolicyInput, cfg: PolicyConfig): PolicyOutcome {
  const at = input.now.toISOString();
  const kind = input.report?.kind ?? 'dsn';
  const out = emptyOutcome();
  // Working copies, so that two records for one address in one message see each other.
  const rows = new Map<string, RecipientRow | undefined>();
  const history = new Map<string, EventSummary[]>();
  for (const [address, snap] of input.snapshot.recipients) {
    rows.set(address, snap.row);
    history.set(address, [...snap.events]);
  }
  const domainRows = new Map(input.snapshot.domains);

  for (const item of input.items) {
    const event = toEvent(item, input, at);
    out.events.push(event);
    const address = event.recipient;
    const current = rows.get(address);
    const events = history.get(address) ?? [];
    history.set(address, [...events, summary(event, input.messageKey)]);

    const domainOut = decideDomain(item, domainRows.get(event.recipientDomain), input.now, cfg);
    if (domainOut) {
      const before = domainRows.get(event.recipientDomain);
      const row = { domain: event.recipientDomain, state: 'pause' as const, why: domainOut.why, policyRule: domainOut.policyRule, since: at, retestAt: domainOut.retestAt, updatedAt: at };
      domainRows.set(row.domain, row);
      out.domainChanges.push({
        row, item, event,
        decision: { subject: 'domain', key: row.domain, from: before?.state ?? 'ok', to: 'pause', policyRule: domainOut.policyRule, why: domainOut.why, at, inputs: { detail: item.verdict.detail, status: item.record.status, retestAt: domainOut.retestAt } },
      });
    }
    // A tenant-wide refusal is the domain's state, not each address's.
    if (item.verdict.detail && cfg.domainDetails.includes(item.verdict.detail)) continue;

    const outcome = decideRecipient(item, kind, current, events, input.messageKey, input.now, cfg);
    if (!outcome) continue;
    const row = nextRow(current, address, event.recipientDomain, outcome, item, at);
    rows.set(address, row);
    out.recipientChanges.push({
      row, item, event,
      decision: {
        subject: 'recipient', key: address, from: current?.state ?? 'active', to: outcome.to,
        policyRule: outcome.policyRule, why: outcome.why, at, inputs: outcome.inputs,
      },
    });
  }
  // One row per key: the last change wins (the transitions list keeps every step).
  out.recipients = [...new Map(out.recipientChanges.map(c => [c.row.address, c.row])).values()];
  out.domains = [...new Map(out.domainChanges.map(c => [c.row.domain, c.row])).values()];

  const streamRow = input.snapshot.stream.row;
  const escalation = decideStream(streamRow, input.snapshot.stream.events, input.items, input.now, cfg);
  if (escalation) {
    const index = input.items.findIndex(i => i.verdict.family === 'microsoft');
    const row = { stream: input.stream, state: 'escalate' as const, why: escalation.why, since: at, updatedAt: at };
    out.streams.push(row);
    out.streamChanges.push({
      row, domains: escalation.domains, item: input.items[index], event: out.events[index],
      decision: {
        subject: 'stream', key: input.stream, from: streamRow?.state ?? 'ok', to: 'escalate',
        policyRule: escalation.policyRule, why: escalation.why, at, inputs: escalation.inputs,
      },
    });
  }
  return out;
}

/** The history policy needs: the recipients' events in the widest window, and per stream only what escalation counts. */
export function historyRequest(now: Date, cfg: PolicyConfig): Omit<SnapshotRequest, 'recipients' | 'stream'> {
  const widest = Math.max(cfg.policyWindowMs, cfg.successWindowMs, cfg.softWindowMs);
  return {
    recipientSince: new Date(now.getTime() - widest).toISOString(),
    streamSince: new Date(now.getTime() - cfg.escalateWindowMs).toISOString(),
    streamFilter: ESCALATION_EVENTS,
  };
}

function toEvent(item: PolicyItem, input: PolicyInput, at: string): NewEvent {
  const { record, verdict } = item;
  return {
    recipient: record.recipient, recipientDomain: domainOf(record.recipient), stream: input.stream,
    action: record.action, status: record.status, replyCode: record.replyCode ?? null,
    reason: verdict.reason, side: verdict.side, detail: verdict.detail ?? null,
    provider: verdict.provider, family: verdict.family, rule: verdict.rule,
    remoteMta: record.remoteMta ?? null, stage: record.stage, diagnostic: record.diagnostic, at,
    evidence: input.report ? buildEvidence(record, input.report, verdict, at) : null,
  };
}

function summary(e: NewEvent, messageKey: string): EventSummary {
  return {
    recipient: e.recipient, recipientDomain: e.recipientDomain, reason: e.reason, side: e.side,
    family: e.family, action: e.action, messageKey, at: e.at,
  };
}
