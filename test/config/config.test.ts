import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { renderDefaultsYaml } from '../../src/config/defaults-yaml.js';
import { loadConfig, redactConfig } from '../../src/config/load.js';
import { schema } from '../../src/config/schema.js';
import { envName, leaves, parseDuration } from '../../src/config/spec.js';
import { AppError } from '../../src/errors.js';

const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError && err.code === 'CONFIG_INVALID') return err.details;
    throw err;
  }
  return [];
}

t.test('the defaults need no file and no environment', async t => {
  const c = loadConfig();
  t.equal(c.smtp.host, '127.0.0.1');
  t.equal(c.smtp.port, 2525);
  t.equal(c.http.port, 9525);
  t.equal(c.store.sqlitePath, './data/bounce-triage.sqlite');
  t.equal(c.policy.pauseFor, 30 * 86_400_000, 'durations are read as milliseconds');
  t.same(c.smtp.bounceDomains, ['bounce.localhost']);
});

t.test('config/default.yaml is exactly what the schema renders, and loads to the defaults', async t => {
  const file = join(import.meta.dirname, '../../config/default.yaml');
  t.equal(readFileSync(file, 'utf8'), renderDefaultsYaml(), 'regenerate with: bounce-triage config --defaults > config/default.yaml');
  t.same(loadConfig({ file }), loadConfig());
  for (const { path } of leaves(schema)) {
    t.match(readFileSync(file, 'utf8'), `[${envName(path)}]`, `documents ${path.join('.')}`);
  }
});

t.test('a --config file overrides any subset of keys', async t => {
  const dir = t.testdir({ 'c.yaml': 'smtp:\n  port: 2626\n  bounceDomains: [bounces.example.com]\nwebhook:\n  timeout: 2s\n' });
  const c = loadConfig({ file: join(dir, 'c.yaml') });
  t.equal(c.smtp.port, 2626);
  t.same(c.smtp.bounceDomains, ['bounces.example.com']);
  t.equal(c.webhook.timeout, 2000);
  t.equal(c.smtp.host, '127.0.0.1', 'untouched keys keep their default');
});

t.test('BOUNCE_TRIAGE_* variables override the file', async t => {
  const dir = t.testdir({ 'c.yaml': 'smtp:\n  port: 2626\n' });
  const c = loadConfig({
    file: join(dir, 'c.yaml'),
    env: {
      BOUNCE_TRIAGE_SMTP_PORT: '2727',
      BOUNCE_TRIAGE_SMTP_BOUNCE_DOMAINS: 'a.example, b.example',
      BOUNCE_TRIAGE_SMTP_TLS_ENABLED: 'false',
      BOUNCE_TRIAGE_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
      BOUNCE_TRIAGE_WEBHOOK_SECRETS: SECRET,
      BOUNCE_TRIAGE_POLICY_ESCALATE_WINDOW: '1h30m',
      UNRELATED: 'x',
    },
  });
  t.equal(c.smtp.port, 2727);
  t.same(c.smtp.bounceDomains, ['a.example', 'b.example']);
  t.equal(c.smtp.tls.enabled, false);
  t.equal(c.webhook.url, 'http://127.0.0.1:9/hook');
  t.equal(c.policy.escalateWindow, 90 * 60_000);
});

