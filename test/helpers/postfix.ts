// A throw-away Postfix instance for end-to-end tests: its own config, queue and data directories
// under one root, an smtpd on a free loopback port, nothing reachable beyond 127.0.0.0/8, and a
// stop() that leaves no process behind. Needs Debian's `postfix` package (.ci/run installs it)
// and root (the master runs as root and drops to mail_owner, as in production).
//
// What it takes to run a second Postfix next to (or without) the system one, found on Debian 12
// with Postfix 3.7:
//   * `postfix -c DIR` with config_directory, queue_directory and data_directory all under DIR;
//     `postfix check` creates the queue directories with the right owners; data_directory must be
//     owned by mail_owner (postfix) — its daemons write there — or `postfix check` warns.
//   * The directories must be traversable by mail_owner: mkdtemp makes 0700 roots, so chmod 0755.
//   * Without syslog (containers have no /dev/log) every Postfix message, fatal ones included, is
//     lost — `postfix check` just exits 1. maillog_file (with postlogd from master.cf) writes them
//     to a file, but only under a maillog_file_prefixes entry (default /var, /dev/stdout).
//   * The master.cf smtp/inet service on port 25 is commented out and replaced by one on
//     127.0.0.1:<free port>; every service runs unchrooted except the outbound smtp client, which
//     is chrooted into the queue directory so that its host lookups read the instance's own
//     etc/hosts (fake Microsoft host names → 127.0.0.1) and nothing else (nsswitch: files only).
//     `postfix start` warns that these differ from /etc's: intended. The Remote-MTA of the DSNs
//     then names the Microsoft host, as in production.
//   * A port lost between probe and bind fails `postfix start` with only "mail system startup
//     failed" in the log (the master's bind error goes to a postlogd that is not up yet): retried.
import { execFile } from 'node:child_process';
import { access, appendFile, chmod, chown, copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SmtpClient } from './harness.js';

