// Expectation table for the provider packs other than Microsoft (google.yaml, yahoo.yaml,
// apple.yaml, gmx.yaml, comcast.yaml and the smaller ones): the real reply strings of
// ../shared/reference/samples.jsonl and providers.md, seen from each provider's MX, with who
// must act written out row by row. The point of a provider pack is `side` and `detail`; the
// rows that share wording with another provider or with the generic pack say so.
import t from 'tap';
import { assertRows, verdict, type Row } from './fixtures/rules.js';


const GMAIL = { host: 'gmail-smtp-in.l.google.com' };
const YAHOO = { host: 'mta5.am0.yahoodns.net' };
const AOL = { host: 'mx-aol.mail.gm0.yahoodns.net', recipient: 'someone@aol.com' };
const ICLOUD = { host: 'mx01.mail.icloud.com' };

const rows: Row[] = [
  // Google: gcdp = a Workspace admin's rule; whitelisting = the domain's gateway setup
  ['550 5.7.1 This message violates example.com email policy. - gcdp <sessionid> - gsmtp', GMAIL, 'policyviolation', 'recipient_admin', 'google.admin_policy', 'google'],
  ['421, "4.7.0", IP not in whitelist for RCPT domain, closing connection.', GMAIL, 'blocked', 'recipient_admin', 'google.ip_not_allowlisted', 'google'],
  ['421, "4.7.0", TLS required for RCPT domain, closing connection.', GMAIL, 'failedstarttls', 'sender_mta', 'google.tls_required', 'google'],
  // Google: the mailbox (5.1.1 / 5.2.1 / 4.2.2 / 5.2.2 inactive / 4.2.1 rate)
  ["550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. Learn more at http://support.google.com/mail/bin/answer.py?answer=6596 qy3si50924603pab.12 - gsmtp", GMAIL, 'userunknown', 'recipient', 'google.no_such_user', 'google'],
  ['550 5.2.1 The email account that you tried to reach is disabled.', GMAIL, 'suspend', 'recipient', 'google.account_disabled', 'google'],
  ['550 5.2.1 The email account that you tried to reach is inactive.', GMAIL, 'suspend', 'recipient', 'google.account_disabled', 'google'],
  ['452, "4.2.2", The email account that you tried to reach is over quota. Please direct the recipient to this article.', GMAIL, 'mailboxfull', 'recipient', 'google.over_quota', 'google'],
  ["552 5.2.2 The recipient's inbox is out of storage space and inactive. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm - gsmtp", GMAIL, 'mailboxfull', 'recipient', 'google.inactive_full', 'google'],
  ['450 4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered. Please resend your message at a later time. If the user is able to receive mail at that time, your message will be delivered. For more information, please visit - gsmtp', GMAIL, 'speeding', 'transient', 'google.recipient_rate', 'google'],
  // Google: the sending IP (4.7.28 rate, 5.7.1/5.7.28 block) and domain reputation
  ['421 4.7.28 [x.xx.xx.xx] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. Please visit https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk Email Senders Guidelines. - gsmtp', GMAIL, 'blocked', 'sender_ip', 'google.unsolicited_rate', 'google'],
  ['550-5.7.1 [MyIP6Address] Our system has detected an unusual rate 550-5.7.1 of unsolicited mail originating from your IP address. To protect our 550-5.7.1 users from spam, mail sent from your IP address has been blocked. 550-5.7.1 Please visit 550-5.7.1 to review our 550 5.7.1 Bulk Email Senders Guidelines. u66si15473913qki.107 - gsmtp', GMAIL, 'blocked', 'sender_ip', 'google.unsolicited_rate', 'google'],
  ['421 4.7.0 [x.xx.xx.xx] Our system has detected that this message is suspicious due to the very low reputation of the sending domain. To best protect our users from spam, the message has been blocked. Please visit https://support.google.com/mail/answer/188131 for more information. - gsmtp', GMAIL, 'badreputation', 'sender_ip', 'google.low_reputation', 'google'],
  ['421 4.7.0 [x.xx.xx.xx] Our system has detected that this message is suspicious due to the nature of the content and/or the links within. To best protect our users from spam, the message has been blocked. Please visit https://support.google.com/mail/answer/188131 for more information. - gsmtp', GMAIL, 'spamdetected', 'content', 'google.suspicious_content', 'google'],
  // Google: authentication (5.7.26, 4.7.27/30/32) and PTR (5.7.25)
  ["550-5.7.26 Unauthenticated email from example.com is not accepted due to 550-5.7.26 domain's DMARC policy. Please visit 550-5.7.26 https://support.google.com/mail/answer/81126#authentication for 550-5.7.26 more information.", GMAIL, 'authfailure', 'sender_auth', 'google.dmarc_reject', 'google'],
  ['550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.', GMAIL, 'authfailure', 'sender_auth', 'google.unauthenticated', 'google'],
  ["421 4.7.27 Your email has been rate limited because SPF authentication didn't pass for this message. Gmail requires all bulk email senders to authenticate their email with SPF.", GMAIL, 'authfailure', 'sender_auth', 'google.spf_fail', 'google'],
  ["421 4.7.30 Your email has been rate limited because DKIM authentication didn't pass for this message. Gmail requires all email bulk senders to authenticate their email with DKIM.", GMAIL, 'authfailure', 'sender_auth', 'google.dkim_fail', 'google'],
  ["421 4.7.32 Your email has been rate limited because the From: header (RFC5322) in this message isn't aligned with either the authenticated SPF or DKIM organizational domain.", GMAIL, 'authfailure', 'sender_auth', 'google.dmarc_alignment', 'google'],
  ['550-5.7.1 [MyIP6Address] Our system has detected that this message does 550-5.7.1 not meet IPv6 sending guidelines regarding PTR records and 550-5.7.1 authentication. Please review 550-5.7.1 for more information 550 5.7.1 . x102si19099743ioi.169 - gsmtp', GMAIL, 'requireptr', 'sender_mta', 'google.ptr_missing', 'google'],
  // Google Groups: the group's owner decides who may post; the bounce is localised prose
  ['Dobrý den, skupina, kterou se pokoušíte kontaktovat (libsisimai), pravděpodobně neexistuje', { host: null, generator: 'googlegroups', status: '5.0.0', stage: 'unknown', recipient: 'libsisimai@googlegroups.com' }, 'rejected', 'recipient_admin', 'google.group_post_refused', 'google'],
  ['Unspecified Error (SENT_SECOND_EHLO): Smtp server does not advertise AUTH capability', { host: null, generator: 'google', status: '5.0.0', stage: 'unknown' }, 'rejected', 'sender_account', 'google.send_mail_as', 'google'],
  // Yahoo / AOL
  ['421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes', { ...YAHOO, stage: 'mail' }, 'rejected', 'sender_ip', 'yahoo.complaints_deferral', 'yahoo'],
  ['553 5.7.2 [TSS09] All messages from 192.0.2.25 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes', YAHOO, 'rejected', 'sender_ip', 'yahoo.ip_blocked', 'yahoo'],
  ['553 5.7.2 [TSS11] All messages from 192.0.2.25 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes', YAHOO, 'rejected', 'sender_ip', 'yahoo.ip_blocked', 'yahoo'],
  ["553 5.7.1 [BL21] Connections will not be accepted from 11.22.33.44, because the ip is in Spamhaus's list; see https://help.yahoo.com/kb/postmaster/SLN5070.html", YAHOO, 'blocked', 'sender_ip', 'yahoo.spamhaus_listed', 'yahoo'],
  ['553 Mail from 11.22.33.44 not allowed - 5.7.1 [BL23] Connections not accepted from IP addresses on Spamhaus XBL; see http://postmaster.yahoo.com/errors/550-bl23.html [550]', YAHOO, 'blocked', 'sender_ip', 'yahoo.spamhaus_listed', 'yahoo'],
  ['554 Message not allowed - [PH01] Email not accepted for policy reasons. Please visit https://postmaster.yahooinc.com/error-codes', { ...YAHOO, stage: 'data' }, 'policyviolation', 'content', 'yahoo.policy_reasons', 'yahoo'],
  ['554 5.7.9 Message not accepted for policy reasons. See https://postmaster.verizonmedia.com/error-codes', { ...AOL, stage: 'data' }, 'policyviolation', 'content', 'yahoo.policy_reasons', 'aol'],
  ['550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.', YAHOO, 'authfailure', 'sender_auth', 'yahoo.unauthenticated', 'yahoo'],
  // "dd" replies are the mailbox store's, after DATA: still a confirmed unknown user
  ["554 delivery error: dd This user doesn't have a yahoo.com account (this-is-not-a-yahoo-user-address@yahoo.com) [0] - mta107.mail.re1.yahoo.com", { ...YAHOO, stage: 'data' }, 'userunknown', 'recipient', 'yahoo.no_such_user', 'yahoo'],
  ['554 delivery error: dd ****@yahoo.com is no longer valid.', YAHOO, 'suspend', 'recipient', 'yahoo.account_disabled', 'yahoo'],
  ['554 30 Sorry, your message to *****@aol.jp cannot be delivered. This mailbox is disabled (554.30)', AOL, 'suspend', 'recipient', 'yahoo.account_disabled', 'aol'],
  // AOL's 552 here is an unknown user, not "storage exceeded" (RFC 5321's 552)
  ['552 1 Requested mail action aborted, mailbox not found', { ...AOL, stage: 'data' }, 'userunknown', 'recipient', 'yahoo.no_such_user', 'aol'],
  // Apple iCloud
  ["554 5.7.1 Your message was rejected due to example.jp's DMARC policy. See https://support.apple.com/en-us/HT204137 for", ICLOUD, 'authfailure', 'sender_auth', 'apple.dmarc_reject', 'apple'],
  ['554 5.7.1 [HME1] This message was blocked for failing both SPF and DKIM authentication checks. See https://support.apple.com/en-us/HT204137 for mailing best practices', ICLOUD, 'authfailure', 'sender_auth', 'apple.unauthenticated', 'apple'],
  ['550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137', ICLOUD, 'policyviolation', 'content', 'apple.local_policy', 'apple'],
  ['550 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.1.2', ICLOUD, 'blocked', 'sender_ip', 'apple.ip_blocklisted', 'apple'],
  ['421 4.7.1 Messages to ****@icloud.com deferred due to excessive volume. Try again later - https://support.apple.com/en-us/HT204137', ICLOUD, 'speeding', 'sender_ip', 'apple.rate_limited', 'apple'],
  ['550 5.1.1 <****@icloud.com>: inactive email address (in reply to RCPT TO command)', ICLOUD, 'userunknown', 'recipient', 'apple.no_such_user', 'apple'],
  ['552 5.2.2 <****@icloud.com>: user is over quota (in reply to RCPT TO command)', ICLOUD, 'mailboxfull', 'recipient', undefined, 'apple'],
  // GMX / WEB.DE, Comcast: block lists are the sending IP's
  ['554-gmx.net (mxgmx104) Nemesis ESMTP Service not available 554-No SMTP service 554-IP address is block listed. 554 For explanation visit https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=198.51.100.42&r=1MNcgj-1ue23t3pyV-00S2YR', { host: 'mx00.emig.gmx.net', stage: 'connect' }, 'blocked', 'sender_ip', 'gmx.ip_blocklisted', 'united_internet'],
  ['550 <x@web.de>: Requested action not taken: mailbox unavailable', { host: 'mx-ha02.web.de' }, 'userunknown', 'recipient', 'gmx.no_such_user', 'united_internet'],
  ['554 resimta-po-11v.sys.comcast.net resimta-po-11v.sys.comcast.net 1.2.3.4 found on one or more DNSBLs, see http://postmaster.comcast.net/smtp-error-codes.php#BL000010', { host: 'mx1.comcast.net', stage: 'connect' }, 'blocked', 'sender_ip', 'comcast.ip_blocklisted', 'comcast'],
  // KDDI (au): "550 : User unknown" is the recipient's filter, "<addr>: User unknown" no such user
  ['550 : User unknown', { host: 'lsean.ezweb.ne.jp', stage: 'data' }, 'filtered', 'recipient', 'kddi.recipient_filter', 'kddi'],
  ['550 <x@ezweb.ne.jp>: User unknown', { host: 'lsean.ezweb.ne.jp', stage: 'unknown' }, 'userunknown', 'recipient', 'kddi.no_such_user', 'kddi'],
  // NTT docomo: 5.0.0 after DATA = the recipient's reception filter refused our sender
  ['550 Unknown user x@docomo.ne.jp', { host: 'mfsmax.docomo.ne.jp', stage: 'data', status: '5.0.0' }, 'rejected', 'recipient', 'nttdocomo.reception_filter', 'nttdocomo'],
  ['550 Unknown user x@docomo.ne.jp', { host: 'mfsmax.docomo.ne.jp', stage: 'rcpt' }, 'userunknown', 'recipient', undefined, 'nttdocomo'],
  // Orange / La Poste: the code decides
  ['550 5.2.0 Mail rejete. Mail rejected. OFR_506 [506]', { host: 'smtp.wanadoo.fr', stage: 'data' }, 'spamdetected', 'content', 'orange.spam_rejected', 'orange'],
  ['421 mwinf5c77 ME Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR_999 [999]', { host: 'smtp-in.orange.fr', stage: 'connect' }, 'blocked', 'sender_ip', 'orange.ip_blocked', 'orange'],
  ['550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416]', { host: 'smtp-in.orange.fr' }, 'userunknown', 'recipient', 'orange.no_such_user', 'orange'],
  // Facebook, Mimecast, Spectrum, Cloudflare
  ['550 5.1.1 RCP-P2 http://postmaster.facebook.com/response_codes?ip=192.0.2.135#rcp Refused due to recipient preferences', { host: null, stage: 'unknown' }, 'filtered', 'recipient', 'facebook.recipient_preferences', 'facebook'],
  ['554 email rejected due to security policies - MCSpamSignature.sa.2.2', { host: 'service222.mimecast.com', stage: 'data' }, 'virusdetected', 'content', 'mimecast.security_policies', 'mimecast'],
  ['550 5.1.0 <x@amazonses.com> sender rejected. Please see https://www.spectrum.net/support/internet/understanding-email-error-codes for more information. AUP#In-1310', { host: null, stage: 'unknown' }, 'toomanyconn', 'sender_ip', 'spectrum.connection_limit', 'spectrum'],
  ['421 4.3.0 Upstream error, please check https://developers.cloudflare.com/email-routing/postmaster for possible reasons why. RsrUEMk60942', { host: 'route3.mx.cloudflare.net', stage: 'data' }, 'systemerror', 'transient', 'cloudflare.upstream_error', 'cloudflare'],
];

