// Who wrote the report. It matters twice: a Microsoft-written NDR comes from the receiving side
// after it accepted the message (stage post_accept, kind `ndr`), and the generator picks which
// prose layout to read when there is no delivery-status part. Markers are the MTAs' own fixed
// strings (reference/microsoft-ndr.md §5 for Microsoft; Postfix/Exim/Sendmail/qmail templates).
import { fieldValue, stripTypePrefix } from './fields.js';
import type { MessageView } from './types.js';

// Sisimai's Microsoft host list plus Outlook.com/EOP names (microsoft-ndr.md §5).
const MICROSOFT_HOST = /(\.prod\.outlook\.com|\.protection\.outlook\.com|\.outlook\.office365\.com|\.exchangelabs\.com|\.onmicrosoft\.com|\.hotmail\.com|\.outlook\.com)$/i;

interface Marker {
  generator: string;
  test(view: MessageView, reportingMta: string, from: string): boolean;
}

const has = (view: MessageView, name: string): boolean => fieldValue(view.header, name) !== undefined;

// Order matters: Microsoft NDRs relayed through another service (Amazon SES in the corpus) carry
// that service's From, so the Microsoft header markers are checked before any From address.
const MARKERS: readonly Marker[] = [
  {
    generator: 'microsoft',
    test: (v, mta, from) =>
      has(v, 'x-ms-exchange-message-is-ndr') ||
      MICROSOFT_HOST.test(mta) ||
      /postmaster@(outlook\.com|hotmail\.com|[\w.-]+\.onmicrosoft\.com)/i.test(from) ||
      /Diagnostic information for administrators:|Generating server:/i.test(v.text),
  },
  { generator: 'google', test: (_v, mta, from) => /googlemail\.com|google\.com$/i.test(mta) || /@googlemail\.com|@google\.com/i.test(from) },
  { generator: 'amazonses', test: (_v, mta, from) => /amazonses\.com$/i.test(mta) || /@amazonses\.com/i.test(from) },
  { generator: 'yahoo', test: (_v, mta, from) => /yahoo(dns)?\.(com|net|co\.jp)$/i.test(mta) || /@[\w.-]*yahoo\.[\w.]+\b/i.test(from) },
  {
    generator: 'postfix',
    test: v => /This is the (mail system|Postfix program) at host /i.test(v.text) || v.header.some(f => f.name === 'x-postfix-queue-id'),
  },
  {
    generator: 'exim',
    test: v => has(v, 'x-failed-recipients') || /This message was created automatically by mail delivery software/i.test(v.text),
  },
  {
    generator: 'qmail',
    test: v => /This is the qmail-send program at|qmail-send program/i.test(v.text),
  },
  {
    generator: 'sendmail',
    // (?<!-): a long run of dashes must not be retried from every dash (quadratic).
    test: v => /(?<!-)-{3,} ?(Transcript of session follows|The following addresses had permanent fatal errors)/i.test(v.text),
  },
];

/** Best guess of the report's author, or undefined when nothing points anywhere. */
export function detectGenerator(view: MessageView, messageFields: Record<string, string>): string | undefined {
  if (Object.keys(messageFields).some(k => k.startsWith('x-postfix-'))) {
    // Postfix DSN reporting any remote (even Microsoft): the report is still Postfix's.
    return 'postfix';
  }
  const mta = hostOf(messageFields['reporting-mta']);
  const from = fieldValue(view.header, 'from') ?? '';
  for (const m of MARKERS) if (m.test(view, mta, from)) return m.generator;
  return undefined;
}

function hostOf(value: string | undefined): string {
  return value ? stripTypePrefix(value).value.split(/\s/)[0]!.replace(/\.$/, '') : '';
}
