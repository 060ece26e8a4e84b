// Builds RFC 3464 DSNs the way Postfix writes them (../shared/reference/postfix.md "Postfix DSN
// format"): notification prose, a message/delivery-status part with folded Diagnostic-Code, and
// the returned original headers. Tests use it to wrap real reply strings in real DSN structure.

export interface DsnRecipient {
  recipient: string;
  /** The remote reply, e.g. `550 5.7.1 ...`. */
  reply: string;
  /** Status field; defaults to the enhanced code in the reply (or 5.0.0 as Exim writes). */
  status?: string;
  action?: 'failed' | 'delayed' | 'delivered';
  remoteMta?: string;
  /** SMTP command the reply answered: `RCPT TO`, `MAIL FROM`, `end of DATA`. */
  command?: string;
}

export interface DsnOptions {
  recipients: DsnRecipient[];
  /** Message-ID of the original message (the one that bounced). */
  originalMessageId?: string;
  originalFrom?: string;
  stream?: string;
  reportingMta?: string;
  /** Line ending to use: CRLF by default (what SMTP carries). */
  eol?: '\r\n' | '\n';
  /** Unique id so that two DSNs about the same failure are distinct messages. */
  id?: string;
}

export function makeDsn(o: DsnOptions): Buffer {
  const mta = o.reportingMta ?? 'mta1.sender.example';
  const id = o.id ?? Math.random().toString(36).slice(2, 12).toUpperCase();
  const boundary = `${id}.1764158400/${mta}`;
  const date = 'Wed, 26 Nov 2026 12:00:00 +0000 (UTC)';
  const prose = o.recipients.map(r =>
    `<${r.recipient}>: host ${r.remoteMta ?? 'mx.example'}[192.0.2.10] said: ${r.reply} (in reply to ${r.command ?? 'RCPT TO'} command)`);
  const perRecipient = o.recipients.map(r => {
    const enhanced = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(r.reply)?.[1];
    const lines = [
      `Final-Recipient: rfc822; ${r.recipient}`,
      `Original-Recipient: rfc822;${r.recipient}`,
      `Action: ${r.action ?? 'failed'}`,
      `Status: ${r.status ?? enhanced ?? '5.0.0'}`,
      `Remote-MTA: dns; ${r.remoteMta ?? 'mx.example'}`,
      ...fold(`Diagnostic-Code: smtp; ${r.reply}`),
    ];
    return lines.join('\n');
  });
  const text = [
    'Return-Path: <>',
    `Received: by ${mta} (Postfix) id ${id}; ${date}`,
    `Date: ${date}`,
    `From: MAILER-DAEMON@${mta} (Mail Delivery System)`,
    'Subject: Undelivered Mail Returned to Sender',
    'To: bounces@bounce.localhost',
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;`,
    `\tboundary="${boundary}"`,
    'Content-Transfer-Encoding: 8bit',
    `Message-Id: <${id}@${mta}>`,
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `This is the mail system at host ${mta}.`,
    '',
    "I'm sorry to have to inform you that your message could not",
    'be delivered to one or more recipients.',
    '',
    ...prose,
    '',
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${mta}`,
    `X-Postfix-Queue-ID: ${id}`,
    `X-Postfix-Sender: rfc822; bounces@bounce.localhost`,
    `Arrival-Date: ${date}`,
    '',
    perRecipient.join('\n\n'),
    '',
    `--${boundary}`,
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    '',
    `Return-Path: <bounces@bounce.localhost>`,
    `From: ${o.originalFrom ?? 'News <news@sender.example>'}`,
    `To: ${o.recipients[0]?.recipient ?? ''}`,
    'Subject: November newsletter',
    `Message-ID: ${o.originalMessageId ?? `<orig-${id}@sender.example>`}`,
    ...(o.stream ? [`X-Stream: ${o.stream}`] : []),
    `Date: ${date}`,
    '',
    `--${boundary}--`,
    '',
  ].join('\n');
  return Buffer.from(o.eol === '\n' ? text : text.replace(/\n/g, '\r\n'));
}

/** Folds a long header line at spaces, as MTAs do (continuation lines start with a space). */
function fold(line: string, width = 76): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    if (cut <= 4) break; // no space past the indentation: leave the long word unfolded
    out.push(rest.slice(0, cut));
    rest = '    ' + rest.slice(cut + 1);
  }
  out.push(rest);
  return out;
}
