// The command line as users run it: a real child process running the built dist/ (what
// `npx bounce-triage` executes). `npm test` builds it first; after editing src/, run
// `npm run build` before running this file alone.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/corpus');

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

const MAIN = join(ROOT, 'dist/src/main.js');

function run(args: string[], opts: { input?: Buffer; env?: Record<string, string>; onStdout?: (s: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Run> {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...opts.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', d => { stdout += String(d); opts.onStdout?.(stdout, child); });
  child.stderr.on('data', d => { stderr += String(d); });
  child.stdin.end(opts.input);
  return new Promise(resolve => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

const lines = (s: string) => s.trim().split('\n').filter(Boolean).map(l => JSON.parse(l) as Record<string, unknown>);

t.test('the CLI is built (npm test builds it first)', async t => {
  t.ok(existsSync(MAIN), MAIN);
});

t.test('classify prints one JSON line per bounced recipient with the documented fields', async t => {
  const file = join(FIXTURES, 'maildir/bsd/rhost-microsoft-03.eml');
  const r = await run(['classify', file]);
  t.equal(r.code, 0, r.stderr);
  const [line, ...rest] = lines(r.stdout);
  t.equal(rest.length, 0);
  t.match(line, {
    file, message: 1, bounce: true, recipient: 'kijitora@example.com', status: '5.1.10', replyCode: '550',
    reason: 'userunknown', side: 'recipient', provider: /^microsoft/, rule: /\//,
  });
  for (const key of ['detail', 'rule', 'provider', 'side', 'reason']) t.ok(key in (line ?? {}), `has ${key}`);

  const delayed = await run(['classify', join(FIXTURES, 'maildir/bsd/lhost-opensmtpd-12.eml')]);
  t.match(lines(delayed.stdout), [{ bounce: false, action: 'delayed', status: /^4\./ }], 'a delay notice is reported but is not a bounce');
});

t.test('classify walks a directory, numbers mbox messages, and says why a file is not a bounce', async t => {
  const dir = t.testdir({
    'empty.eml': '',
    'mbox': [
      'From MAILER-DAEMON Thu Nov 26 12:00:00 2026',
      readFileSync(join(FIXTURES, 'maildir/bsd/rhost-microsoft-03.eml'), 'utf8').trimEnd(),
      '',
      'From MAILER-DAEMON Thu Nov 26 12:00:01 2026',
      readFileSync(join(FIXTURES, 'maildir/bsd/rhost-microsoft-01.eml'), 'utf8').trimEnd(),
      '',
    ].join('\n'),
  });
  const r = await run(['classify', dir]);
  t.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  t.match(out.find(l => String(l.file).endsWith('empty.eml')), { message: 1, bounce: false, why: /./ });
  const mbox = out.filter(l => String(l.file).endsWith('mbox'));
  t.same(mbox.map(l => [l.message, l.status]), [[1, '5.1.10'], [2, '5.7.606']]);
  t.equal(mbox[1]?.side, 'sender_ip', 'a banned sending IP is the sender\'s problem');
});

t.test('classify reads stdin with -, and --explain shows the evidence', async t => {
  const raw = readFileSync(join(FIXTURES, 'maildir/bsd/rhost-microsoft-01.eml'));
  const r = await run(['classify', '--explain', '-'], { input: raw });
  t.equal(r.code, 0, r.stderr);
  t.match(lines(r.stdout)[0], {
    file: '-', status: '5.7.606',
    explain: { remoteMta: /outlook\.com$/, provider: { family: 'microsoft', by: 'host' }, fields: { 'final-recipient': /kijitora@example\.com/ } },
  });
});

t.test('usage errors exit 2; a missing input is one clear line', async t => {
  const none = await run(['classify']);
  t.equal(none.code, 2);
  const unknown = await run(['frobnicate']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown command "frobnicate"/);
  const missing = await run(['classify', '/nonexistent/path.eml']);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /nonexistent/);
  t.notMatch(missing.stderr, /\n\s+at /, 'no stack trace');
});

t.test('an invalid config exits 78 and lists every problem by key', async t => {
  const dir = t.testdir({ 'bad.yaml': 'smtp:\n  port: -1\nhttp:\n  prot: 1\n' });
  const r = await run(['serve', '--config', join(dir, 'bad.yaml')], { env: { BOUNCE_TRIAGE_LOG_LEVEL: 'shouty' } });
  t.equal(r.code, 78);
  t.match(r.stderr, /smtp\.port .*must be >= 0/);
  t.match(r.stderr, /http\.prot .*unknown setting/);
  t.match(r.stderr, /log\.level \(from BOUNCE_TRIAGE_LOG_LEVEL\)/);
});

t.test('config --defaults prints config/default.yaml', async t => {
  const r = await run(['config', '--defaults']);
  t.equal(r.code, 0);
  t.equal(r.stdout, readFileSync(join(ROOT, 'config/default.yaml'), 'utf8'));
});

t.test('the built daemon starts on its defaults, logs JSON, and stops cleanly on SIGTERM', async t => {
  const dir = t.testdir({});
  const r = await run(['serve'], {
    env: { BOUNCE_TRIAGE_SMTP_PORT: '0', BOUNCE_TRIAGE_HTTP_PORT: '0', BOUNCE_TRIAGE_STORE_SQLITE_PATH: join(dir, 'db.sqlite') },
    onStdout: (s, child) => { if (s.includes('bounce-triage started') && !child.killed) child.kill('SIGTERM'); },
  });
  t.equal(r.code, 0, r.stderr);
  const log = lines(r.stdout);
  t.match(log.find(l => l.msg === 'bounce-triage started'), { smtp: /^127\.0\.0\.1:\d+$/, http: /^127\.0\.0\.1:\d+$/ });
  t.ok(log.some(l => l.msg === 'bounce-triage stopped'), 'shutdown completed');
  t.ok(existsSync(join(dir, 'db.sqlite')), 'the SQLite database was created');
});
