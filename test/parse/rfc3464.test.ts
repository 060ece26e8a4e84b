// Grouping of delivery-status fields (RFC 3464 §2.1) as real MTAs write them, including the
// layouts that bend the RFC: no blank line between per-message and per-recipient fields
// (MessageLabs), recipients run together, a stray blank line inside a recipient.
import t from 'tap';
import { parseDeliveryStatus } from '../../src/parse/rfc3464.js';

t.test('per-message fields, then one group per recipient', async t => {
  const notes: string[] = [];
  const ds = parseDeliveryStatus([
    'Reporting-MTA: dns; relay0.example.jp',
    'X-Postfix-Queue-ID: WpZGzDpcy1zw5NGv',
    'Arrival-Date: Thu,  9 May 2024 23:34:45 +0900 (JST)',
    '',
    'Final-Recipient: rfc822; a@example.com',
    'Action: failed',
    'Status: 5.1.1',
    'Remote-MTA: dns; mx.example.com',
    'Diagnostic-Code: smtp; 550 5.1.1 no such user',
    'X-Custom-Thing: kept',
    '',
    'Final-Recipient: rfc822; b@example.com',
    'Original-Recipient: rfc822; B@Example.com',
    'Action: delayed',
    'Status: 4.2.2',
    '',
  ].join('\n'), notes);
  t.same(Object.keys(ds.messageFields), ['reporting-mta', 'x-postfix-queue-id', 'arrival-date']);
  t.equal(ds.recipients.length, 2);
  t.match(ds.recipients[0], { recipient: 'a@example.com', action: 'failed', status: '5.1.1', remoteMta: 'mx.example.com', diagnosticCode: 'smtp; 550 5.1.1 no such user' });
  t.equal(ds.recipients[0]!.fields['x-custom-thing'], 'kept');
  t.match(ds.recipients[1], { recipient: 'b@example.com', originalRecipient: 'B@Example.com', action: 'delayed' });
  t.same(notes, []);
});

t.test('per-message fields inside the recipient group are moved out (MessageLabs)', async t => {
  const ds = parseDeliveryStatus([
    'Arrival-Date: Thu, 17 Jul 2017 23:34:45 +0000',
    'Reporting-MTA: dns; server-0.bemta-0.messagelabs.com',
    'Last-Attempt-Date: Thu, 17 Jul 2017 23:34:45 +0000',
    'Diagnostic-Code: smtp; 550-Please turn on SMTP Authentication',
    'Status: 5.0.0',
    'Action: failed',
    'Final-Recipient: rfc822; kijitora@example.org',
  ].join('\r\n'), []);
  t.same(Object.keys(ds.messageFields).sort(), ['arrival-date', 'reporting-mta']);
  t.equal(ds.recipients.length, 1);
  t.match(ds.recipients[0], { recipient: 'kijitora@example.org', action: 'failed', lastAttemptDate: 'Thu, 17 Jul 2017 23:34:45 +0000' });
});

t.test('recipients written without blank lines between them are split', async t => {
  const ds = parseDeliveryStatus([
    'Final-Recipient: rfc822; a@example.com', 'Action: failed', 'Status: 5.1.1',
    'Final-Recipient: rfc822; b@example.com', 'Action: failed', 'Status: 5.2.2',
  ].join('\n'), []);
  t.same(ds.recipients.map(r => [r.recipient, r.status]), [['a@example.com', '5.1.1'], ['b@example.com', '5.2.2']]);
});

t.test('a stray blank line inside a recipient does not lose its fields', async t => {
  const ds = parseDeliveryStatus(['Final-Recipient: rfc822; a@example.com', 'Action: failed', '', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 x'].join('\n'), []);
  t.equal(ds.recipients.length, 1);
  t.match(ds.recipients[0], { status: '5.1.1', diagnosticCode: 'smtp; 550 x' });
});

t.test('a recipient group without any recipient field is skipped with a note', async t => {
  const notes: string[] = [];
  const ds = parseDeliveryStatus('Reporting-MTA: dns; x\n\nX-Actual-Recipient: \nFinal-Recipient:\nAction: failed\n', notes);
  t.same(ds.recipients, []);
  t.match(notes, [/without Final-Recipient/]);
});

t.test('an empty body has no recipients and no fields', async t => {
  t.same(parseDeliveryStatus('', []), { messageFields: {}, recipients: [] });
});
