// bounce-triage behind a real Postfix. A throw-away Postfix instance (its own config, queue and
// data directories, an smtpd on a free loopback port) sends ordinary messages to fake Microsoft
// servers on loopback that refuse them the way Exchange Online and Outlook.com do; Postfix writes
// its own DSNs to the envelope sender, a bounce address that deploy/postfix/ routes to the
// daemon's SMTP listener; the daemon decides and delivers signed webhooks to a real HTTP server.
//
//   kijitora@contoso.com  RCPT 550 5.7.1 "do not have permissions", two messages → keep_testing, pause
//   bob@fabrikam.com      RCPT 550 5.4.1 DBEB                                     → suppress
//   carol@outlook.com,    MAIL FROM 550 5.7.1 (S3150): sending IP block-listed    → no recipient change;
//   dan@hotmail.com,      + erin@live.com RCPT 451 4.7.650 (IP reputation), retried until the message
//   erin@live.com           expires (and a delayed DSN before that)               → stream "promo" escalated
//                                                                                  by 3 Microsoft domains
//   frank@msn.com         end of DATA 550 5.7.509 DMARC reject                    → no recipient change;
//                                                                                  stream "receipts" escalated
//                                                                                  on the strong signal
//   an Exchange Online NDR relayed through Postfix to bounces+oob@ (relay_recipient_maps accepts it,
//   junk@ is refused at RCPT)                                                      → kijitora@example.com suppress
//
// Postfix's queue is empty at the end: every DSN was answered 250. Every process started here is
// stopped in the teardown, whatever the outcome; waits poll with deadlines.
import { chmod, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Webhook } from 'standardwebhooks';
import { SECRET, startHarness, type Harness } from '../helpers/harness.js';
import { startFakeMicrosoft, type FakeMicrosoft } from '../helpers/fake-microsoft.js';
import { postfixVersion, startPostfix, Submitter, type Postfix } from '../helpers/postfix.js';
import { webhookValidator } from '../helpers/webhook-schema.js';

const ROOT = join(import.meta.dirname, '../..');
const DEPLOY = join(ROOT, 'deploy/postfix');
const BOUNCE_DOMAIN = 'bounce.localhost'; // the daemon's default smtp.bounceDomains
const RETURN_PATH = `bounces@${BOUNCE_DOMAIN}`;
const MYHOSTNAME = 'mta1.postfix-e2e.localhost';

interface Hook { type: string; timestamp: string; data: Record<string, any> }

/** deploy/postfix/main.cf's settings, made local: this domain, files in the instance's config dir, texthash. */
async function deployMain(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of (await readFile(join(DEPLOY, 'main.cf'), 'utf8')).split('\n')) {
    const m = /^([a-z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m?.[1]) continue;
    out[m[1]] = (m[2] ?? '').replaceAll('bounce.example.com', BOUNCE_DOMAIN)
      .replaceAll('/etc/postfix/', '$config_directory/').replace(/\bhash:/g, 'texthash:');
  }
  return out;
}

/** A deploy/postfix/ file without its comments, with this test's domain and daemon port. */
async function deployFile(name: string, daemonPort: number): Promise<string> {
  return (await readFile(join(DEPLOY, name), 'utf8')).split('\n').filter(l => l.trim() !== '' && !l.startsWith('#'))
    .map(l => l.replaceAll('bounce\\.example\\.com', BOUNCE_DOMAIN.replaceAll('.', '\\.'))
      .replaceAll('bounce.example.com', BOUNCE_DOMAIN).replaceAll(':2525', `:${daemonPort}`))
    .join('\n') + '\n';
}

