// Evidence packs: what a recipient's admin or an ESP needs to trace one rejected message
// (recipient, sender, UTC time, sending IP, envelope from, Message-ID, remote host, the exact SMTP
// response, the provider's trace tag) and what to ask of whom. Built once per event at commit
// time from values parse and classify produced — pure, stored with the event, sent in webhooks.
import type { BounceReport, RecipientRecord } from '../domain/report.js';
import type { Evidence } from '../domain/state.js';
import type { Verdict } from '../domain/verdict.js';

// The sending IP as providers quote it: "messages from [192.0.2.25]", "Client host [..]",
// "The mail server [..]", "banned sending IP [..]", "Please try again later from [..]".
const SENDING_IP = /(?:messages from|client host|the mail server|sending ip|banned sender|try again later from|connections (?:will not be )?(?:not )?accepted from|messages from ip|from ip)\s*\[?((?:\d{1,3}\.){3}\d{1,3}|[0-9a-f:]{3,39})\]?/i;
// Microsoft's bracketed server trailer (old and new forms) and its AS/S rule tags.
const MICROSOFT_TAG = /\[([A-Z0-9]+\.[A-Za-z0-9-]+\.prod\.(?:protection\.)?outlook\.com(?: [^\]]*)?)\]/;
const MICROSOFT_RULE = /\b(A?S\(?\d{3,9}\)?)/;
const GOOGLE_TAG = /([A-Za-z0-9_.-]+) - gsmtp\b/;
const YAHOO_TAG = /\[(TS[SF]?\d\d|BL\d\d|PH\d\d)\]/;

export function buildEvidence(record: RecipientRecord, report: Pick<BounceReport, 'original' | 'arrivalDate'>, verdict: Verdict, receivedAt: string): Evidence {
  const text = record.rawDiagnostic ?? record.diagnostic;
  return {
    recipient: record.recipient,
    sender: report.original.from ?? null,
    envelopeFrom: report.original.envelopeFrom ?? null,
    messageId: report.original.messageId ?? null,
    at: isoOrNull(record.lastAttemptDate) ?? isoOrNull(report.arrivalDate) ?? receivedAt,
    sendingIp: SENDING_IP.exec(text)?.[1] ?? null,
    remoteHost: record.remoteMta ?? null,
    smtpResponse: record.diagnostic,
    enhancedCode: record.status,
    replyCode: record.replyCode ?? null,
    stage: record.stage,
    fingerprint: fingerprint(text),
    provider: verdict.provider,
    reason: verdict.reason,
    side: verdict.side,
    detail: verdict.detail ?? null,
    rule: verdict.rule,
    request: requestFor(verdict, record, report.original.from),
  };
}

function fingerprint(text: string): string | null {
  const ms = MICROSOFT_TAG.exec(text)?.[1];
  const rule = MICROSOFT_RULE.exec(text)?.[1];
  if (ms || rule) return [ms, rule].filter(Boolean).join(' ');
  return GOOGLE_TAG.exec(text)?.[1] ?? YAHOO_TAG.exec(text)?.[1] ?? null;
}

function isoOrNull(date: string | undefined): string | null {
  if (!date) return null;
  const ms = Date.parse(date.replace(/\s*\([^)]*\)\s*$/, ''));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** The request to send, in plain words, by who must act (DESIGN.md `side`). */
function requestFor(v: Verdict, r: RecipientRecord, from: string | undefined): string {
  const domain = r.recipient.slice(r.recipient.lastIndexOf('@') + 1);
  const fromDomain = from?.match(/@([^>\s]+)/)?.[1] ?? 'the From domain';
  switch (v.side) {
    case 'recipient_admin':
      return v.family === 'microsoft'
        ? `Ask the Microsoft 365 administrator of ${domain} what ${r.recipient} is — a mailbox, a distribution group or Microsoft 365 group, a shared mailbox, a mail-enabled security group, an alias or a contact — and to check its delivery management (whether it accepts external senders, the allowed-senders list), the mail-flow (transport) rules and a message trace for the Message-ID and time above. Only they can lift this refusal; do not remove the contact.`
        : `Ask the mail administrator of ${domain} to check the policy that refused this message for ${r.recipient} (allowed senders, mail-flow rules, tenant block list) using the Message-ID and time above. Only they can lift it; do not remove the contact.`;
    case 'recipient':
      return `${r.recipient} does not exist or no longer accepts mail (${v.reason}). Confirm the address with the contact through another channel before mailing it again.`;
    case 'sender_ip':
      return `Sender operations: the sending IP${v.family === 'microsoft' ? ' is refused by Microsoft (delist at https://sender.office.com, check SNDS/JMRP)' : ' or its range is refused for reputation or a block list'}; check the IP and pool named above before sending more to this provider.`;
    case 'sender_auth':
      return `Sender operations: fix SPF/DKIM/DMARC alignment for ${fromDomain}; the receiving side refused the message on authentication. Recipients are not at fault.`;
    case 'sender_account':
      return `Sender operations: the sending Microsoft 365 tenant or account is restricted (outbound spam, unverified domains, tenant thresholds); check the sender's own tenant (Restricted entities, outbound spam policy).`;
    case 'sender_mta':
      return `Sender operations: check the sending MTA's configuration (HELO, reverse DNS, TLS, relay/authentication endpoint, recipients per transaction).`;
    case 'content':
      return 'The message content or format was refused (size, format, attachments, spam filtering); review this message or campaign.';
    default:
      return 'No one needs to act yet; the address stays under test.';
  }
}

/** The plain-text form of an evidence pack, for e-mail to an admin or a ticket. */
export function renderEvidenceText(e: Evidence): string {
  const line = (k: string, v: string | null) => `${k.padEnd(17)}${v ?? '-'}`;
  return [
    line('Recipient:', e.recipient),
    line('Sender (From):', e.sender),
    line('Envelope from:', e.envelopeFrom),
    line('Message-ID:', e.messageId),
    line('Time (UTC):', e.at),
    line('Sending IP:', e.sendingIp),
    line('Remote host:', e.remoteHost),
    line('SMTP stage:', e.stage),
    line('SMTP response:', e.smtpResponse),
    line('Enhanced code:', e.enhancedCode),
    line('Reply code:', e.replyCode),
    line('Provider:', e.provider),
    line('Trace tag:', e.fingerprint),
    line('Classification:', `${e.reason} / ${e.side}${e.detail ? ` / ${e.detail}` : ''} (rule ${e.rule})`),
    '',
    e.request,
  ].join('\n');
}