t.test('an invalid config lists every problem, each naming its key', async t => {
  const dir = t.testdir({
    'bad.yaml': [
      'smtp:', '  port: 70000', '  prot: 25', '  bounceDomains: "one"', '  tls:', '    enabled: true',
      'policy:', '  pauseFor: soon', 'log:', '  level: loud', 'store: sqlite', '',
    ].join('\n'),
  });
  const problems = problemsOf(() => loadConfig({ file: join(dir, 'bad.yaml'), env: { BOUNCE_TRIAGE_HTTP_PORT: 'eighty', BOUNCE_TRIAGE_WEBHOOK_SECRETS: 'hunter2' } }));
  const expect = [
    /^smtp\.port \(in .*bad\.yaml\): must be <= 65535/,
    /^smtp\.prot \(in .*\): unknown setting/,
    /^smtp\.bounceDomains .*must be a list/,
    /^policy\.pauseFor .*must be a duration/,
    /^log\.level .*must be one of/,
    /^store \(in .*\): must be a mapping/,
    /^http\.port \(from BOUNCE_TRIAGE_HTTP_PORT\): must be a number/,
    /^webhook\.secrets \(from BOUNCE_TRIAGE_WEBHOOK_SECRETS\): item 1 has an invalid format/,
    /^smtp\.tls: enabled needs both/,
  ];
  for (const re of expect) t.ok(problems.some(p => re.test(p)), `reports ${re}`);
  t.equal(problems.length, expect.length, 'and nothing else');
  t.notOk(problems.join('\n').includes('hunter2'), 'a secret value is never echoed');
});

t.test('a missing or malformed file is a config problem, not a crash', async t => {
  t.match(problemsOf(() => loadConfig({ file: '/nonexistent/bt.yaml' })), [/cannot be read \(ENOENT\)/]);
  const dir = t.testdir({ 'x.yaml': 'smtp: [1, 2\n', 'list.yaml': '- a\n- b\n' });
  t.match(problemsOf(() => loadConfig({ file: join(dir, 'x.yaml') })), [/YAML error/]);
  t.match(problemsOf(() => loadConfig({ file: join(dir, 'list.yaml') })), [/must be a mapping of settings/]);
});

t.test('a webhook url without a signing secret is refused (bodies are always signed)', async t => {
  t.match(problemsOf(() => loadConfig({ overrides: { 'webhook.url': 'https://hooks.example/x' } })), [/webhook\.secrets: a webhook url needs/]);
  const dir = t.testdir({ 'c.yaml': 'webhook:\n  url: ftp://x\n' });
  t.match(problemsOf(() => loadConfig({ file: join(dir, 'c.yaml') })), [/webhook\.url .*invalid format/]);
});

t.test('redactConfig hides secrets but nothing else', async t => {
  const c = loadConfig({ overrides: { 'webhook.url': 'https://hooks.example/x', 'webhook.secrets': [SECRET, SECRET] } });
  const r = redactConfig(c) as { webhook: { secrets: string[]; url: string } };
  t.same(r.webhook.secrets, ['[redacted]', '[redacted]']);
  t.equal(r.webhook.url, 'https://hooks.example/x');
  t.equal(c.webhook.secrets[0], SECRET, 'the live config is untouched');
});

t.test('durations', async t => {
  const table: Array<[unknown, number | undefined]> = [
    ['500ms', 500], ['15s', 15_000], ['5m', 300_000], ['2h', 7_200_000], ['30d', 2_592_000_000], ['1h30m', 5_400_000],
    ['1500', 1500], [250, 250], ['1.5s', 1500], ['', undefined], ['10 s', undefined], ['5x', undefined], [-1, undefined], [null, undefined],
  ];
  for (const [input, ms] of table) t.equal(parseDuration(input), ms, `${JSON.stringify(input)} → ${ms}`);
});

t.test('env names follow the key path', async t => {
  t.equal(envName(['smtp', 'maxMessageBytes']), 'BOUNCE_TRIAGE_SMTP_MAX_MESSAGE_BYTES');
  t.equal(envName(['metrics', 'domainTopN']), 'BOUNCE_TRIAGE_METRICS_DOMAIN_TOP_N');
  const names = leaves(schema).map(l => envName(l.path));
  t.equal(new Set(names).size, names.length, 'no two settings share an environment variable');
});

t.test('a written config with every key round-trips', async t => {
  const dir = t.testdir({});
  const file = join(dir, 'all.yaml');
  writeFileSync(file, renderDefaultsYaml().replace('port: 2525', 'port: 2599'));
  t.equal(loadConfig({ file }).smtp.port, 2599);
});
