// The SMTP edge: who may send us what, and which reply each failure gets (RFC 5321 codes that make
// an MTA drop, retry or give up), against the real listener.
import { connect, type Socket } from 'node:net';
import t from 'tap';
import { makeDsn } from '../helpers/dsn.js';
import { SmtpClient, startHarness, withDaemon } from '../helpers/harness.js';

const DBEB = '550 5.4.1 Recipient address rejected: Access denied. [CY4PEPF0000EE3C.namprd03.prod.outlook.com 2023-09-18T12:48:32.808Z 08DBB45899852BA7]';

/** A raw SMTP dialogue: sends each line after the previous reply, returns all replies. */
async function dialogue(port: number, lines: string[]): Promise<string[]> {
  const socket: Socket = connect(port, '127.0.0.1');
  const replies: string[] = [];
  let buffer = '';
  let wake: (() => void) | undefined;
  socket.on('data', d => {
    buffer += d.toString();
    let i: number;
    while ((i = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      if (/^\d{3} /.test(line)) {
        replies.push(line);
        wake?.();
      }
    }
  });
  const next = (n: number) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply #${n}; got ${JSON.stringify(replies)}`)), 5000);
    const check = () => { if (replies.length >= n) { clearTimeout(timer); resolve(); } };
    wake = check;
    check();
  });
  await next(1);
  for (const [i, line] of lines.entries()) {
    socket.write(line + '\r\n');
    await next(i + 2);
  }
  socket.end();
  return replies;
}

t.test('RCPT TO is accepted only for configured bounce domains and addresses (never an open relay)', async t => {
  const h = await startHarness(t.testdir({}), { 'smtp.bounceAddresses': ['returns@sender.example'] });
  t.teardown(() => h.stop());
  const r = await dialogue(h.daemon.smtp.port, [
    'EHLO mta.example', 'MAIL FROM:<>',
    'RCPT TO:<anything@BOUNCE.localhost>', 'RCPT TO:<returns@sender.example>',
    'RCPT TO:<victim@elsewhere.example>', 'RCPT TO:<other@sender.example>', 'QUIT',
  ]);
  t.match(r[3], /^250 /, 'any local part at a bounce domain, case-insensitive');
  t.match(r[4], /^250 /, 'an exact bounce address');
  t.match(r[5], /^550 /, 'a foreign domain is refused');
  t.match(r[6], /^550 /, 'another address at the exact address\'s domain is refused');
  t.notMatch(r[1] ?? '', /AUTH/, 'no AUTH offered');
  const text = await (await fetch(`http://127.0.0.1:${h.daemon.http.port}/metrics`)).text();
  t.match(text, /bounce_triage_messages_received_total\{result="rejected"\} 2/);
});

t.test('a message above the size limit gets 552, before and after DATA', async t => {
  const { h, smtp } = await withDaemon(t, { 'smtp.maxMessageBytes': 4096 });
  const r = await dialogue(h.daemon.smtp.port, ['EHLO mta.example', 'MAIL FROM:<> SIZE=100000', 'QUIT']);
  t.match(r[2], /^552 /, 'a declared SIZE over the limit is refused at MAIL FROM');
  const big = makeDsn({ recipients: [{ recipient: 'x@contoso.com', reply: DBEB + ' '.repeat(6000) + 'x' }] });
  const reply = await smtp.send(big);
  t.equal(reply.code, 552, reply.response);
});

t.test('an unreadable message is quarantined and still answered 250', async t => {
  const { h, smtp, metrics } = await withDaemon(t);
  const reply = await smtp.send(Buffer.from('\x00\x01garbage without headers\r\n\xff\xfe'));
  t.equal(reply.code, 250);
  t.match(reply.response, /quarantined/);
  t.match(await metrics(), /bounce_triage_messages_received_total\{result="quarantined"\} 1/);
  t.ok(h.logs.some(l => l.msg === 'message quarantined'), 'logged');
});

