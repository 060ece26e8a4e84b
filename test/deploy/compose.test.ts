// deploy/compose.yaml, checked without a Docker engine (none runs in CI, and `docker compose
// config` needs one): the services exist, every mounted host path exists in the repository and
// lands where the mounted configuration expects it, the ports agree with the config defaults and
// the Dockerfile, variable interpolation is well-formed, the daemon's effective configuration is
// valid, and the webhook receiver script verifies what src/sinks/webhook-sign.ts signs — first
// directly, then from a running daemon.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t, { type Test } from 'tap';
import YAML from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { schema } from '../../src/config/schema.js';
import { parseDuration } from '../../src/config/spec.js';
import { signWebhook } from '../../src/sinks/webhook-sign.js';
import { makeDsn } from '../helpers/dsn.js';
import { SECRET as HARNESS_SECRET, SmtpClient, startHarness } from '../helpers/harness.js';

const ROOT = join(import.meta.dirname, '../..');
const DEPLOY = join(ROOT, 'deploy');
const RECEIVER = join(DEPLOY, 'compose/webhook-receiver.mjs');
const SECRET = 'whsec_' + Buffer.alloc(32, 3).toString('base64');
const OTHER_SECRET = 'whsec_' + Buffer.alloc(32, 4).toString('base64');

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  user?: string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  stop_grace_period?: string;
  depends_on?: string[];
}
interface Compose { services: Record<string, Service>; volumes?: Record<string, unknown> }

const compose = YAML.parse(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8')) as Compose;
const svc = (name: string): Service => compose.services[name] as Service;

/**
 * Compose's variable interpolation: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error},
 * ${NAME?error} and $$. Anything else after a `$` is an error there, so it is one here too.
 */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}$]*))?\}|.?)/g, (whole, _all, name?: string, colon?: string, op?: string, arg?: string) => {
    if (whole === '$$') return '$';
    if (name === undefined) throw new Error(`invalid interpolation "${whole}" in "${value}"`);
    const v = env[name];
    const unset = v === undefined || (colon === ':' && v === '');
    if (op === '?' && unset) throw new Error(`required variable ${name} is missing: ${arg}`);
    if (op === '-' && unset) return arg ?? '';
    return v ?? '';
  });
}

/** `[ip:]host:container[/proto]` → the container port and the host binding. */
function portMapping(p: string): { container: number; host: number; ip?: string } {
  const parts = p.split('/')[0]?.split(':') ?? [];
  const container = Number(parts.at(-1));
  const host = Number(parts.at(-2));
  return parts.length === 3 ? { container, host, ip: parts[0] as string } : { container, host };
}

/** Short-syntax volume → source, target; a source starting with . or / is a bind mount. */
function mount(v: string): { source: string; target: string; bind: boolean; readOnly: boolean } {
  const [source, target, mode] = v.split(':') as [string, string, string?];
  return { source, target, bind: /^[./]/.test(source), readOnly: mode === 'ro' };
}

function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = /:([^/:@]+)$/.exec(image)?.[1];
  return tag !== undefined && tag !== 'latest' && /(^|[^0-9.])v?\d+\.\d+\.\d+([^0-9.]|$)/.test(tag);
}

/** The BOUNCE_TRIAGE_* variables the image sets (runtime stage ENV). */
function imageEnv(): Record<string, string> {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const runtime = text.slice(text.lastIndexOf('\nFROM '));
  return Object.fromEntries([...runtime.matchAll(/\b(BOUNCE_TRIAGE_\w+)=(\S+)/g)].map(m => [m[1] as string, m[2] as string]));
}

const SAMPLE_ENV = { API_TOKEN: 'a'.repeat(48), WEBHOOK_SECRET: SECRET };