function message(o: { id: string; to: string; stream: string; from?: string }): Buffer {
  return Buffer.from([
    `From: ${o.from ?? 'News <news@sender.example>'}`,
    `To: <${o.to}>`,
    `Subject: ${o.stream} ${o.id}`,
    `Message-ID: <${o.id}@sender.example>`,
    `Date: ${new Date().toUTCString()}`,
    `X-Stream: ${o.stream}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `Hello, this is ${o.id}.`,
    '',
  ].join('\r\n'));
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

t.test('a real Postfix: its DSNs for Microsoft refusals reach bounce-triage, states and webhooks follow', async t => {
  const started = Date.now();
  t.comment(`Postfix ${await postfixVersion()}`);
  const root = await mkdtemp(join(tmpdir(), 'bt-postfix-'));
  await chmod(root, 0o755); // mkdtemp makes it 0700; Postfix's daemons run as mail_owner
  let h: Harness | undefined;
  let fake: FakeMicrosoft | undefined;
  let postfix: Postfix | undefined;
  let client: Submitter | undefined;
  // One teardown, in order, each step on its own: Postfix first (it delivers to the others).
  t.teardown(async () => {
    const steps: Array<[string, (() => Promise<unknown>) | undefined]> = [
      ['smtp client', client && (async () => client?.quit())],
      ['postfix', postfix?.stop], ['fake microsoft', fake?.close], ['daemon', h?.stop],
      ['tmp dir', () => rm(root, { recursive: true, force: true })],
    ];
    for (const [name, step] of steps) {
      try { await step?.(); } catch (err) { console.error(`teardown ${name}: ${(err as Error).message}`); }
    }
  });

  h = await startHarness(join(root, 'daemon'), {}); // smtp.bounceDomains: [bounce.localhost]
  fake = await startFakeMicrosoft();
  const daemonPort = h.daemon.smtp.port;
  const { m365, blocklist, consumer } = fake.ports;
  const hosts = {
    'contoso.com': ['contoso-com.mail.protection.outlook.com', m365],
    'fabrikam.com': ['fabrikam-com.mail.protection.outlook.com', m365],
    'outlook.com': ['outlook-com.olc.protection.outlook.com', blocklist],
    'hotmail.com': ['hotmail-com.olc.protection.outlook.com', blocklist],
    'live.com': ['live-com.olc.protection.outlook.com', consumer],
    'msn.com': ['msn-com.olc.protection.outlook.com', consumer],
  } as const;

  const transport = await deployFile('transport', daemonPort) +
    Object.entries(hosts).map(([domain, [mx, port]]) => `${domain}\tsmtp:[${mx}]:${port}\n`).join('');
  postfix = await startPostfix({
    root: join(root, 'postfix'),
    myhostname: MYHOSTNAME,
    hosts: Object.fromEntries(Object.values(hosts).map(([mx]) => [mx, '127.0.0.1'])),
    files: {
      transport,
      'relay_recipients.regexp': await deployFile('relay_recipients.regexp', daemonPort),
    },
    masterCf: await deployFile('master.cf', daemonPort),
    main: {
      ...(await deployMain()),
      // Test-only: a 4xx is retried about every second, announced by a delayed DSN and returned
      // as failed after 6 s; an idle connection to the daemon stays cached for the whole test
      // (production: 2 s), so the DSN of the expiry, seconds later, shows the reuse.
      maximal_queue_lifetime: '6s',
      bounce_queue_lifetime: '6s', // (Postfix caps it at maximal_queue_lifetime)
      delay_warning_time: '1s',
      queue_run_delay: '1s',
      minimal_backoff_time: '1s',
      maximal_backoff_time: '2s',
      smtp_connect_timeout: '5s',
      connection_cache_ttl_limit: '30s',
      smtp_connection_cache_time_limit: '30s',
    },
  });
  process.once('exit', () => rmSync(root, { recursive: true, force: true })); // if the teardown never runs
  t.comment(`Postfix smtpd on 127.0.0.1:${postfix.port}, daemon on ${daemonPort}, fakes ${JSON.stringify(fake.ports)}`);

  // --- submit, as an ESP's sending app would: one SMTP connection, envelope sender = bounce address
  client = new Submitter(postfix.port);
  await client.connect();
  const send = async (to: string[], raw: Buffer, from = RETURN_PATH) => client!.submit(from, to, raw);
  const outbound: Array<[string, string, string, string?]> = [ // id, recipient, stream, From:
    ['perm-1', 'kijitora@contoso.com', 'news'],
    ['perm-2', 'kijitora@contoso.com', 'news'],
    ['dbeb-1', 'bob@fabrikam.com', 'news'],
    ['s3150-1', 'carol@outlook.com', 'promo'],
    ['s3150-2', 'dan@hotmail.com', 'promo'],
    ['throttle-1', 'erin@live.com', 'promo'],
    ['dmarc-1', 'frank@msn.com', 'receipts', 'Receipts <receipts@receipts.sender.example>'],
  ];
  for (const [id, to, stream, from] of outbound) {
    const r = await send([to], message({ id, to, stream, ...(from ? { from } : {}) }));
    t.equal(r.code, 250, `Postfix queued ${id} for ${to}: ${r.response}`);
  }
  // An out-of-band NDR (Exchange Online, after it had accepted a message) arrives for the bounce
  // domain and is relayed to the daemon; relay_recipient_maps refuses an address of the wrong shape.
  const ndr = await readFile(join(ROOT, 'test/fixtures/corpus/maildir/bsd/rhost-microsoft-03.eml'));
  const junk = await send([`junk@${BOUNCE_DOMAIN}`], ndr, '');
  t.equal(junk.code, 550, `junk@ refused at RCPT TO: ${junk.response}`);
  t.match(junk.response, /User unknown in relay recipient table/);
  const oob = await send([`bounces+oob@${BOUNCE_DOMAIN}`], ndr, '');
  t.equal(oob.code, 250, `the NDR to bounces+oob@ is queued: ${oob.response}`);
  client.quit();
  client = undefined;

  // --- what the webhook receiver gets
  const hooks = await h.receiver.waitFor(6, 30_000).catch(async err => {
    t.comment(await postfix?.log());
    throw err;
  });
  await postfix.waitForEmptyQueue(15_000).catch(async err => { t.comment(await postfix?.log()); throw err; });
  const processed = await until('9 DSNs/NDRs processed', 10_000, () => {
    const p = h!.logs.filter(l => l.msg === 'message processed');
    return p.length >= 9 ? p : undefined;
  });
  await until('the outbox to drain', 10_000, async () => ((await h!.daemon.store.outboxStats(new Date())).pending === 0 ? true : undefined));
  t.equal(h.receiver.requests.length, 6, 'six events: nothing for the S3150, DMARC, 4xx or delayed recipients');
  t.equal(processed.length, 9, 'nine messages processed: 7 failed DSNs, 1 delayed DSN, 1 relayed NDR');
  t.same(h.logs.filter(l => l.msg === 'message quarantined'), [], 'nothing quarantined: every Postfix DSN parsed');

  const wh = new Webhook(SECRET.replace(/^whsec_/, ''));
  const validate = webhookValidator();
  const events = hooks.map(r => {
    t.ok(wh.verify(r.body, r.headers as Record<string, string>), 'signature verifies');
    t.ok(validate(JSON.parse(r.body)), `body matches docs/webhook.schema.json ${JSON.stringify(validate.errors)}`);
    return JSON.parse(r.body) as Hook;
  });
  const forRecipient = (a: string) => events.filter(e => e.type === 'recipient.state_changed' && e.data.recipient === a);
  const forStream = (s: string) => events.filter(e => e.type === 'stream.escalated' && e.data.stream === s);

  // "you do not have permissions": recipient-side, the admin must act; twice → paused
  // (Events are delivered by several workers: arrival order need not be commit order.)
  const chain = ['active', 'keep_testing', 'pause'];
  const kijitora = forRecipient('kijitora@contoso.com').sort((a, b) => chain.indexOf(a.data.previous_state) - chain.indexOf(b.data.previous_state));
  t.same(kijitora.map(e => [e.data.previous_state, e.data.state, e.data.policy_rule]), [
    ['active', 'keep_testing', 'policy/recipient-policy-first'],
    ['keep_testing', 'pause', 'policy/recipient-policy-repeat'],
  ], 'kijitora: keep_testing, then pause');
  for (const e of kijitora) {
    t.match(e.data, {
      stream: 'news',
      verdict: {
        side: 'recipient_admin', detail: 'microsoft.group_restricted', provider: 'microsoft_m365', status: '5.7.1',
        reply_code: '550', stage: 'rcpt', remote_mta: 'contoso-com.mail.protection.outlook.com',
        diagnostic: /^550 5\.7\.1 RESOLVER\.RST\.NotAuthorized; not authorized; you do not have permissions to send to this address \[AM6PR04MB1234/,
      },
      original: { from: 'news@sender.example', message_id: /^<perm-[12]@sender\.example>$/, report_message_id: new RegExp(`@${MYHOSTNAME.replaceAll('.', '\\.')}>$`) },
    }, 'the verdict read from Postfix\'s own DSN');
  }
  t.match(kijitora[1]?.data, { retest_at: /^\d{4}-\d\d-\d\dT/, evidence: { recipient: 'kijitora@contoso.com', remoteHost: 'contoso-com.mail.protection.outlook.com' } });

  // DBEB: no such user in the tenant's directory → suppress
  t.same(forRecipient('bob@fabrikam.com').map(e => [e.data.state, e.data.policy_rule, e.data.verdict.detail, e.data.verdict.stage]),
    [['suppress', 'policy/dead-address', 'microsoft.dbeb_unknown_recipient', 'rcpt']], 'bob: suppressed');

  // Sender-side: S3150 at MAIL FROM (two domains) and the expired 4.7.650 (a third) escalate "promo"
  for (const a of ['carol@outlook.com', 'dan@hotmail.com', 'erin@live.com', 'frank@msn.com']) {
    t.same(forRecipient(a), [], `${a}: no recipient webhook`);
    t.equal(await h.daemon.store.getRecipient(a), undefined, `${a}: no recipient state`);
  }
  t.match(forStream('promo'), [{
    data: {
      state: 'escalate', policy_rule: 'policy/stream-microsoft-sender-side', domains: ['hotmail.com', 'live.com', 'outlook.com'],
      verdict: { side: 'sender_ip', detail: 'microsoft.ip_reputation_throttle', status: '4.7.650', reply_code: '451', remote_mta: 'live-com.olc.protection.outlook.com' },
    },
  }], 'promo: escalated when the expired 4xx made it three Microsoft domains');
  t.match(forStream('receipts'), [{
    data: {
      state: 'escalate', policy_rule: 'policy/stream-strong-signal', domains: ['msn.com'],
      verdict: { side: 'sender_auth', detail: 'microsoft.dmarc_reject', status: '5.7.509', stage: 'data', diagnostic: /sending domain \[RECEIPTS\.SENDER\.EXAMPLE\] does not pass DMARC/ },
    },
  }], 'receipts: escalated at once on the DMARC reject');
  t.equal((await h.daemon.store.getStream('promo'))?.state, 'escalate');
  t.equal((await h.daemon.store.getStream('receipts'))?.state, 'escalate');
  t.equal((await h.daemon.store.getStream('news'))?.state ?? 'ok', 'ok', 'recipient-side refusals never escalate a stream');

  // The relayed out-of-band NDR
  t.match(forRecipient('kijitora@example.com'), [{ data: { state: 'suppress', verdict: { status: '5.1.10', detail: 'microsoft.recipient_not_found' } } }],
    'the NDR relayed through Postfix suppressed its recipient');

  // The S3150 DSNs and the 4xx DSNs, as processed (the log line per message)
  const verdictsOf = (a: string): Array<Record<string, unknown>> => processed.flatMap(p =>
    (p.verdicts as Array<Record<string, unknown>>).filter(v => v.recipient === a).map(v => ({ ...v, transitions: p.transitions })));
  for (const a of ['carol@outlook.com', 'dan@hotmail.com']) {
    t.match(verdictsOf(a), [{ action: 'failed', status: '5.7.1', side: 'sender_ip', detail: 'microsoft.consumer_blocklist', provider: 'microsoft_consumer' }], `${a}: S3150 read as a sender IP block`);
  }
  const erin = verdictsOf('erin@live.com');
  t.match(erin.map(v => v.action).sort(), ['delayed', 'failed'], 'erin: a delayed DSN, then the failed one when the message expired');
  const delayed = erin.find(v => v.action === 'delayed');
  t.match(delayed, { status: '4.7.650', side: 'sender_ip' }, 'the delayed DSN, read');
  t.same(delayed?.transitions, [], 'the delayed DSN changed nothing');
  t.match(erin.find(v => v.action === 'failed'), { status: '4.7.650', side: 'sender_ip', detail: 'microsoft.ip_reputation_throttle' },
    'the expired 4xx is the sender\'s problem (docs/state-machine.md: sender-side verdicts never change a recipient)');

  // What the fakes saw: the bounce address as envelope sender, from loopback; erin retried
  t.ok(fake.sessions.every(s => s.remoteAddress === '127.0.0.1' && (s.mailFrom === undefined || s.mailFrom === RETURN_PATH)), 'every attempt came from 127.0.0.1 with the bounce address as MAIL FROM');
  const erinAttempts = fake.sessions.filter(s => s.rcptTo.includes('erin@live.com')).length;
  t.ok(erinAttempts >= 2, `Postfix retried the 4xx (${erinAttempts} attempts) before it expired`);

  // Postfix's side: the DSNs went to the daemon over the dedicated service and got 250
  const maillog = await postfix.log();
  const toDaemon = maillog.split('\n').filter(l => l.includes('postfix/bouncetriage/smtp[') && l.includes(`to=<${RETURN_PATH}>`));
  t.equal(toDaemon.filter(l => /status=sent \(250 OK accepted id=\d+\)/.test(l)).length, 8, 'eight DSNs delivered over the bouncetriage service, each answered 250 after commit');
  t.ok(toDaemon.some(l => /conn_use=\d+/.test(l)), 'a cached connection to the daemon was reused (smtp_connection_cache_destinations)');
  t.match(await postfix.queue(), /Mail queue is empty/, 'Postfix\'s queue is empty');

  // The DSN Postfix wrote for the first "do not have permissions" refusal, as the daemon stored it
  const history = await h.daemon.store.recipientHistory('kijitora@contoso.com', 10);
  const first = history.events.reduce((a, b) => (a.id < b.id ? a : b));
  const raw = (await h.daemon.store.rawMessage(first.messageId))?.toString('utf8') ?? '';
  t.match(raw, /^Received: by mta1\.postfix-e2e\.localhost \(Postfix\)/m);
  t.match(raw, /^Content-Type: multipart\/report; report-type=delivery-status;/m);
  t.match(raw, /^X-Postfix-Queue-ID: [0-9A-F]+\r?$/m);
  t.match(raw, /^Remote-MTA: dns; contoso-com\.mail\.protection\.outlook\.com\r?$/m);
  t.match(raw, /\(in reply to RCPT TO command\)/);
  t.match(raw, /^X-Stream: news\r?$/m, 'the original message came back with the DSN');

  const artifacts = process.env.BOUNCE_TRIAGE_E2E_ARTIFACTS;
  if (artifacts) {
    await mkdir(artifacts, { recursive: true });
    await writeFile(join(artifacts, 'postfix-permission-dsn.eml'), raw);
    await writeFile(join(artifacts, 'postfix-permission-webhook.json'), JSON.stringify(JSON.parse(hooks.find(r => JSON.parse(r.body).data.state === 'keep_testing')?.body ?? '{}'), null, 2));
    await writeFile(join(artifacts, 'postfix-maillog.txt'), maillog);
  }
  t.comment(`Postfix end to end took ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
