// Expectation table for Microsoft replies (../shared/reference/samples.jsonl and
// microsoft-ndr.md): reason, side, detail and provider, written out row by row — no snapshot
// can "fix" a classification. The traps of microsoft-ndr.md §4 each have a row.
import t from 'tap';
import type { SampleSpec } from '../../src/classify/index.js';
import { assertRows, M365, verdict, type Row } from './fixtures/rules.js';


const OLC = 'outlook-com.olc.protection.outlook.com';
const NDR = { host: null, generator: 'microsoft' } as const;
const m365 = { host: M365 };

const rows: Row[] = [
  // recipient does not exist: suppress
  ['550 5.4.1 Recipient address rejected: Access denied. [CY4PEPF0000EE3C.namprd03.prod.outlook.com 2023-09-18T12:48:32.808Z 08DBB45899852BA7]', m365, 'userunknown', 'recipient', 'microsoft.dbeb_unknown_recipient', 'microsoft_m365'],
  ['550 5.4.1 [kijitora@example.org]: Recipient address rejected: Access denied [NEKOCHAN.cat-neko22.prod.protection.outlook.com]', m365, 'userunknown', 'recipient', 'microsoft.dbeb_unknown_recipient', 'microsoft_m365'],
  ['550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', NDR, 'userunknown', 'recipient', 'microsoft.recipient_not_found', 'microsoft_m365'],
  ['550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient firstname.lastname@company.com not found by SMTP address lookup', m365, 'userunknown', 'recipient', 'microsoft.recipient_not_found', 'microsoft_m365'],
  ['550 5.1.1 RESOLVER.ADR.RecipNotFound; not found', NDR, 'userunknown', 'recipient', 'microsoft.recipient_not_found', 'microsoft_m365'],
  ['550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [HE1EUR01FT020.eop-EUR01.prod.protection.outlook.com 2023-09-19T15:05:34.324Z 08DBB71928CA8F8E]', { host: OLC }, 'userunknown', 'recipient', 'microsoft.consumer_unknown_recipient', 'microsoft_consumer'],
  ['550 Requested action not taken: mailbox unavailable (-0000000022:2222:-0000000022)', { host: 'mx1.hotmail.com' }, 'userunknown', 'recipient', 'microsoft.consumer_unknown_recipient', 'microsoft_consumer'],
  // 5.2.2: the same code for a full mailbox and for the sender's submission quota
  ['550 5.2.2 <kijitora@example.jp>... Mailbox Full', { host: 'hotmail-com.olc.protection.outlook.com' }, 'mailboxfull', 'recipient', 'microsoft.mailbox_full', 'microsoft_consumer'],
  ['Submission quota exceeded', { ...NDR, status: '5.2.2' }, 'exceedlimit', 'sender_account', 'microsoft.submission_quota', 'microsoft_m365'],
  // recipient-side permission: pause, never suppress
  ['Delivery not authorized', { ...m365, status: '5.7.1' }, 'rejected', 'recipient_admin', 'microsoft.group_restricted', 'microsoft_m365'],
  ["Remote Server returned '<xxxxxxxx> #5.7.1 smtp;550 5.7.1 RESOLVER.RST.AuthRequired; authentication required [Stage: CreateMessage]'", NDR, 'securityerror', 'recipient_admin', 'microsoft.group_restricted', 'microsoft_m365'],
  ['550 5.7.12 Sender was not authenticated by organization', m365, 'rejected', 'recipient_admin', 'microsoft.group_restricted', 'microsoft_m365'],
  ['550 5.7.124 Sender not in allowed-senders list', m365, 'rejected', 'recipient_admin', 'microsoft.group_restricted', 'microsoft_m365'],
  ['550 5.7.133 Sender not authenticated for group', m365, 'rejected', 'recipient_admin', 'microsoft.group_restricted', 'microsoft_m365'],
  ['550 5.7.134 Sender was not authenticated for mailbox', m365, 'rejected', 'recipient_admin', 'microsoft.group_restricted', 'microsoft_m365'],
  ['550 5.7.135 Sender was not authenticated for public folder', m365, 'rejected', 'recipient_admin', 'microsoft.group_restricted', 'microsoft_m365'],
  ['550 5.7.136 Sender was not authenticated', m365, 'rejected', 'recipient_admin', 'microsoft.group_restricted', 'microsoft_m365'],
  ['550 5.7.1 You do not have permission to send to this recipient. For assistance, contact your system administrator.', m365, 'rejected', 'recipient_admin', 'microsoft.group_restricted', 'microsoft_m365'],
  ['550 5.7.900 Delivery not authorized, message refused', m365, 'policyviolation', 'recipient_admin', 'microsoft.transport_rule', 'microsoft_m365'],
  ['5.7.520 Access denied, Your organization does not allow external forwarding. Please contact your administrator for further assistance. AS(7555)', NDR, 'policyviolation', 'recipient_admin', 'microsoft.forwarding_blocked', 'microsoft_m365'],
  // tenant-level: one tenant blocked us, or its domain/MX is misconfigured
  ['550 5.7.513 Service unavailable, Client host [192.0.2.7] blocked by example.com using Customer Block list (AS16012607)', m365, 'blocked', 'recipient_admin', 'microsoft.customer_blocklist', 'microsoft_m365'],
  ['550 5.7.507 Access denied, rejected by recipient', m365, 'blocked', 'recipient_admin', 'microsoft.customer_blocklist', 'microsoft_m365'],
  ['550 5.4.1 Relay Access Denied', m365, 'norelaying', 'recipient_admin', 'microsoft.domain_not_accepted', 'microsoft_m365'],
  ['550 5.7.1 Unable to relay', m365, 'norelaying', 'recipient_admin', 'microsoft.domain_not_accepted', 'microsoft_m365'],
  ['550 5.7.1 Unable to relay', { host: 'smtp.office365.com' }, 'norelaying', 'sender_mta', 'microsoft.submission_relay_denied', 'microsoft_m365'],
  ['530 5.7.1 Client was not authenticated', { ...m365, stage: 'mail' }, 'securityerror', 'recipient_admin', 'microsoft.mx_requires_auth', 'microsoft_m365'],
  ['530 5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM [AM6PR0732BE0065.eurprd07.prod.outlook.com]', { host: 'AM6PR0732BE0065.outlook.office365.com', stage: 'mail' }, 'securityerror', 'sender_mta', 'microsoft.submission_requires_auth', 'microsoft_m365'],
  ['550 5.4.14 Routing loop detected', NDR, 'networkerror', 'recipient_admin', 'microsoft.routing_loop', 'microsoft_m365'],
  ['432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded', m365, 'speeding', 'transient', 'microsoft.recipient_throttled', 'microsoft_m365'],
  ["550 5.2.121 Recipient's per hour message receive limit from specific sender exceeded", NDR, 'speeding', 'transient', 'microsoft.recipient_rate_limit', 'microsoft_m365'],
  // sender authentication: escalate the stream
  ['550 5.7.509 Access denied, sending domain [EXAMPLE.JP] does not pass DMARC verification and has a DMARC policy of reject. [7FQL1BDY0XZ5XGTW.JPNP222.PROD.OUTLOOK.COM 2024-04-29T23:34:45.000Z NG5X6YLY2QZK8T7B]', { host: 'apc.olc.protection.outlook.com', recipient: 'a@outlook.com' }, 'authfailure', 'sender_auth', 'microsoft.dmarc_reject', 'microsoft_consumer'],
  ['550 5.7.515 Access denied, sending domain <domain> does not meet the required authentication level.', { host: OLC }, 'securityerror', 'sender_auth', 'microsoft.auth_requirements', 'microsoft_consumer'],
  ['550 5.7.23 The message was rejected because of Sender Policy Framework violation', m365, 'authfailure', 'sender_auth', 'microsoft.spf_fail', 'microsoft_m365'],
  ['450 4.7.26 Access denied, a message sent over IPv6 [2a01:111:f200:2004::240] must pass either SPF or DKIM validation, this message is not signed', m365, 'authfailure', 'sender_auth', 'microsoft.ipv6_unauthenticated', 'microsoft_m365'],
  // the innermost reply of a wrapped NDR decides; the third party is not Microsoft
  ['550 5.7.1 This message failed DMARC evaluation of domain sent-via.netsuite.com and was rejected as per DMARC policy.', { host: 'mx.netsuite.example' }, 'authfailure', 'sender_auth', undefined, 'other'],
  ['550 : User unknown', { host: 'msmx.au.com', generator: 'microsoft' }, 'filtered', 'recipient', 'kddi.recipient_filter', 'kddi'],
  // sending IP: escalate, leave recipients alone
  ['550 5.7.606 Access denied, banned sending IP [198.51.100.222]. To request removal from this list please visit https://sender.office.com/ and follow the directions. For more information please go to  http://go.microsoft.com/fwlink/?LinkID=526655 (AS16012609)', m365, 'blocked', 'sender_ip', 'microsoft.banned_ip', 'microsoft_m365'],
  ['550 5.7.511 Access denied, banned sender[1.2.3.4]. To request removal from this list please forward this message to delist@messaging.microsoft.com. AS(508)', m365, 'blocked', 'sender_ip', 'microsoft.banned_ip', 'microsoft_m365'],
  ['550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using Blocklist 1; To request removal from this list please forward this message to delist@messaging.microsoft.com (in reply to RCPT TO command)', { host: 'zzz.mail.eo.outlook.com' }, 'blocked', 'sender_ip', 'microsoft.banned_ip', 'microsoft_m365'],
  ['550 5.7.1 Service unavailable, Client host [11.22.33.44] blocked using Spamhaus. To request removal from this list see http://www.spamhaus.org/lookup.lasso (AS16012611)', m365, 'blocked', 'sender_ip', 'microsoft.third_party_blocklist', 'microsoft_m365'],
  ["550 5.7.1 Unfortunately, messages from [10.0.2.5] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). (in reply to MAIL FROM command)", { host: 'eur.olc.protection.outlook.com' }, 'blocked', 'sender_ip', 'microsoft.consumer_blocklist', 'microsoft_consumer'],
  ["550 5.7.1 Unfortunately, messages from [204.11.58.44] weren't sent. Please contact your Internet service provider since part of their network is on our block list (AS3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.", { host: OLC, stage: 'mail' }, 'blocked', 'sender_ip', 'microsoft.consumer_blocklist', 'microsoft_consumer'],
  ["550 SC-001 (BAY004-MC2F37) Unfortunately, messages from 217.160.129.251 weren't sent. Please contact your Internet service provider since part of their network is on our block list.", { host: 'mx1.hotmail.com' }, 'blocked', 'sender_ip', 'microsoft.consumer_blocklist', 'microsoft_consumer'],
  ["550 OU-001 (SNT004-MC1F43) Unfortunately, messages from 116.246.2.245 weren't sent.", { host: 'mx3.hotmail.com' }, 'blocked', 'sender_ip', 'microsoft.consumer_blocklist', 'microsoft_consumer'],
  ['451 4.7.650 The mail server [192.0.2.25] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S3113)', { host: OLC }, 'badreputation', 'sender_ip', 'microsoft.ip_reputation_throttle', 'microsoft_consumer'],
  ['554 4.4.7 Message expired: unable to deliver in 840 minutes.<451 4.7.651 The mail server [192.0.2.9] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S844)>', NDR, 'badreputation', 'sender_ip', 'microsoft.ip_reputation_throttle', 'microsoft_consumer'],
  ['451 4.7.500 Server busy. Please try again later from [192.0.2.2]. (AS761) (in reply to RCPT TO command)', { host: 'hotmail-com.olc.protection.outlook.com' }, 'speeding', 'sender_ip', 'microsoft.ip_throttle', 'microsoft_consumer'],
  ['451 4.7.500 Access denied, please try again later', m365, 'blocked', 'sender_ip', 'microsoft.ip_throttle', 'microsoft_m365'],
  // sender MTA configuration and the message itself
  ['550 5.7.25 Access denied, the sending IPv6 address [2a01:111:f200:2004::240] must have a reverse DNS record', m365, 'requireptr', 'sender_mta', 'microsoft.ipv6_no_ptr', 'microsoft_m365'],
  ['550 5.7.506 Access Denied, Bad HELO', m365, 'blocked', 'sender_mta', 'microsoft.bad_helo', 'microsoft_m365'],
  ['452 4.5.3 Recipients belong to multiple regions ATTR38 [VE1EUR01FT019.eop-EUR01.prod.protection.outlook.com] (in reply to RCPT TO command)', { host: 'hotmail-com.olc.protection.outlook.com' }, 'systemerror', 'sender_mta', 'microsoft.multiple_regions', 'microsoft_consumer'],
  ['550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant', m365, 'rejected', 'content', 'microsoft.invalid_from_header', 'microsoft_m365'],
  ['550 5.6.11 Invalid characters', NDR, 'contenterror', 'content', 'microsoft.bare_lf', 'microsoft_m365'],
  ['550 5.0.350 Requested action not taken: policy violation detected (AS345)', NDR, 'policyviolation', 'content', 'microsoft.content_rejected', 'microsoft_m365'],
  // the sender's own tenant (stream sent through M365)
  ["Remote Server returned '550 5.1.8 Access denied, bad outbound sender'", NDR, 'rejected', 'sender_account', 'microsoft.outbound_spam_blocked', 'microsoft_m365'],
  ['550 5.7.705 Access denied, tenant has exceeded threshold', NDR, 'speeding', 'sender_account', 'microsoft.tenant_blocked', 'microsoft_m365'],
  ['550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. AS(7230)', NDR, 'speeding', 'sender_account', 'microsoft.tenant_blocked', 'microsoft_m365'],
  ['550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains', NDR, 'rejected', 'sender_account', 'microsoft.unregistered_domains', 'microsoft_m365'],
  ['550 5.7.501 Access denied, spam abuse detected', NDR, 'rejected', 'sender_account', 'microsoft.sender_banned', 'microsoft_m365'],
  ["550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients", NDR, 'speeding', 'sender_account', 'microsoft.daily_recipient_limit', 'microsoft_m365'],
  // transient: retry, nobody acts
  ['Message expired', { ...NDR, status: '4.4.7' }, 'expired', 'transient', 'microsoft.message_expired', 'microsoft_m365'],
  ['550 5.4.300 Message expired', m365, 'expired', 'transient', 'microsoft.message_expired', 'microsoft_m365'],
  ['451 4.7.700 PFA agent busy, please try again. [***.***.prod.protection.outlook.com] (in reply to MAIL FROM command)', { host: 'apc.olc.protection.outlook.com' }, 'systemerror', 'transient', 'microsoft.service_busy', 'microsoft_consumer'],
  // legacy consumer and destination trouble
  ['554 The mail could not be delivered to the recipient because the domain is not reachable. Please check the domain and try again (-1915321397:308:-2147467259)', { host: 'BLU004-OMC3S23.hotmail.com' }, 'hostunknown', 'recipient_admin', 'microsoft.destination_unreachable', 'microsoft_consumer'],
  ['550 domain [example.com] mismatches client ip 192.0.2.225.', { host: 'blu2-omc4-s22.blu2.hotmail.com' }, 'requireptr', 'sender_auth', 'microsoft.sender_id_mismatch', 'microsoft_consumer'],
  // a bare 550 5.7.1 says nothing about who must act, even from Microsoft
  ['550 5.7.1', m365, 'securityerror', 'unknown', undefined, 'microsoft_m365'],
];

