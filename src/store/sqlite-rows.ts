// Mapping between the domain types (camelCase, src/domain/state.ts) and SQLite rows
// (snake_case columns). Kept apart from the store so the SQL in sqlite.ts reads as SQL and the
// column lists live next to the conversions that depend on them.
import type {
  Decision, EventSummary, NewEvent, NewOutbox, OutboxRow, RecipientRow, StreamRow,
} from '../domain/state.js';
import type { Action, Reason, RecipientState, Side, StreamState } from '../domain/vocab.js';

export interface RecipientDbRow {
  address: string; domain: string; state: string; reason: string | null; side: string | null;
  detail: string | null; rule: string | null; policy_rule: string | null; since: string;
  retest_at: string | null; updated_at: string;
}

export interface StreamDbRow {
  stream: string; state: string; why: string | null; since: string; updated_at: string;
}

export interface EventDbRow {
  recipient: string; recipient_domain: string; reason: string; side: string; family: string;
  action: string; message_key: string; at: string;
}

export interface OutboxDbRow {
  id: number; webhook_id: string; type: string; body: string; attempts: number;
  created_at: string; next_attempt_at: string;
}

// The database only ever holds values written through the typed Plan, so the casts below
// restore the types that were checked on the way in rather than trusting arbitrary input.
export function toRecipient(r: RecipientDbRow): RecipientRow {
  return {
    address: r.address, domain: r.domain, state: r.state as RecipientState,
    reason: r.reason as Reason | null, side: r.side as Side | null, detail: r.detail,
    rule: r.rule, policyRule: r.policy_rule, since: r.since, retestAt: r.retest_at,
    updatedAt: r.updated_at,
  };
}

export function toStream(r: StreamDbRow): StreamRow {
  return { stream: r.stream, state: r.state as StreamState, why: r.why, since: r.since, updatedAt: r.updated_at };
}

export function toEventSummary(r: EventDbRow): EventSummary {
  return {
    recipient: r.recipient, recipientDomain: r.recipient_domain, reason: r.reason as Reason,
    side: r.side as Side, family: r.family, action: r.action as Action, messageKey: r.message_key,
    at: r.at,
  };
}

export function toOutbox(r: OutboxDbRow): OutboxRow {
  return {
    id: r.id, webhookId: r.webhook_id, type: r.type, body: r.body, attempts: r.attempts,
    createdAt: r.created_at, nextAttemptAt: r.next_attempt_at,
  };
}

/** Named parameters for the bounce_events insert (see INSERT_EVENT). */
export function eventParams(e: NewEvent, messageId: number, messageKey: string): Record<string, unknown> {
  return {
    message_id: messageId, message_key: messageKey, recipient: e.recipient,
    recipient_domain: e.recipientDomain, stream: e.stream, action: e.action, status: e.status,
    reply_code: e.replyCode, reason: e.reason, side: e.side, detail: e.detail,
    provider: e.provider, family: e.family, rule: e.rule, remote_mta: e.remoteMta,
    stage: e.stage, diagnostic: e.diagnostic, at: e.at,
  };
}

export function recipientParams(r: RecipientRow): Record<string, unknown> {
  return {
    address: r.address, domain: r.domain, state: r.state, reason: r.reason, side: r.side,
    detail: r.detail, rule: r.rule, policy_rule: r.policyRule, since: r.since,
    retest_at: r.retestAt, updated_at: r.updatedAt,
  };
}

export function streamParams(s: StreamRow): Record<string, unknown> {
  return { stream: s.stream, state: s.state, why: s.why, since: s.since, updated_at: s.updatedAt };
}

export function decisionParams(d: Decision, messageId: number): Record<string, unknown> {
  return {
    message_id: messageId, subject: d.subject, key: d.key, from_state: d.from, to_state: d.to,
    policy_rule: d.policyRule, why: d.why, at: d.at,
  };
}

export function outboxParams(o: NewOutbox, messageId: number): Record<string, unknown> {
  return { webhook_id: o.webhookId, message_id: messageId, type: o.type, body: o.body, at: o.at };
}

export const INSERT_EVENT = `INSERT INTO bounce_events (message_id, message_key, recipient,
  recipient_domain, stream, action, status, reply_code, reason, side, detail, provider, family,
  rule, remote_mta, stage, diagnostic, at) VALUES (@message_id, @message_key, @recipient,
  @recipient_domain, @stream, @action, @status, @reply_code, @reason, @side, @detail, @provider,
  @family, @rule, @remote_mta, @stage, @diagnostic, @at)`;

export const UPSERT_RECIPIENT = `INSERT INTO recipients (address, domain, state, reason, side,
  detail, rule, policy_rule, since, retest_at, updated_at) VALUES (@address, @domain, @state,
  @reason, @side, @detail, @rule, @policy_rule, @since, @retest_at, @updated_at)
  ON CONFLICT (address) DO UPDATE SET domain = excluded.domain, state = excluded.state,
  reason = excluded.reason, side = excluded.side, detail = excluded.detail, rule = excluded.rule,
  policy_rule = excluded.policy_rule, since = excluded.since, retest_at = excluded.retest_at,
  updated_at = excluded.updated_at`;

export const UPSERT_STREAM = `INSERT INTO streams (stream, state, why, since, updated_at)
  VALUES (@stream, @state, @why, @since, @updated_at)
  ON CONFLICT (stream) DO UPDATE SET state = excluded.state, why = excluded.why,
  since = excluded.since, updated_at = excluded.updated_at`;

export const INSERT_DECISION = `INSERT INTO decisions (message_id, subject, key, from_state,
  to_state, policy_rule, why, at) VALUES (@message_id, @subject, @key, @from_state, @to_state,
  @policy_rule, @why, @at)`;

export const INSERT_OUTBOX = `INSERT INTO outbox (webhook_id, message_id, type, body, created_at,
  next_attempt_at) VALUES (@webhook_id, @message_id, @type, @body, @at, @at)`;
