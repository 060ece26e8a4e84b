// Webhook bodies for the outbox (contract: docs/webhook.md, docs/webhook.schema.json). Built in
// the same transaction as the state change they announce, so a change is never lost or sent twice
// with different content. Ids are derived from the message key and transition, so re-processing
// the same message can never mint a second event.
import { createHash } from 'node:crypto';
import type { OriginalMessage } from '../domain/report.js';
import type { NewOutbox } from '../domain/state.js';
import type { RecipientChange, StreamChange } from '../policy/types.js';

export interface PayloadContext {
  messageKey: string;
  stream: string;
  original: OriginalMessage;
  /** Message-ID of the DSN itself. */
  reportMessageId?: string;
}

export function outboxRows(ctx: PayloadContext, recipients: RecipientChange[], streams: StreamChange[]): NewOutbox[] {
  const rows: NewOutbox[] = [];
  recipients.forEach((c, i) => {
    const { decision, row, item } = c;
    const data = {
      recipient: row.address,
      domain: row.domain,
      state: row.state,
      previous_state: decision.from,
      retest_at: row.retestAt,
      why: decision.why,
      policy_rule: decision.policyRule,
      stream: ctx.stream,
      verdict: verdictData(item),
      original: originalData(ctx),
    };
    rows.push(make(ctx, `r${i}:${row.address}:${row.state}`, 'recipient.state_changed', decision.at, data));
  });
  streams.forEach((c, i) => {
    const { decision, row, item, domains } = c;
    const data = {
      stream: row.stream,
      state: row.state,
      previous_state: decision.from,
      why: decision.why,
      policy_rule: decision.policyRule,
      domains,
      verdict: verdictData(item),
      original: originalData(ctx),
    };
    rows.push(make(ctx, `s${i}:${row.stream}:${row.state}`, 'stream.escalated', decision.at, data));
  });
  return rows;
}

function verdictData({ record, verdict }: RecipientChange['item']) {
  return {
    reason: verdict.reason,
    side: verdict.side,
    detail: verdict.detail ?? null,
    provider: verdict.provider,
    rule: verdict.rule,
    status: record.status,
    reply_code: record.replyCode ?? null,
    stage: record.stage,
    remote_mta: record.remoteMta ?? null,
    diagnostic: record.diagnostic,
  };
}

function originalData(ctx: PayloadContext) {
  return {
    message_id: ctx.original.messageId ?? null,
    from: ctx.original.from ?? null,
    subject: ctx.original.subject ?? null,
    report_message_id: ctx.reportMessageId ?? null,
  };
}

function make(ctx: PayloadContext, discriminator: string, type: NewOutbox['type'], at: string, data: object): NewOutbox {
  const webhookId = 'msg_' + createHash('sha256').update(`${ctx.messageKey}|${discriminator}`).digest('base64url').slice(0, 27);
  return { webhookId, type, at, body: JSON.stringify({ type, timestamp: at, data }) };
}
