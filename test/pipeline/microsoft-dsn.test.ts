// Microsoft reply strings (../shared/reference/microsoft-ndr.md and samples.jsonl) wrapped in real
// DSN structure by the test helpers — Postfix-style multipart/report with the reply folded into
// Diagnostic-Code, the rejecting host in Remote-MTA and the SMTP stage in the prose — and run
// through parse + classify. Each row asserts reason, side (who must act, from the reference's
// "who fixes" column) and detail. The traps of microsoft-ndr.md §4 are in here: 5.4.1 DBEB is an
// unknown user but 5.4.1 Relay Access Denied is the tenant's; 5.1.10 is "recipient not found";
// 5.2.2 is mailbox full except "Submission quota exceeded"; 5.7.520 is never the recipient's fault;
// the sender's own tenant codes (5.1.8, 5.7.501, 5.7.705, 5.7.708, 5.7.750, 5.1.90) are sender_account.
import t from 'tap';
import { classify, loadRuleSet, shippedRuleFiles } from '../../src/classify/index.js';
import { parseReport } from '../../src/parse/index.js';
import { makeDsn } from '../helpers/dsn.js';

const HOST = { m365: 'contoso-com.mail.protection.outlook.com', consumer: 'outlook-com.olc.protection.outlook.com', consumer_legacy: 'mx1.hotmail.com' } as const;
type Row = [reply: string, host: keyof typeof HOST, command: string, reason: string, side: string, detail: string];