t.test('the four services, and the daemon is built from the repository Dockerfile', async t => {
  t.same(Object.keys(compose.services).sort(), ['bounce-triage', 'grafana', 'prometheus', 'webhook-receiver']);
  const build = svc('bounce-triage').build;
  t.ok(build, 'bounce-triage is built');
  t.equal(resolve(DEPLOY, build?.context ?? ''), ROOT, 'context: the repository root');
  t.ok(existsSync(join(resolve(DEPLOY, build?.context ?? ''), build?.dockerfile ?? 'Dockerfile')), 'the Dockerfile is there');
  for (const [name, s] of Object.entries(compose.services)) {
    if (s.build) continue;
    t.ok(s.image && isPinned(s.image), `${name}: image ${s.image} is pinned`);
  }
  for (const [name, s] of Object.entries(compose.services)) {
    for (const dep of s.depends_on ?? []) t.ok(compose.services[dep], `${name} depends on an existing service (${dep})`);
  }
});

t.test('every value interpolates as compose would, and secrets are required, never defaulted', async t => {
  for (const [name, s] of Object.entries(compose.services)) {
    for (const [k, v] of Object.entries(s.environment ?? {})) {
      t.doesNotThrow(() => interpolate(String(v), SAMPLE_ENV), `${name}.${k} is well-formed`);
    }
  }
  const env = svc('bounce-triage').environment ?? {};
  t.throws(() => interpolate(env.BOUNCE_TRIAGE_HTTP_API_TOKENS ?? '', {}), /required variable API_TOKEN/);
  t.throws(() => interpolate(env.BOUNCE_TRIAGE_WEBHOOK_SECRETS ?? '', {}), /required variable WEBHOOK_SECRET/);
  t.throws(() => interpolate('x $(openssl rand)', {}), /invalid interpolation/, 'the checker itself refuses a bare $');
  t.equal(interpolate('$$HOME ${A:-b} ${C}', { C: 'c' }), '$HOME b c');
  const receiverSecret = svc('webhook-receiver').environment?.WEBHOOK_SECRET;
  t.equal(interpolate(receiverSecret ?? '', SAMPLE_ENV), interpolate(env.BOUNCE_TRIAGE_WEBHOOK_SECRETS ?? '', SAMPLE_ENV), 'daemon and receiver share one webhook secret');
});

t.test("the daemon's effective configuration (image ENV + compose environment) is valid and consistent", async t => {
  const composeEnv = Object.fromEntries(Object.entries(svc('bounce-triage').environment ?? {}).map(([k, v]) => [k, interpolate(String(v), SAMPLE_ENV)]));
  const config = loadConfig({ env: { ...imageEnv(), ...composeEnv } });
  t.equal(config.smtp.host, '0.0.0.0');
  t.equal(config.http.host, '0.0.0.0');
  t.equal(config.store.sqlitePath, '/data/bounce-triage.sqlite');
  const dataMount = (svc('bounce-triage').volumes ?? []).map(mount).find(m => m.target === '/data');
  t.ok(dataMount && !dataMount.bind && compose.volumes && dataMount.source in compose.volumes, 'the SQLite directory is a named volume');

  const ports = (svc('bounce-triage').ports ?? []).map(portMapping);
  t.same(ports.map(p => p.container).sort(), [config.http.port, config.smtp.port].sort(), 'publishes exactly the configured SMTP and HTTP ports');
  t.same([config.smtp.port, config.http.port], [schema.smtp.port.default, schema.http.port.default], 'which are the defaults');
  const exposed = /^EXPOSE\s+(.+)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1]?.split(/\s+/).map(Number) ?? [];
  t.same(ports.map(p => p.container).sort(), exposed.sort(), 'and the Dockerfile EXPOSEs the same');
  for (const [name, s] of Object.entries(compose.services)) {
    for (const p of (s.ports ?? []).map(portMapping)) t.equal(p.ip, '127.0.0.1', `${name}: ${p.host} is published on loopback only`);
  }

  const hook = new URL(config.webhook.url);
  t.equal(hook.hostname, 'webhook-receiver', 'the webhook goes to the receiver service');
  t.equal(hook.port, svc('webhook-receiver').environment?.PORT, 'on the port the receiver listens on');

  const grace = parseDuration(svc('bounce-triage').stop_grace_period) ?? 0;
  t.ok(grace > config.smtp.shutdownGrace + config.webhook.timeout, `stop_grace_period (${grace} ms) exceeds smtp.shutdownGrace + webhook.timeout`);
});