t.test('Microsoft replies classify as the reference says', async t => {
  t.ok(rows.length >= 30, `${rows.length} rows`);
  assertRows(t, rows);
});

t.test('5.7.520 forwarding blocked is never a suppressing reason, however it arrives', async t => {
  for (const opts of [NDR, m365, { host: 'relay.example.net' }, { host: null }]) {
    const v = verdict('550 5.7.520 Access denied, Your organization does not allow external forwarding. Please contact your administrator for further assistance. AS(7555)', opts);
    t.not(v.reason, 'userunknown');
    t.equal(v.side, 'recipient_admin', JSON.stringify(opts));
  }
});

t.test('S3150 rejected at MAIL FROM is the sending IP, not the recipient', async t => {
  const v = verdict("550 5.7.1 Unfortunately, messages from [10.0.2.5] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).", { host: OLC, stage: 'mail' });
  t.equal(v.side, 'sender_ip');
  t.equal(v.rule, 'microsoft/consumer-blocklist');
});

t.test('the enhanced code in the reply beats a synthesised Status: 5.0.0 (Exim)', async t => {
  const v = verdict("550 5.7.1 Unfortunately, messages from [69.64.64.149] weren't sent. Please contact your Internet service provider since part of their network is on our block list (AS3140).", { host: OLC, status: '5.0.0' });
  t.equal(v.detail, 'microsoft.consumer_blocklist');
});