const execFileP = promisify(execFile);
const ENV = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/usr/local/sbin:/sbin` };

export interface PostfixOptions {
  /** Instance root (created); etc/, spool/, data/ and maillog go in it. Its ancestors must be traversable by mail_owner. */
  root: string;
  myhostname: string;
  /** main.cf settings on top of the instance's own (values may use $config_directory). */
  main: Record<string, string>;
  /** Files written into the config directory (maps referenced from `main`). */
  files?: Record<string, string>;
  /** name → IPv4 address, the whole of the chrooted smtp client's host name resolution. */
  hosts?: Record<string, string>;
  /** Service entries appended to master.cf (e.g. a dedicated smtp client with -o overrides). */
  masterCf?: string;
}

export interface Postfix {
  /** Port of the loopback smtpd. */
  readonly port: number;
  readonly configDir: string;
  /** `postqueue -p` output. */
  queue(): Promise<string>;
  /** Resolves once `postqueue -p` says the queue is empty; rejects with the listing after timeoutMs. */
  waitForEmptyQueue(timeoutMs: number): Promise<void>;
  /** The instance's maillog (Postfix's own log lines). */
  log(): Promise<string>;
  /** `postfix stop`, then SIGKILL by pid for anything of this instance still alive. Idempotent. */
  stop(): Promise<void>;
}

async function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<string> {
  const { stdout, stderr } = await execFileP(cmd, args, { env: ENV, timeout: timeoutMs });
  return stdout + stderr;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** The account Postfix drops to, as numeric ids (chown needs them). */
async function ids(user: string, group: string): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', user])).trim());
  const gid = Number((await run('getent', ['group', group])).split(':')[2]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`cannot resolve ${user}/${group}`);
  return { uid, gid };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(0, '127.0.0.1', resolve); });
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>(r => s.close(() => r()));
  return port;
}

/** The first line the server sends, or '' if nothing came (connection refused, timeout). */
function greeting(port: number, timeoutMs = 2000): Promise<string> {
  return new Promise(resolve => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (line: string) => { clearTimeout(timer); sock.destroy(); resolve(line); };
    const timer = setTimeout(() => done(''), timeoutMs);
    sock.on('data', (d: Buffer) => { buf += d.toString('latin1'); const i = buf.indexOf('\n'); if (i >= 0) done(buf.slice(0, i).trim()); });
    sock.on('error', () => done(''));
    sock.on('close', () => done(buf.trim()));
  });
}

/** Pids of live processes in process group `pgid` (the master is a session leader; its children share its group). */
async function groupMembers(pgid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state ppid pgrp ...
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(name));
  }
  return out;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Fails with a clear message when Postfix is not installed. */
export async function postfixVersion(): Promise<string> {
  try {
    return (await run('postconf', ['-d', '-h', 'mail_version'])).trim().split('\n').pop() ?? '';
  } catch (err) {
    throw new Error(`Postfix is not installed (apt-get install postfix; .ci/run does it): ${(err as Error).message}`);
  }
}

export async function startPostfix(o: PostfixOptions): Promise<Postfix> {
  if (process.getuid?.() !== 0) throw new Error('a Postfix instance needs root to start (its master drops to mail_owner); CI runs as root');
  const etc = join(o.root, 'etc');
  const spool = join(o.root, 'spool');
  const data = join(o.root, 'data');
  const maillog = join(o.root, 'maillog');
  const postconf = (...args: string[]) => run('postconf', ['-c', etc, ...args]);
  const log = () => readFile(maillog, 'utf8').catch(() => '');
  const tail = async () => (await log()).split('\n').slice(-40).join('\n');

  for (const d of [etc, spool, data]) await mkdir(d, { recursive: true });
  await chmod(o.root, 0o755); // its ancestors must be traversable by mail_owner too
  const masterCf = (await exists('/etc/postfix/master.cf')) ? '/etc/postfix/master.cf' : '/usr/share/postfix/master.cf.dist';
  await copyFile(masterCf, join(etc, 'master.cf'));
  await writeFile(join(etc, 'main.cf'), '');
  for (const [name, text] of Object.entries(o.files ?? {})) await writeFile(join(etc, name), text);

  // The chroot of the outbound smtp client: its only view of host names.
  await mkdir(join(spool, 'etc'), { recursive: true });
  await writeFile(join(spool, 'etc', 'hosts'), Object.entries(o.hosts ?? {}).map(([name, ip]) => `${ip} ${name}\n`).join(''));
  await writeFile(join(spool, 'etc', 'nsswitch.conf'), 'hosts: files\n');

  const settings: Record<string, string> = {
    compatibility_level: '3.6',
    config_directory: etc,
    queue_directory: spool,
    data_directory: data,
    mail_owner: 'postfix',
    setgid_group: 'postdrop',
    maillog_file: maillog,
    maillog_file_prefixes: o.root,
    myhostname: o.myhostname,
    mydomain: o.myhostname.slice(o.myhostname.indexOf('.') + 1),
    myorigin: '$myhostname',
    mydestination: '',
    local_recipient_maps: '',
    alias_maps: '',
    alias_database: '',
    inet_interfaces: 'loopback-only',
    inet_protocols: 'ipv4',
    mynetworks: '127.0.0.0/8',
    smtpd_relay_restrictions: 'permit_mynetworks, reject_unauth_destination',
    // Whatever the transport map does not route is refused on the spot: nothing leaves loopback.
    default_transport: 'error:5.7.1 this test Postfix delivers to loopback only',
    relay_transport: 'error:5.7.1 this test Postfix delivers to loopback only',
    smtp_dns_support_level: 'disabled',
    smtp_host_lookup: 'native',
    smtp_tls_security_level: 'none',
    smtpd_tls_security_level: 'none',
    biff: 'no',
    ...o.main,
  };
  await postconf('-e', ...Object.entries(settings).map(([k, v]) => `${k}=${v}`));
  await postconf('-M#', 'smtp/inet');
  await postconf('-F', '*/*/chroot=n');
  await postconf('-F', 'smtp/unix/chroot=y');
  if (o.masterCf) await appendFile(join(etc, 'master.cf'), `\n${o.masterCf}`);
  if (!(await postconf('-M')).split('\n').some(l => /^postlog\s+unix-dgram/.test(l))) {
    await postconf('-M', 'postlog/unix-dgram=postlog unix-dgram n - n - 1 postlogd');
  }

  const { uid, gid } = await ids(settings.mail_owner ?? 'postfix', settings.mail_owner ?? 'postfix');
  await chown(data, uid, gid);
  try {
    await run('postfix', ['-c', etc, 'check']); // creates the queue directories with their owners
  } catch (err) {
    throw new Error(`postfix check failed: ${(err as Error).message}\n${await tail()}`);
  }

  let masterPid = 0;
  let stopped = false;
  // Backstop for a test process that dies before its teardown (an uncaught exception): the master
  // and its children share the master's process group, which was started here.
  const killOnExit = () => { if (masterPid) { try { process.kill(-masterPid, 'SIGKILL'); } catch { /* gone */ } } };
  process.once('exit', killOnExit);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killOnExit);
    const pidFile = join(spool, 'pid', 'master.pid');
    masterPid ||= Number((await readFile(pidFile, 'utf8').catch(() => '')).trim()) || 0;
    await run('postfix', ['-c', etc, 'stop'], 15_000).catch(() => undefined);
    if (!masterPid) return;
    const deadline = Date.now() + 5000;
    let left = await groupMembers(masterPid);
    while (left.length > 0 && Date.now() < deadline) { await sleep(100); left = await groupMembers(masterPid); }
    for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone meanwhile */ } }
  };

  // A free port can be taken between the probe and the master's bind: try a few.
  let port = 0;
  let service = '';
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    if (service) await postconf('-MX', service);
    service = `127.0.0.1:${port}/inet`;
    await postconf('-M', `${service}=127.0.0.1:${port} inet n - n - - smtpd`);
    try {
      await run('postfix', ['-c', etc, 'start'], 30_000);
      break;
    } catch (err) {
      const why = await tail();
      await stop(); // a half-started master must not outlive the attempt
      stopped = false;
      process.once('exit', killOnExit);
      // The master's own "bind ...: Address already in use" is lost (postlogd is not up yet);
      // postfix-script only logs "mail system startup failed". Retry that, with another port.
      if (attempt < 3 && /mail system startup failed/.test(why)) continue;
      throw new Error(`postfix start failed: ${(err as Error).message}\n${why}`);
    }
  }
  masterPid = Number((await readFile(join(spool, 'pid', 'master.pid'), 'utf8')).trim()) || 0;

  const ready = Date.now() + 10_000;
  for (;;) {
    const line = await greeting(port);
    if (line.startsWith(`220 ${o.myhostname}`)) break;
    if (Date.now() > ready) {
      await stop();
      throw new Error(`Postfix smtpd on 127.0.0.1:${port} did not greet (got ${JSON.stringify(line)})\n${await tail()}`);
    }
    await sleep(100);
  }

  const queue = () => run('postqueue', ['-c', etc, '-p']);
  return {
    port, configDir: etc, queue, log, stop,
    async waitForEmptyQueue(timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const listing = await queue();
        if (/Mail queue is empty/.test(listing)) return;
        if (Date.now() > deadline) throw new Error(`Postfix queue not empty after ${timeoutMs} ms:\n${listing}`);
        await sleep(200);
      }
    },
  };
}

/**
 * A submission client for the instance's smtpd: one connection for many messages, as a sending
 * application would. Unlike the harness's client it waits for RSET after a refusal, so the next
 * transaction never overlaps it.
 */
export class Submitter extends SmtpClient {
  /** Resolves with the final reply (`250 ...`), or the refusal's code and text. */
  submit(from: string, to: string[], raw: Buffer): Promise<{ code: number; response: string }> {
    return new Promise(resolve => {
      this.conn.send({ from, to }, raw, (err, info) => {
        if (!err) return resolve({ code: Number(info.response.slice(0, 3)), response: info.response });
        const e = err as Error & { responseCode?: number; response?: string };
        const reply = { code: e.responseCode ?? 0, response: e.response ?? e.message };
        this.conn.reset(() => resolve(reply));
      });
    });
  }
}