t.test('every mounted host path exists and lands where its configuration expects it', async t => {
  for (const [name, s] of Object.entries(compose.services)) {
    for (const m of (s.volumes ?? []).map(mount)) {
      if (m.bind) {
        t.ok(existsSync(resolve(DEPLOY, m.source)), `${name}: ${m.source} exists`);
        t.ok(m.readOnly, `${name}: ${m.source} is mounted read-only`);
      } else {
        t.ok(compose.volumes && m.source in compose.volumes, `${name}: named volume ${m.source} is declared`);
      }
    }
  }
  const targetOf = (service: string, source: string) => (svc(service).volumes ?? []).map(mount).find(m => m.source === source)?.target;

  // Prometheus: its config where --config.file says, the rules where prometheus.yml loads them,
  // and a scrape target that is the daemon's service name and HTTP port.
  const prom = YAML.parse(readFileSync(join(DEPLOY, 'prometheus/prometheus.yml'), 'utf8')) as {
    rule_files: string[]; scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
  };
  const configFlag = (svc('prometheus').command ?? []).find(c => c.startsWith('--config.file='))?.split('=')[1] ?? '/etc/prometheus/prometheus.yml';
  t.equal(targetOf('prometheus', './prometheus/prometheus.yml'), configFlag);
  t.same(prom.rule_files, [targetOf('prometheus', './prometheus/rules.yml')], 'rules mounted at the path prometheus.yml loads');
  const job = prom.scrape_configs.find(j => j.job_name === 'bounce-triage');
  t.same(job?.static_configs.flatMap(c => c.targets), [`bounce-triage:${schema.http.port.default}`], 'scrapes the bounce-triage service on the HTTP port');

  // Grafana: provisioning in its default place, dashboards where the provider reads them, and a
  // datasource URL naming the Prometheus service and port.
  t.equal(targetOf('grafana', './grafana/provisioning'), '/etc/grafana/provisioning');
  const providerDir = join(DEPLOY, 'grafana/provisioning/dashboards');
  const providers = readdirSync(providerDir).flatMap(f => (YAML.parse(readFileSync(join(providerDir, f), 'utf8')) as { providers: Array<{ options: { path: string } }> }).providers);
  t.same(providers.map(p => p.options.path), [targetOf('grafana', './grafana/dashboards')], 'dashboards mounted where the provider reads them');
  const dsDir = join(DEPLOY, 'grafana/provisioning/datasources');
  const datasources = readdirSync(dsDir).flatMap(f => (YAML.parse(readFileSync(join(dsDir, f), 'utf8')) as { datasources: Array<{ url: string }> }).datasources);
  const promUrl = new URL(datasources[0]?.url ?? '');
  t.equal(promUrl.hostname, 'prometheus');
  t.ok((svc('prometheus').ports ?? []).map(portMapping).some(p => String(p.container) === promUrl.port), 'on the port Prometheus listens on');
  t.equal(svc('grafana').environment?.GF_AUTH_ANONYMOUS_ENABLED, 'true');
  t.equal(svc('grafana').environment?.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Viewer', 'anonymous users can only view');

  // The receiver runs the script that is mounted.
  const script = (svc('webhook-receiver').volumes ?? []).map(mount).find(m => m.source.endsWith('webhook-receiver.mjs'));
  t.equal(resolve(DEPLOY, script?.source ?? ''), RECEIVER);
  t.ok(svc('webhook-receiver').command?.includes(script?.target ?? '?'), 'and its command runs it');
});

/** Starts the receiver script on a free loopback port; collects its stdout lines. */
async function startReceiver(t: Test, secret = SECRET): Promise<{ url: string; lines: string[]; child: ChildProcess }> {
  const child = spawn(process.execPath, [RECEIVER], { env: { ...process.env, WEBHOOK_SECRET: secret, HOST: '127.0.0.1', PORT: '0' } });
  t.teardown(() => { child.kill('SIGTERM'); });
  const lines: string[] = [];
  let buffer = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString('utf8');
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        const m = /listening on ([\d.]+):(\d+)/.exec(line);
        if (m) resolve(`http://${m[1]}:${m[2]}/hooks/bounces`);
      }
    });
    child.on('exit', code => reject(new Error(`receiver exited with ${code}`)));
  });
  return { url, lines, child };
}