t.test('a store failure answers 451 so the MTA retries; the retry after recovery is committed', async t => {
  const dir = t.testdir({});
  const h = await startHarness(dir);
  const smtp = new SmtpClient(h.daemon.smtp.port);
  await smtp.connect();
  const dsn = makeDsn({ id: 'E1', recipients: [{ recipient: 'erin@contoso.com', reply: DBEB, remoteMta: 'contoso-com.mail.protection.outlook.com' }] });
  await h.daemon.store.close();
  const reply = await smtp.send(dsn);
  t.equal(reply.code, 451, reply.response);
  const ready = await fetch(`http://127.0.0.1:${h.daemon.http.port}/readyz`);
  t.equal(ready.status, 503, '/readyz reports the store down');
  t.match(await ready.json(), { checks: { store: false, smtp: true } });
  smtp.quit();
  await h.stop();

  const h2 = await startHarness(dir);
  t.teardown(() => h2.stop());
  const smtp2 = new SmtpClient(h2.daemon.smtp.port);
  await smtp2.connect();
  t.teardown(() => smtp2.quit());
  t.equal((await smtp2.send(dsn)).code, 250, 'the retried DSN is accepted');
  t.equal((await h2.daemon.store.getRecipient('erin@contoso.com'))?.state, 'suppress', 'and its effect committed');
  t.equal((await fetch(`http://127.0.0.1:${h2.daemon.http.port}/readyz`)).status, 200);
});

t.test('sessions still open at shutdown get 421', async t => {
  const h = await startHarness(t.testdir({}));
  const socket = connect(h.daemon.smtp.port, '127.0.0.1');
  const seen: string[] = [];
  socket.on('data', d => seen.push(d.toString()));
  await new Promise(r => socket.once('data', r));
  socket.write('EHLO mta.example\r\n');
  await new Promise(r => setTimeout(r, 100));
  const closed = new Promise(r => socket.once('close', r));
  await h.stop();
  await closed;
  t.match(seen.join(''), /\r\n421 /, 'the idle session was told 421');
});

t.test('hostile input on the SMTP port does not hurt the daemon', async t => {
  const h = await startHarness(t.testdir({}));
  t.teardown(() => h.stop());
  const r = await dialogue(h.daemon.smtp.port, ['GET / HTTP/1.1']);
  t.match(r[1], /^421 /, 'an HTTP request is refused');
  const junk = await dialogue(h.daemon.smtp.port, ['EHLO x', 'MAIL FROM:<<<>>>', 'RCPT TO:<@@>', 'DATA', 'NOOP']);
  t.match(junk[2], /^5\d\d /, 'a malformed MAIL FROM is refused');
  t.match(junk[4], /^5\d\d /, 'DATA without recipients is refused');
  t.equal((await fetch(`http://127.0.0.1:${h.daemon.http.port}/healthz`)).status, 200, 'still healthy');
});

t.test('a client that drops the connection in the middle of DATA leaves nothing behind', async t => {
  const h = await startHarness(t.testdir({}));
  t.teardown(() => h.stop());
  const dsn = makeDsn({ id: 'D1', recipients: [{ recipient: 'dora@contoso.com', reply: DBEB, remoteMta: 'contoso-com.mail.protection.outlook.com' }] });
  const socket: Socket = connect(h.daemon.smtp.port, '127.0.0.1');
  let seen = '';
  const waitFor = (re: RegExp) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${re} in ${JSON.stringify(seen)}`)), 5000);
    const check = () => { if (re.test(seen)) { clearTimeout(timer); socket.off('data', check); resolve(); } };
    socket.on('data', check);
    check();
  });
  socket.on('data', d => { seen += d.toString(); });
  await waitFor(/^220 /m);
  socket.write('EHLO mta.example\r\n');
  await waitFor(/^250 /m);
  socket.write('MAIL FROM:<>\r\nRCPT TO:<bounces@bounce.localhost>\r\nDATA\r\n');
  await waitFor(/^354 /m);
  // Half the message, no terminating dot, then the connection is gone.
  socket.write(dsn.subarray(0, Math.floor(dsn.length / 2)));
  const closed = new Promise(r => socket.once('close', r));
  socket.destroy();
  await closed;

  // The daemon is unharmed and stored nothing: the same DSN sent whole is a first, not a duplicate.
  const smtp = new SmtpClient(h.daemon.smtp.port);
  await smtp.connect();
  t.teardown(() => smtp.quit());
  t.equal((await smtp.send(dsn)).code, 250);
  t.equal((await h.daemon.store.getRecipient('dora@contoso.com'))?.state, 'suppress');
  const metrics = await (await fetch(`http://127.0.0.1:${h.daemon.http.port}/metrics`)).text();
  t.match(metrics, /bounce_triage_messages_received_total\{result="accepted"\} 1\n/, 'one message accepted, the cut one not counted');
  t.notMatch(metrics, /bounce_triage_messages_received_total\{result="quarantined"\} [1-9]/, 'nor quarantined');
});
