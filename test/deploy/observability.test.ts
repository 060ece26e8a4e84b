// The observability contract: promtool accepts the rules and their unit tests, and the live
// /metrics of a daemon that just processed a mix of Microsoft recipient-side and sender-side
// bounces; every query in the Grafana dashboard and every recording rule names only metrics we
// export or record. promtool comes from Debian's `prometheus` package (installed by .ci/run).
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import YAML from 'yaml';
import { createMetrics } from '../../src/sinks/metrics.js';
import { makeDsn } from '../helpers/dsn.js';
import { withDaemon } from '../helpers/harness.js';

const ROOT = join(import.meta.dirname, '../..');
const RULES = join(ROOT, 'deploy/prometheus/rules.yml');
const run = promisify(execFile);

function promtoolStdin(args: string[], input: string): Promise<{ code: number | null; out: string }> {
  return new Promise(resolve => {
    const child = spawn('promtool', args);
    let out = '';
    child.stdout.on('data', d => { out += String(d); });
    child.stderr.on('data', d => { out += String(d); });
    child.on('close', code => resolve({ code, out }));
    child.stdin.end(input);
  });
}

t.test('promtool checks the rules and runs their unit tests', async t => {
  const check = await run('promtool', ['check', 'rules', RULES]);
  t.match(check.stdout, /SUCCESS: \d+ rules found/);
  const tests = await run('promtool', ['test', 'rules', join(ROOT, 'deploy/prometheus/tests.yml')]);
  t.match(tests.stdout, /SUCCESS/);
});

t.test('promtool check metrics accepts a live /metrics after mixed traffic', async t => {
  const { h, smtp, metrics } = await withDaemon(t);
  const mx = 'contoso-com.mail.protection.outlook.com';
  const replies = [
    '550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized; you do not have permissions to send to this address',
    '550 5.4.1 Recipient address rejected: Access denied. [CY4PEPF0000EE3C.namprd03.prod.outlook.com]',
    "550 5.7.1 Unfortunately, messages from [192.0.2.25] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
    '550 5.7.509 Access denied, sending domain [SENDER.EXAMPLE] does not pass DMARC verification and has a DMARC policy of reject.',
  ];
  for (const [i, reply] of replies.entries()) {
    t.equal((await smtp.send(makeDsn({ id: `M${i}`, recipients: [{ recipient: `u${i}@contoso.com`, reply, remoteMta: mx }] }))).code, 250);
  }
  await fetch(`http://127.0.0.1:${h.daemon.http.port}/v1/deliveries`, { method: 'POST', body: JSON.stringify([{ recipient: 'ok@contoso.com' }]), headers: { 'content-type': 'application/json' } });
  const text = await metrics();
  t.match(text, /bounce_triage_microsoft_rejections_total\{provider="microsoft_m365",recipient_domain="contoso.com",enhanced_code="5.7.1",side="recipient_admin"\} 1/);
  t.match(text, /bounce_triage_microsoft_rejections_total\{[^}]*enhanced_code="5.7.509",side="sender_auth"\} 1/);
  t.match(text, /bounce_triage_deliveries_total\{provider="microsoft_m365",recipient_domain="contoso.com",source="api"\} 1/, 'the domain was learned to be a Microsoft 365 tenant from its bounces');
  t.notMatch(text, /enhanced_code="[45]\.0\.0"/, 'codes outside the Microsoft rules are bucketed');
  const lint = await promtoolStdin(['check', 'metrics'], text);
  t.equal(lint.code, 0, `promtool check metrics: ${lint.out}`);
  t.equal(lint.out.trim(), '', 'no lint findings');
});

/** Metric names a query may use: what we export (histograms with their series suffixes), what the rules record, and `up`. */
function knownNames(): Set<string> {
  const m = createMetrics({ version: '0', rulesVersion: '0', domainTopN: 1, domainAllow: [] });
  const names = new Set<string>(['up']);
  for (const metric of (m.registry as unknown as { getMetricsAsArray(): Array<{ name: string }> }).getMetricsAsArray()) {
    for (const suffix of ['', '_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  const rules = YAML.parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ record?: string }> }> };
  for (const g of rules.groups) for (const r of g.rules) if (r.record) names.add(r.record);
  return names;
}

/** Metric names in a PromQL expression: identifiers that are not functions, keywords or label names. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""').replace(/\{[^}]*\}/g, '{}').replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...withoutStrings.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*(\{|\[|\)|$|\s|\/|\+|-|\*|>|<|=))/g)]
    .map(m => m[0])
    .filter(n => /^(bounce_triage_|up$)|:/.test(n));
}

t.test('every dashboard query and recording rule names only exported or recorded metrics', async t => {
  const known = knownNames();
  const dash = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/dashboards/bounce-triage.json'), 'utf8')) as {
    uid: string; panels: Array<{ type: string; title: string; datasource?: { uid: string }; targets?: Array<{ expr: string }> }>;
    templating: { list: Array<{ name: string; query: { query: string } }> };
  };
  t.equal(dash.uid, 'bounce-triage', 'stable uid');
  t.same(dash.templating.list.map(v => v.name), ['provider', 'domain'], 'variables for provider and domain');
  const exprs = [
    ...dash.panels.flatMap(p => (p.targets ?? []).map(x => ({ where: `panel "${p.title}"`, expr: x.expr }))),
    ...dash.templating.list.map(v => ({ where: `variable ${v.name}`, expr: v.query.query.replace(/^label_values\(([^,]+),.*$/, '$1') })),
  ];
  t.ok(exprs.length >= 15, `${exprs.length} queries`);
  for (const p of dash.panels.filter(x => x.type !== 'row')) t.equal(p.datasource?.uid, 'prometheus', `${p.title}: datasource by fixed uid`);
  for (const { where, expr } of exprs) {
    const names = metricNames(expr);
    t.ok(names.length > 0, `${where} names a metric`);
    for (const n of names) t.ok(known.has(n), `${where}: ${n}`);
  }
  const rules = YAML.parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ record?: string; alert?: string; expr: string }> }> };
  for (const g of rules.groups) {
    for (const r of g.rules) for (const n of metricNames(r.expr)) t.ok(known.has(n), `${r.record ?? r.alert}: ${n}`);
  }
});
