// Mapping between the domain types (camelCase, src/domain/state.ts) and SQLite rows
// (snake_case columns). Kept apart from the store so the SQL in sqlite.ts reads as SQL and the
// column lists live next to the conversions that depend on them.
import type {
  Decision, DomainRow, EventSummary, Evidence, NewDelivery, NewEvent, NewOutbox, OutboxRow, RecipientRow, StreamRow,
} from '../domain/state.js';
import type { Action, DomainState, Reason, RecipientState, Side, Stage, StreamState } from '../domain/vocab.js';

export interface RecipientDbRow {
  address: string; domain: string; state: string; reason: string | null; side: string | null;
  detail: string | null; rule: string | null; policy_rule: string | null; since: string;
  retest_at: string | null; updated_at: string; pause_count: number;
}

export interface DomainDbRow {
  domain: string; state: string; why: string | null; policy_rule: string | null; since: string;
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
    updatedAt: r.updated_at, pauseCount: r.pause_count,
  };
}

export function toDomain(r: DomainDbRow): DomainRow {
  return {
    domain: r.domain, state: r.state as DomainState, why: r.why, policyRule: r.policy_rule,
    since: r.since, retestAt: r.retest_at, updatedAt: r.updated_at,
  };
}

export function domainParams(d: DomainRow): Record<string, unknown> {
  return {
    domain: d.domain, state: d.state, why: d.why, policy_rule: d.policyRule, since: d.since,
    retest_at: d.retestAt, updated_at: d.updatedAt,
  };
}

/** A stored bounce event as the API and CLI show it. */
export interface StoredEvent extends NewEvent { id: number; messageId: number }

export interface EventFullDbRow {
  id: number; message_id: number; recipient: string; recipient_domain: string; stream: string;
  action: string; status: string; reply_code: string | null; reason: string; side: string;
  detail: string | null; provider: string; family: string; rule: string; remote_mta: string | null;
  stage: string; diagnostic: string; at: string; evidence: string | null;
}

export function toStoredEvent(r: EventFullDbRow): StoredEvent {
  return {
    id: r.id, messageId: r.message_id, recipient: r.recipient, recipientDomain: r.recipient_domain,
    stream: r.stream, action: r.action as Action, status: r.status, replyCode: r.reply_code,
    reason: r.reason as Reason, side: r.side as Side, detail: r.detail, provider: r.provider,
    family: r.family, rule: r.rule, remoteMta: r.remote_mta, stage: r.stage as Stage,
    diagnostic: r.diagnostic, at: r.at, evidence: r.evidence ? JSON.parse(r.evidence) as Evidence : null,
  };
}

/** A stored decision as the API and CLI show it. */
export interface StoredDecision extends Decision { id: number; messageId: number | null }

export interface DecisionDbRow {
  id: number; message_id: number | null; subject: string; key: string; from_state: string; to_state: string;
  policy_rule: string; why: string; inputs: string | null; actor: string | null; at: string;
}

export function toStoredDecision(r: DecisionDbRow): StoredDecision {
  const d: StoredDecision = {
    id: r.id, messageId: r.message_id, subject: r.subject as Decision['subject'], key: r.key,
    from: r.from_state, to: r.to_state, policyRule: r.policy_rule, why: r.why, at: r.at,
  };
  if (r.inputs) d.inputs = JSON.parse(r.inputs) as Record<string, unknown>;
  if (r.actor) d.actor = r.actor;
  return d;
}

export function deliveryParams(d: NewDelivery, receivedAt: string): Record<string, unknown> {
  return { recipient: d.recipient, recipient_domain: d.recipientDomain, stream: d.stream, at: d.at, received_at: receivedAt };
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
    evidence: e.evidence ? JSON.stringify(e.evidence) : null,
  };
}

export function recipientParams(r: RecipientRow): Record<string, unknown> {
  return {
    address: r.address, domain: r.domain, state: r.state, reason: r.reason, side: r.side,
    detail: r.detail, rule: r.rule, policy_rule: r.policyRule, since: r.since,
    retest_at: r.retestAt, updated_at: r.updatedAt, pause_count: r.pauseCount,
  };
}

export function streamParams(s: StreamRow): Record<string, unknown> {
  return { stream: s.stream, state: s.state, why: s.why, since: s.since, updated_at: s.updatedAt };
}

export function decisionParams(d: Decision, messageId: number | null): Record<string, unknown> {
  return {
    message_id: messageId, subject: d.subject, key: d.key, from_state: d.from, to_state: d.to,
    policy_rule: d.policyRule, why: d.why, at: d.at,
    inputs: d.inputs ? JSON.stringify(d.inputs) : null, actor: d.actor ?? null,
  };
}

export function outboxParams(o: NewOutbox, messageId: number | null): Record<string, unknown> {
  return { webhook_id: o.webhookId, message_id: messageId, type: o.type, body: o.body, at: o.at };
}

export const INSERT_EVENT = `INSERT INTO bounce_events (message_id, message_key, recipient,
  recipient_domain, stream, action, status, reply_code, reason, side, detail, provider, family,
  rule, remote_mta, stage, diagnostic, at, evidence) VALUES (@message_id, @message_key, @recipient,
  @recipient_domain, @stream, @action, @status, @reply_code, @reason, @side, @detail, @provider,
  @family, @rule, @remote_mta, @stage, @diagnostic, @at, @evidence)`;

export const UPSERT_RECIPIENT = `INSERT INTO recipients (address, domain, state, reason, side,
  detail, rule, policy_rule, since, retest_at, updated_at, pause_count) VALUES (@address, @domain, @state,
  @reason, @side, @detail, @rule, @policy_rule, @since, @retest_at, @updated_at, @pause_count)
  ON CONFLICT (address) DO UPDATE SET domain = excluded.domain, state = excluded.state,
  reason = excluded.reason, side = excluded.side, detail = excluded.detail, rule = excluded.rule,
  policy_rule = excluded.policy_rule, since = excluded.since, retest_at = excluded.retest_at,
  updated_at = excluded.updated_at, pause_count = excluded.pause_count`;

export const UPSERT_DOMAIN = `INSERT INTO domains (domain, state, why, policy_rule, since, retest_at, updated_at)
  VALUES (@domain, @state, @why, @policy_rule, @since, @retest_at, @updated_at)
  ON CONFLICT (domain) DO UPDATE SET state = excluded.state, why = excluded.why,
  policy_rule = excluded.policy_rule, since = excluded.since, retest_at = excluded.retest_at,
  updated_at = excluded.updated_at`;

export const INSERT_DELIVERY = `INSERT INTO deliveries (recipient, recipient_domain, stream, at, received_at)
  VALUES (@recipient, @recipient_domain, @stream, @at, @received_at)`;

export const UPSERT_STREAM = `INSERT INTO streams (stream, state, why, since, updated_at)
  VALUES (@stream, @state, @why, @since, @updated_at)
  ON CONFLICT (stream) DO UPDATE SET state = excluded.state, why = excluded.why,
  since = excluded.since, updated_at = excluded.updated_at`;

export const INSERT_DECISION = `INSERT INTO decisions (message_id, subject, key, from_state,
  to_state, policy_rule, why, inputs, actor, at) VALUES (@message_id, @subject, @key, @from_state, @to_state,
  @policy_rule, @why, @inputs, @actor, @at)`;

export const INSERT_OUTBOX = `INSERT INTO outbox (webhook_id, message_id, type, body, created_at,
  next_attempt_at) VALUES (@webhook_id, @message_id, @type, @body, @at, @at)`;
