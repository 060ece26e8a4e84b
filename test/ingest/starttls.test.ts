// Optional STARTTLS with a configured certificate and key: offered only when enabled, and a real
// client can upgrade and deliver a DSN over it.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import t from 'tap';
import { makeDsn } from '../helpers/dsn.js';
import { startHarness } from '../helpers/harness.js';

t.test('STARTTLS is offered when configured and carries a DSN', async t => {
  const dir = t.testdir({});
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=bounce-triage.localhost'], { stdio: 'ignore' });
  const h = await startHarness(dir, { 'smtp.tls.enabled': true, 'smtp.tls.key': key, 'smtp.tls.cert': cert });
  t.teardown(() => h.stop());
  const conn = new SMTPConnection({ host: '127.0.0.1', port: h.daemon.smtp.port, requireTLS: true, tls: { rejectUnauthorized: false } });
  await new Promise<void>((res, rej) => { conn.once('error', rej); conn.connect(() => res()); });
  t.teardown(() => conn.quit());
  const dsn = makeDsn({ recipients: [{ recipient: 'tls@contoso.com', reply: '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', remoteMta: 'contoso-com.mail.protection.outlook.com' }] });
  const info = await new Promise<{ response: string }>((res, rej) => conn.send({ from: '', to: ['b@bounce.localhost'] }, dsn, (err, i) => (err ? rej(err) : res(i))));
  t.match(info.response, /^250 /);
  t.ok(conn.secure, 'the session was upgraded to TLS');
  t.equal((await h.daemon.store.getRecipient('tls@contoso.com'))?.state, 'suppress');
});

t.test('STARTTLS is not offered by default', async t => {
  const h = await startHarness(t.testdir({}));
  t.teardown(() => h.stop());
  const conn = new SMTPConnection({ host: '127.0.0.1', port: h.daemon.smtp.port, requireTLS: true });
  const err = await new Promise<Error>(res => { conn.once('error', res); conn.connect(() => res(new Error('connected without TLS'))); });
  t.match(err.message, /STARTTLS|TLS/i, 'a client that requires TLS is told it is not available');
  conn.close();
});