t.test('a generic 550 5.7.1 with no telling text is side unknown anywhere', async t => {
  for (const host of [M365, 'mx.example.net', null]) {
    const v = verdict('550 5.7.1', { host });
    t.same([v.reason, v.side, v.rule], ['securityerror', 'unknown', 'generic/status-delivery-not-authorized'], String(host));
  }
});

// --- the traps of microsoft-ndr.md §4: same code, different meaning --------------------------

t.test('5.4.1: Directory-Based Edge Blocking is an unknown user, "Relay Access Denied" the tenant\'s domain setup', async t => {
  const dbeb = verdict('550 5.4.1 Recipient address rejected: Access denied. [CY4PEPF0000EE3C.namprd03.prod.outlook.com 2023-09-18T12:48:32.808Z 08DBB45899852BA7]', m365);
  t.same([dbeb.reason, dbeb.side, dbeb.detail], ['userunknown', 'recipient', 'microsoft.dbeb_unknown_recipient']);
  const relay = verdict('550 5.4.1 Relay Access Denied', m365);
  t.same([relay.reason, relay.side, relay.detail], ['norelaying', 'recipient_admin', 'microsoft.domain_not_accepted']);
  // every recipient failing DBEB: Sisimai says rejected; still the recipients, never the sender
  const all = verdict('550 5.4.1 All recipient addresses rejected : Access denied [NEKONYAAN.cat-JPN22.prod.protection.outlook.com]', { host: null, stage: 'data' });
  t.same([all.reason, all.side, all.detail], ['rejected', 'recipient', 'microsoft.dbeb_unknown_recipient']);
  // a bare 5.4.1 elsewhere is RFC 3463's "no answer from host"
  t.equal(verdict('550 5.4.1', { host: 'mx.example.net' }).reason, 'networkerror');
});