const TABLE: Row[] = [
  ["550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", 'm365', 'RCPT TO', 'userunknown', 'recipient', 'microsoft.recipient_not_found'],
  ["550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient firstname.lastname@company.com not found by SMTP address lookup", 'm365', 'RCPT TO', 'userunknown', 'recipient', 'microsoft.recipient_not_found'],
  ["550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", 'm365', 'RCPT TO', 'userunknown', 'recipient', 'microsoft.recipient_not_found'],
  ["550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found", 'm365', 'RCPT TO', 'userunknown', 'recipient', 'microsoft.recipient_not_found'],
  ["550 5.4.1 Recipient address rejected: Access denied. [CY4PEPF0000EE3C.namprd03.prod.outlook.com 2023-09-18T12:48:32.808Z 08DBB45899852BA7]", 'm365', 'RCPT TO', 'userunknown', 'recipient', 'microsoft.dbeb_unknown_recipient'],
  ["550 5.4.1 [kijitora@example.org]: Recipient address rejected: Access denied [NEKOCHAN.cat-neko22.prod.protection.outlook.com]", 'm365', 'RCPT TO', 'userunknown', 'recipient', 'microsoft.dbeb_unknown_recipient'],
  ["550 5.7.504 [email@contoso.com]: Recipient address rejected: Access denied", 'm365', 'RCPT TO', 'suspend', 'recipient', 'microsoft.recipient_invalid'],
  ["550 5.7.505 Access denied, banned recipient", 'm365', 'RCPT TO', 'suspend', 'recipient', 'microsoft.recipient_banned'],
  ["550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [SJ1PEPF00002313.namprd03.prod.outlook.com 2023-09-19T15:05:34.324Z 08DBB71928CA8F8E]", 'consumer', 'RCPT TO', 'userunknown', 'recipient', 'microsoft.consumer_unknown_recipient'],
  ["550 5.2.2 <kijitora@example.jp>... Mailbox Full", 'consumer', 'RCPT TO', 'mailboxfull', 'recipient', 'microsoft.mailbox_full'],
  ["552 5.2.2 STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception", 'm365', 'end of DATA', 'mailboxfull', 'recipient', 'microsoft.mailbox_full'],
  ["550 5.2.2 Submission quota exceeded", 'm365', 'end of DATA', 'exceedlimit', 'sender_account', 'microsoft.submission_quota'],
  ["550 5.7.1 Delivery not authorized, message refused", 'm365', 'end of DATA', 'rejected', 'recipient_admin', 'microsoft.group_restricted'],
  ["550 5.7.1 RESOLVER.RST.AuthRequired; authentication required [Stage: CreateMessage]", 'm365', 'end of DATA', 'securityerror', 'recipient_admin', 'microsoft.group_restricted'],
  ["550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized; you do not have permissions to send to this address", 'm365', 'RCPT TO', 'rejected', 'recipient_admin', 'microsoft.group_restricted'],
  ["550 5.7.1 You do not have permission to send to this recipient. For assistance, contact your system administrator.", 'm365', 'RCPT TO', 'rejected', 'recipient_admin', 'microsoft.group_restricted'],
  ["550 5.7.12 Sender was not authenticated by organization", 'm365', 'RCPT TO', 'rejected', 'recipient_admin', 'microsoft.group_restricted'],
  ["550 5.7.124 Sender not in allowed-senders list", 'm365', 'RCPT TO', 'rejected', 'recipient_admin', 'microsoft.group_restricted'],
  ["550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication required", 'm365', 'RCPT TO', 'rejected', 'recipient_admin', 'microsoft.group_restricted'],
  ["550 5.7.134 RESOLVER.RST.SenderNotAuthenticatedForMailbox; Sender was not authenticated for mailbox", 'm365', 'RCPT TO', 'rejected', 'recipient_admin', 'microsoft.group_restricted'],
  ["550 5.7.135 Sender was not authenticated for public folder", 'm365', 'RCPT TO', 'rejected', 'recipient_admin', 'microsoft.group_restricted'],
  ["550 5.7.136 Sender was not authenticated", 'm365', 'RCPT TO', 'rejected', 'recipient_admin', 'microsoft.group_restricted'],
  ["550 5.7.129 You don't have permission to send to this recipient; ask to be added to the accept list", 'm365', 'RCPT TO', 'rejected', 'recipient_admin', 'microsoft.group_restricted'],
  ["550 5.7.950 Delivery not authorized, message refused", 'm365', 'end of DATA', 'policyviolation', 'recipient_admin', 'microsoft.transport_rule'],
  ["550 5.7.520 Access denied, Your organization does not allow external forwarding. Please contact your administrator for further assistance. AS(7555)", 'm365', 'end of DATA', 'policyviolation', 'recipient_admin', 'microsoft.forwarding_blocked'],
  ["550 5.7.513 Service unavailable, Client host [192.0.2.7] blocked by contoso.com using Customer Block list (AS16012607)", 'm365', 'RCPT TO', 'blocked', 'recipient_admin', 'microsoft.customer_blocklist'],
  ["550 5.7.507 Access denied, rejected by recipient", 'm365', 'RCPT TO', 'blocked', 'recipient_admin', 'microsoft.customer_blocklist'],
  ["550 5.4.1 Relay Access Denied", 'm365', 'RCPT TO', 'norelaying', 'recipient_admin', 'microsoft.domain_not_accepted'],
  ["550 5.7.1 Unable to relay", 'm365', 'RCPT TO', 'norelaying', 'recipient_admin', 'microsoft.domain_not_accepted'],
  ["554 5.4.14 Hop count exceeded - possible mail loop", 'm365', 'end of DATA', 'networkerror', 'recipient_admin', 'microsoft.routing_loop'],
  ["550 5.4.6 Routing loop detected", 'm365', 'end of DATA', 'networkerror', 'recipient_admin', 'microsoft.routing_loop'],
  ["550 5.7.509 Access denied, sending domain [EXAMPLE.JP] does not pass DMARC verification and has a DMARC policy of reject. [7FQL1BDY0XZ5XGTW.JPNP222.PROD.OUTLOOK.COM 2024-05-09T23:34:45.000Z 08DC6F1C2B3A4D5E]", 'consumer', 'end of DATA', 'authfailure', 'sender_auth', 'microsoft.dmarc_reject'],
  ["550 5.7.515 Access denied, sending domain NYAAAAN.EXAMPLE.JP doesn't meet the required authentication level.", 'consumer', 'end of DATA', 'securityerror', 'sender_auth', 'microsoft.auth_requirements'],
  ["550 5.7.23 The message was rejected because of Sender Policy Framework violation", 'm365', 'end of DATA', 'authfailure', 'sender_auth', 'microsoft.spf_fail'],
  ["550 5.7.57 Access denied, a message sent over IPv6 [2a01:111:f200:2004::240] must pass either SPF or DKIM validation, this message is not signed", 'm365', 'end of DATA', 'authfailure', 'sender_auth', 'microsoft.ipv6_unauthenticated'],
  ["550 5.7.25 Access denied, the sending IPv6 address [2a01:111:f200:2004::240] must have a reverse DNS record", 'm365', 'MAIL FROM', 'requireptr', 'sender_mta', 'microsoft.ipv6_no_ptr'],
  ["550 5.7.606 Access denied, banned sending IP [198.51.100.222]. To request removal from this list please visit https://sender.office.com/ and follow the directions. (AS16012609)", 'm365', 'MAIL FROM', 'blocked', 'sender_ip', 'microsoft.banned_ip'],
  ["550 5.7.649 Access denied, banned sending IP [198.51.100.222]. (AS16012609)", 'm365', 'MAIL FROM', 'blocked', 'sender_ip', 'microsoft.banned_ip'],
  ["550 5.7.511 Access denied, banned sender[1.2.3.4]. To request removal from this list please forward this message to delist@messaging.microsoft.com. AS(508) [AM5EUR02FT019.eop-EUR02.prod.protection.outlook.com]", 'm365', 'MAIL FROM', 'blocked', 'sender_ip', 'microsoft.banned_ip'],
  ["550 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using Blocklist 1; To request removal from this list please forward this message to delist@microsoft.com", 'm365', 'MAIL FROM', 'blocked', 'sender_ip', 'microsoft.banned_ip'],
  ["550 5.7.1 Service unavailable, Client host [11.22.33.44] blocked using Spamhaus. To request removal from this list see http://www.spamhaus.org/lookup. AS(1450)", 'm365', 'MAIL FROM', 'blocked', 'sender_ip', 'microsoft.third_party_blocklist'],
  ["550 5.7.1 Unfortunately, messages from [192.0.2.25] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [DB3EUR04FT007.eop-eur04.prod.protection.outlook.com]", 'consumer', 'MAIL FROM', 'blocked', 'sender_ip', 'microsoft.consumer_blocklist'],
  ["550 5.7.1 Unfortunately, messages from [123.234.34.45] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [VI1EUR05FT055.eop-eur05.prod.protection.outlook.com 2023-09-21T22:58:42.927Z 1234ABCD1234ABCD]", 'consumer', 'MAIL FROM', 'blocked', 'sender_ip', 'microsoft.consumer_blocklist'],
  ["550 5.7.1 Unfortunately, messages from [69.64.64.149] weren't sent. Please contact your Internet service provider since part of their network is on our block list (AS3140).", 'consumer', 'MAIL FROM', 'blocked', 'sender_ip', 'microsoft.consumer_blocklist'],
  ["550 SC-001 (BAY004-MC2F37) Unfortunately, messages from 217.160.129.251 weren't sent. Please contact your Internet service provider since part of their network is on our block list.", 'consumer_legacy', 'MAIL FROM', 'blocked', 'sender_ip', 'microsoft.consumer_blocklist'],
  ["550 SC-004 (COL0-MC1-F1) Unfortunately, messages from 111.86.156.22 weren't sent. We recommend that you contact your Internet service provider.", 'consumer_legacy', 'MAIL FROM', 'blocked', 'sender_ip', 'microsoft.consumer_blocklist'],
  ["550 OU-001 (SNT004-MC1F43) Unfortunately, messages from 116.246.2.245 weren't sent.", 'consumer_legacy', 'MAIL FROM', 'blocked', 'sender_ip', 'microsoft.consumer_blocklist'],
  ["451 4.7.650 The mail server [192.0.2.25] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S3113) [5NY1SSJFSTZJRJBG.eurprd02.prod.outlook.com 2024-05-09T23:34:45.000Z GLXTWVLGZHZNHVXY]", 'consumer', 'MAIL FROM', 'badreputation', 'sender_ip', 'microsoft.ip_reputation_throttle'],
  ["451 4.7.651 The mail server [54.240.8.61] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S844) [AM7EUR06FT034.eop-eur06.prod.protection.outlook.com]", 'consumer', 'MAIL FROM', 'badreputation', 'sender_ip', 'microsoft.ip_reputation_throttle'],
  ["451 4.7.500 Server busy. Please try again later from [192.0.2.2]. (AS761)", 'consumer', 'RCPT TO', 'speeding', 'sender_ip', 'microsoft.ip_throttle'],
  ["550 5.7.508 Access denied, [2001:db8::1] has exceeded permitted limits within 2001:db8::/64 range", 'm365', 'MAIL FROM', 'speeding', 'sender_ip', 'microsoft.ip_throttle'],
  ["550 5.1.8 Access denied, bad outbound sender AS(42004)", 'm365', 'MAIL FROM', 'rejected', 'sender_account', 'microsoft.outbound_spam_blocked'],
  ["550 5.7.501 Access denied, spam abuse detected", 'm365', 'MAIL FROM', 'rejected', 'sender_account', 'microsoft.sender_banned'],
  ["550 5.7.705 Access denied, tenant has exceeded threshold", 'm365', 'MAIL FROM', 'speeding', 'sender_account', 'microsoft.tenant_blocked'],
  ["550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. AS(7230)", 'm365', 'MAIL FROM', 'speeding', 'sender_account', 'microsoft.tenant_blocked'],
  ["550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains", 'm365', 'MAIL FROM', 'rejected', 'sender_account', 'microsoft.unregistered_domains'],
  ["550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients", 'm365', 'MAIL FROM', 'speeding', 'sender_account', 'microsoft.daily_recipient_limit'],
  ["530 5.7.57 Client was not authenticated to send anonymous mail during MAIL FROM [AM6PR0732BE0065.eurprd07.prod.outlook.com]", 'm365', 'MAIL FROM', 'securityerror', 'sender_mta', 'microsoft.submission_requires_auth'],
  ["452 4.5.3 Recipients belong to multiple regions ATTR38 [VE1EUR01FT019.eop-EUR01.prod.protection.outlook.com]", 'consumer', 'RCPT TO', 'systemerror', 'sender_mta', 'microsoft.multiple_regions'],
  ["550 5.6.11 Invalid characters", 'm365', 'end of DATA', 'contenterror', 'content', 'microsoft.bare_lf'],
  ["552 5.3.4 Message size exceeds fixed maximum message size", 'm365', 'end of DATA', 'mesgtoobig', 'content', 'microsoft.message_too_large'],
  ["550 5.2.121 Recipient's per hour message receive limit from specific sender exceeded", 'm365', 'RCPT TO', 'speeding', 'transient', 'microsoft.recipient_rate_limit'],
  ["550 5.2.122 Recipient's per hour message receive limit exceeded", 'm365', 'RCPT TO', 'speeding', 'transient', 'microsoft.recipient_rate_limit'],
  ["432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded", 'm365', 'end of DATA', 'speeding', 'transient', 'microsoft.recipient_throttled'],
  ["451 4.7.700 PFA agent busy, please try again. [BN8NAM11FT012.eop-nam11.prod.protection.outlook.com]", 'consumer', 'MAIL FROM', 'systemerror', 'transient', 'microsoft.service_busy'],
  ["550 5.4.300 Message expired", 'm365', 'end of DATA', 'expired', 'transient', 'microsoft.message_expired'],
  ["550 5.0.350 Requested action not taken: policy violation detected (AS345)", 'm365', 'end of DATA', 'policyviolation', 'content', 'microsoft.content_rejected'],
];

t.test(`${TABLE.length} Microsoft replies in DSN structure: reason, side and detail`, async t => {
  t.ok(TABLE.length >= 60, 'at least 60 rows');
  const rules = loadRuleSet(shippedRuleFiles());
  for (const [reply, host, command, reason, side, detail] of TABLE) {
    const recipient = host === 'm365' ? 'user@contoso.com' : 'user@outlook.com';
    const report = await parseReport(makeDsn({ recipients: [{ recipient, reply, remoteMta: HOST[host], command }] }), { streamHeader: 'X-Stream' });
    const record = report.records[0];
    if (!record) { t.fail(`no record for ${reply}`); continue; }
    const v = classify(record, report, rules);
    t.same([v.reason, v.side, v.detail, v.family], [reason, side, detail, 'microsoft'], reply.slice(0, 90));
  }
});
