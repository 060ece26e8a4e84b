// Webhook bodies for the outbox (contract: docs/webhook.md, docs/webhook.schema.json). Built in
// the same transaction as the state change they announce, so a change is never lost or sent twice
// with different content. Ids are derived from the cause (message key, delivery, sweep time,
// override) and the transition, so re-processing the same message can never mint a second event.
import { createHash } from 'node:crypto';
import type { OriginalMessage } from '../domain/report.js';
import type { Evidence, NewEvent, NewOutbox, WebhookType } from '../domain/state.js';
import { renderEvidenceText } from '../policy/evidence.js';
import type { DomainChange, PolicyItem, PolicyOutcome, RecipientChange, StreamChange } from '../policy/types.js';

export interface PayloadContext {
  /** What caused the changes: a message key, `sweep:<time>`, `override:<...>`, `deliveries:<...>`. */
  cause: string;
  stream?: string;
  original?: OriginalMessage;
  /** Message-ID of the DSN itself. */
  reportMessageId?: string;
}

/** States whose consumers need the evidence pack (who to ask, what to show them). */
const WITH_EVIDENCE = new Set(['pause', 'suppress', 'escalate']);

export function outboxRows(ctx: PayloadContext, outcome: Pick<PolicyOutcome, 'recipientChanges' | 'streamChanges' | 'domainChanges'>): NewOutbox[] {
  const rows: NewOutbox[] = [];
  outcome.recipientChanges.forEach((c: RecipientChange, i) => {
    const { decision, row } = c;
    rows.push(make(ctx, `r${i}:${row.address}:${row.state}`, 'recipient.state_changed', decision.at, {
      recipient: row.address, domain: row.domain, state: row.state, previous_state: decision.from,
      retest_at: row.retestAt, why: decision.why, policy_rule: decision.policyRule, actor: decision.actor ?? null,
      stream: ctx.stream ?? null, verdict: verdictData(c.item), original: originalData(ctx),
      evidence: evidenceData(row.state, c.event),
    }));
  });
  outcome.domainChanges.forEach((c: DomainChange, i) => {
    const { decision, row } = c;
    rows.push(make(ctx, `d${i}:${row.domain}:${row.state}`, 'domain.state_changed', decision.at, {
      domain: row.domain, state: row.state, previous_state: decision.from, retest_at: row.retestAt,
      why: decision.why, policy_rule: decision.policyRule, verdict: verdictData(c.item), original: originalData(ctx),
      evidence: evidenceData(row.state === 'pause' ? 'pause' : 'ok', c.event),
    }));
  });
  outcome.streamChanges.forEach((c: StreamChange, i) => {
    const { decision, row, domains } = c;
    const type: WebhookType = row.state === 'escalate' ? 'stream.escalated' : 'stream.recovered';
    rows.push(make(ctx, `s${i}:${row.stream}:${row.state}`, type, decision.at, {
      stream: row.stream, state: row.state, previous_state: decision.from, why: decision.why,
      policy_rule: decision.policyRule, domains, verdict: verdictData(c.item), original: originalData(ctx),
      evidence: evidenceData(row.state, c.event),
    }));
  });
  return rows;
}

function verdictData(item: PolicyItem | undefined) {
  if (!item) return null;
  const { record, verdict } = item;
  return {
    reason: verdict.reason, side: verdict.side, detail: verdict.detail ?? null, provider: verdict.provider,
    rule: verdict.rule, status: record.status, reply_code: record.replyCode ?? null, stage: record.stage,
    remote_mta: record.remoteMta ?? null, diagnostic: record.diagnostic,
  };
}

function originalData(ctx: PayloadContext) {
  if (!ctx.original) return null;
  return {
    message_id: ctx.original.messageId ?? null, from: ctx.original.from ?? null,
    subject: ctx.original.subject ?? null, report_message_id: ctx.reportMessageId ?? null,
  };
}

function evidenceData(state: string, event: NewEvent | undefined): (Evidence & { text: string }) | null {
  if (!WITH_EVIDENCE.has(state) || !event?.evidence) return null;
  return { ...event.evidence, text: renderEvidenceText(event.evidence) };
}

function make(ctx: PayloadContext, discriminator: string, type: WebhookType, at: string, data: object): NewOutbox {
  const webhookId = 'msg_' + createHash('sha256').update(`${ctx.cause}|${discriminator}`).digest('base64url').slice(0, 27);
  return { webhookId, type, at, body: JSON.stringify({ type, timestamp: at, data }) };
}