t.test('5.1.10: Microsoft\'s "recipient not found", not RFC 7505\'s null MX', async t => {
  for (const opts of [m365, NDR, { host: OLC, recipient: 'a@outlook.com' }]) {
    const v = verdict('550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', opts);
    t.same([v.reason, v.side, v.detail], ['userunknown', 'recipient', 'microsoft.recipient_not_found'], JSON.stringify(opts));
  }
  const bareMs = verdict('550 5.1.10', m365);
  t.same([bareMs.reason, bareMs.side], ['userunknown', 'recipient'], 'the code alone, from a Microsoft MX');
  const nullMx = verdict('556 5.1.10 Recipient address has null MX', { host: 'mx.example.net' });
  t.same([nullMx.reason, nullMx.side], ['notaccept', 'recipient'], 'the RFC 7505 meaning elsewhere');
});

t.test('5.2.2: the sender\'s submission quota at Microsoft, the recipient\'s full mailbox everywhere else', async t => {
  for (const text of ['Submission quota exceeded', "550 5.2.2 The message can't be submitted because the sender's submission quota was exceeded", '554 5.2.2 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception']) {
    const v = verdict(text, { ...NDR, status: '5.2.2' });
    t.same([v.reason, v.side, v.detail], ['exceedlimit', 'sender_account', 'microsoft.submission_quota'], text.slice(0, 60));
    t.not(v.side, 'recipient');
  }
  const full = verdict('554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception', m365);
  t.same([full.reason, full.side, full.detail], ['mailboxfull', 'recipient', 'microsoft.mailbox_full']);
  const gmail = verdict('552 5.2.2 <x@example.org>... Mailbox Full', { host: 'mx.example.net' });
  t.same([gmail.reason, gmail.side], ['mailboxfull', 'recipient']);
});