t.test('provider packs classify as the reference says', async t => {
  t.ok(rows.length >= 50, `${rows.length} rows`);
  assertRows(t, rows);
});

t.test('[TSS04] is the sending IP whoever names it; only the reason name follows Sisimai', async t => {
  const text = '421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes';
  const viaYahoo = verdict(text, { host: 'mta7.am0.yahoodns.net', stage: 'mail' });
  const viaIp = verdict(text, { host: '98.136.96.74', stage: 'mail' });
  t.same([viaYahoo.reason, viaYahoo.side], ['rejected', 'sender_ip']);
  t.same([viaIp.reason, viaIp.side, viaIp.provider], ['badreputation', 'sender_ip', 'yahoo']);
});

t.test('Google wording without a Google host or fingerprint is still classified by the generic pack', async t => {
  const v = verdict('421 4.7.0 IP not in whitelist for RCPT domain, closing connection.', { host: 'mx.example.net' });
  t.same([v.reason, v.side, v.rule], ['blocked', 'recipient_admin', 'generic/ip-allowlist']);
});

t.test('Gmail 4.7.27 / 5.7.27 is the SPF requirement, not RFC 7505\'s sender null MX', async t => {
  const bare = verdict('550 5.7.27', { host: 'mx.example.net', stage: 'mail' });
  t.same([bare.reason, bare.side], ['notaccept', 'sender_mta'], 'IANA reading elsewhere');
  const gmail = verdict("550 5.7.27 Your email has been blocked because SPF authentication didn't pass. Gmail requires all bulk email senders to authenticate with SPF.", GMAIL);
  t.same([gmail.reason, gmail.side, gmail.detail], ['authfailure', 'sender_auth', 'google.spf_fail']);
});