t.test('the receiver script verifies signatures made by src/sinks/webhook-sign.ts', async t => {
  const r = await startReceiver(t);
  const body = JSON.stringify({ type: 'recipient.state_changed', timestamp: '2026-11-26T12:00:00.000Z', data: { recipient: 'alice@contoso.com', state: 'pause' } });
  const now = Math.floor(Date.now() / 1000);
  const post = (headers: Record<string, string>, payload = body) =>
    fetch(r.url, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', ...headers } }).then(res => res.status);
  const signed = (secrets: string[], id = 'msg_1', ts = now, payload = body) =>
    ({ 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(secrets, id, ts, payload) });

  t.equal(await post(signed([SECRET])), 204, 'a correct signature is accepted');
  t.equal(await post(signed([OTHER_SECRET, SECRET], 'msg_2')), 204, 'during a rotation, any matching entry is enough');
  t.equal(await post(signed([SECRET], 'msg_3'), body.replace('pause', 'active')), 401, 'a changed body is refused');
  t.equal(await post(signed([OTHER_SECRET], 'msg_4')), 401, 'another secret is refused');
  t.equal(await post(signed([SECRET], 'msg_5', now - 3600)), 401, 'an old timestamp is refused (replay)');
  t.equal(await post({ ...signed([SECRET], 'msg_6'), 'webhook-id': 'msg_other' }), 401, 'the id is part of the signed content');
  t.equal(await post({}), 401, 'no signature headers');
  t.equal((await fetch(r.url)).status, 405);

  const printed = r.lines.filter(l => l.startsWith('{')).map(l => JSON.parse(l) as { verified: boolean; webhookId: string | null; event?: unknown });
  t.same(printed.filter(p => p.verified).map(p => p.webhookId), ['msg_1', 'msg_2'], 'only verified deliveries are printed as verified');
  t.same(printed.find(p => p.verified)?.event, JSON.parse(body), 'with the event body');
});

t.test('the receiver refuses to start without a whsec_ secret', async t => {
  const child = spawn(process.execPath, [RECEIVER], { env: { ...process.env, WEBHOOK_SECRET: 'hunter2', PORT: '0', HOST: '127.0.0.1' }, stdio: 'ignore' });
  t.equal(await new Promise(resolve => child.on('exit', resolve)), 78);
});

t.test("a running daemon's webhook is verified by the receiver script", async t => {
  const r = await startReceiver(t, HARNESS_SECRET); // the secret the harness's daemon signs with
  const h = await startHarness(t.testdir({}), { 'webhook.url': r.url });
  t.teardown(() => h.stop());
  const smtp = new SmtpClient(h.daemon.smtp.port);
  await smtp.connect();
  const reply = '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup';
  const sent = await smtp.send(makeDsn({ id: 'CMP1', recipients: [{ recipient: 'gone@contoso.com', reply, remoteMta: 'contoso-com.mail.protection.outlook.com' }] }));
  t.equal(sent.code, 250);
  smtp.quit();
  // Wait for the receiver's line; the bound only turns a hang into a failure.
  const deadline = Date.now() + 30_000;
  let event: { verified: boolean; event: { type: string; data: { recipient: string; state: string } } } | undefined;
  while (!event && Date.now() < deadline) {
    event = r.lines.filter(l => l.includes('"verified":true')).map(l => JSON.parse(l) as NonNullable<typeof event>)
      .find(e => e.event.type === 'recipient.state_changed');
    if (!event) await new Promise(res => setTimeout(res, 50));
  }
  t.ok(event, 'the receiver printed a verified recipient.state_changed');
  t.equal(event?.event.data.recipient, 'gone@contoso.com');
  t.equal(event?.event.data.state, 'suppress');
  t.notOk(r.lines.some(l => l.includes('"verified":false')), 'no delivery was refused');
});