t.test('5.7.520 forwarding blocked: never the recipient, never a suppressing reason, with or without words', async t => {
  const variants: Array<[string, Omit<SampleSpec, 'text'>]> = [
    ['550 5.7.520', m365],
    ['550 5.7.520', NDR],
    ['Access denied, Your organization does not allow external forwarding. Please contact your administrator for further assistance. AS(7555)', { host: 'relay.example.net', status: '5.0.0' }],
    ['Access denied, Your organization does not allow external forwarding.', { ...NDR, status: '5.7.520' }],
  ];
  for (const [text, opts] of variants) {
    const v = verdict(text, opts);
    t.same([v.reason, v.side, v.detail], ['policyviolation', 'recipient_admin', 'microsoft.forwarding_blocked'], `${text.slice(0, 40)} ${JSON.stringify(opts)}`);
    t.not(v.reason, 'userunknown');
  }
});

t.test('codes that only concern the sender\'s own tenant are sender_account, by code when Microsoft is known', async t => {
  const cases: Array<[string, string, string]> = [
    ['550 5.1.8', 'rejected', 'microsoft.outbound_spam_blocked'],
    ['550 5.7.501', 'rejected', 'microsoft.sender_banned'],
    ['550 5.7.502', 'rejected', 'microsoft.sender_banned'],
    ['550 5.7.503', 'rejected', 'microsoft.sender_banned'],
    ['550 5.7.705', 'speeding', 'microsoft.tenant_blocked'],
    ['550 5.7.708', 'speeding', 'microsoft.tenant_blocked'],
    ['550 5.7.750', 'rejected', 'microsoft.unregistered_domains'],
    ['550 5.1.90', 'speeding', 'microsoft.daily_recipient_limit'],
  ];
  for (const [text, reason, detail] of cases) {
    for (const opts of [NDR, m365]) {
      const v = verdict(text, opts);
      t.same([v.reason, v.side, v.detail], [reason, 'sender_account', detail], `${text} ${JSON.stringify(opts)}`);
    }
  }
  // the same replies relayed by a host no provider claims: the wording decides
  for (const text of ['550 5.1.8 Access denied, bad outbound sender', '550 5.7.705 Access denied, tenant has exceeded threshold',
    '550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains',
    "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients"]) {
    const v = verdict(text, { host: 'relay.example.net' });
    t.same([v.side, v.provider], ['sender_account', 'other'], text.slice(0, 50));
  }
  // elsewhere 5.1.8 is RFC 3463's bad sender domain: still the sender, not an M365 account
  t.same(verdict('553 5.1.8', { host: 'mx.example.net', stage: 'unknown' }).side, 'sender_mta');
});

t.test('the full table\'s plain 5.1.1 wording is a recipient not found', async t => {
  const v = verdict('550 5.1.1 Bad destination mailbox address', m365);
  t.same([v.reason, v.side, v.detail], ['userunknown', 'recipient', 'microsoft.recipient_not_found']);
});
