// Provider detection order (DESIGN.md "Vocabulary"): the rejecting host beats fingerprints in
// the reply text, which beat the report's generator, which beats the recipient domain.
import t from 'tap';
import { join } from 'node:path';
import { detectProvider, loadRuleSet, shippedRuleFiles } from '../../src/classify/index.js';
import type { RecipientRecord } from '../../src/domain/report.js';
import { shipped } from './fixtures/rules.js';

const MS_TEXT = '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup';

function rec(p: { host?: string; text?: string; to?: string }): Pick<RecipientRecord, 'remoteMta' | 'diagnostic' | 'recipient'> {
  const r: Pick<RecipientRecord, 'remoteMta' | 'diagnostic' | 'recipient'> = { diagnostic: p.text ?? '550 rejected', recipient: p.to ?? 'someone@example.org' };
  if (p.host !== undefined) r.remoteMta = p.host;
  return r;
}

t.test('the remote host beats the text, the generator and the domain', async t => {
  const hit = detectProvider(rec({ host: 'gmail-smtp-in.l.google.com', text: MS_TEXT, to: 'x@hotmail.com' }), { generator: 'microsoft' }, shipped);
  t.same(hit, { provider: 'google', family: 'google', by: 'host' });
});

t.test('text fingerprints beat the generator and the domain', async t => {
  const hit = detectProvider(rec({ text: MS_TEXT, to: 'x@gmail.com' }), { generator: 'yahoo' }, shipped);
  t.same(hit, { provider: 'microsoft_m365', family: 'microsoft', by: 'text' });
});

t.test('the generator beats the recipient domain', async t => {
  const hit = detectProvider(rec({ to: 'x@gmail.com' }), { generator: 'Microsoft' }, shipped);
  t.same(hit, { provider: 'microsoft_m365', family: 'microsoft', by: 'generator' });
});

t.test('the recipient domain is the last resort', async t => {
  t.same(detectProvider(rec({ to: 'X@Hotmail.com' }), {}, shipped), { provider: 'microsoft_consumer', family: 'microsoft', by: 'domain' });
  t.same(detectProvider(rec({ to: 'x@aol.com' }), {}, shipped), { provider: 'aol', family: 'yahoo', by: 'domain' });
});

t.test('nothing known gives other/none', async t => {
  t.same(detectProvider(rec({ host: 'mx.example.net' }), { generator: 'postfix' }, shipped), { provider: 'other', family: 'other', by: 'none' });
});

t.test('a named remote host that no provider claims outranks the generator', async t => {
  // An Exchange Online NDR wrapping a third party's rejection: Microsoft only wrote the report.
  const hit = detectProvider(rec({ host: 'mx.example.jp', text: '550 : User unknown', to: 'x@example.jp' }), { generator: 'microsoft' }, shipped);
  t.same(hit, { provider: 'other', family: 'other', by: 'none' });
  // ... and when a pack claims that host, it is that provider, not the report's generator
  t.same(detectProvider(rec({ host: 'msmx.au.com', text: '550 : User unknown', to: 'x@au.com' }), { generator: 'microsoft' }, shipped),
    { provider: 'kddi', family: 'kddi', by: 'host' });
});

t.test('every provider pack detects its provider from its MX host and from its recipient domains', async t => {
  const cases: Array<[string, string, string]> = [
    ['gmail-smtp-in.l.google.com', 'x@gmail.com', 'google'], ['mta5.am0.yahoodns.net', 'x@yahoo.com', 'yahoo'],
    ['mx-aol.mail.gm0.yahoodns.net', 'x@aol.com', 'aol'], ['mx01.mail.icloud.com', 'x@icloud.com', 'apple'],
    ['mx00.emig.gmx.net', 'x@web.de', 'united_internet'], ['mx1.comcast.net', 'x@comcast.net', 'comcast'],
    ['lsean.ezweb.ne.jp', 'x@ezweb.ne.jp', 'kddi'], ['mfsmax.docomo.ne.jp', 'x@docomo.ne.jp', 'nttdocomo'],
    ['smtp-in.orange.fr', 'x@orange.fr', 'orange'],
  ];
  for (const [host, to, provider] of cases) {
    t.equal(detectProvider(rec({ host }), {}, shipped).provider, provider, host);
    t.equal(detectProvider(rec({ to }), {}, shipped).by, 'domain', to);
  }
  t.same(detectProvider(rec({ to: 'x@aol.com' }), {}, shipped), { provider: 'aol', family: 'yahoo', by: 'domain' });
  t.same(detectProvider(rec({ to: 'group@googlegroups.com' }), { generator: 'googlegroups' }, shipped).provider, 'google');
});

t.test('hosts match case-insensitively, with or without the root dot; consumer edges are consumer', async t => {
  t.same(detectProvider(rec({ host: 'EXAMPLE-COM.MAIL.PROTECTION.OUTLOOK.COM.' }), {}, shipped).provider, 'microsoft_m365');
  t.same(detectProvider(rec({ host: 'contoso-com.l-v1.mx.microsoft' }), {}, shipped).provider, 'microsoft_m365');
  for (const h of ['outlook-com.olc.protection.outlook.com', 'eur.olc.protection.outlook.com', 'mx1.hotmail.com']) {
    t.same(detectProvider(rec({ host: h }), {}, shipped).provider, 'microsoft_consumer', h);
  }
});

t.test('consumer fingerprints win over the shared *.prod.outlook.com trailer', async t => {
  const text = '550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [SJ1PEPF00002313.namprd03.prod.outlook.com]';
  t.same(detectProvider(rec({ text }), {}, shipped), { provider: 'microsoft_consumer', family: 'microsoft', by: 'text' });
});

t.test('an operator file loaded first can claim a host before the shipped packs', async t => {
  const dir = t.testdir({
    'gw.yaml': "pack: local\nversion: 1\nproviders:\n  - { id: corp_gateway, family: corp, hosts: ['^mx1\\.hotmail\\.com$'] }\n",
  });
  const rs = loadRuleSet([join(dir, 'gw.yaml'), ...shippedRuleFiles()]);
  t.same(detectProvider(rec({ host: 'mx1.hotmail.com' }), {}, rs), { provider: 'corp_gateway', family: 'corp', by: 'host' });
});
