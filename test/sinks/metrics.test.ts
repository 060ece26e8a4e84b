import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createMetrics, DomainCap } from '../../src/sinks/metrics.js';

t.test('every bounce_triage metric is documented in docs/metrics.md, and nothing else is', async t => {
  const m = createMetrics({ version: '1.2.3', rulesVersion: 'abc', domainTopN: 2, domainAllow: [] });
  const declared = (await m.registry.getMetricsAsJSON()).map(x => x.name).filter(n => n.startsWith('bounce_triage_')).sort();
  const doc = readFileSync(join(import.meta.dirname, '../../docs/metrics.md'), 'utf8');
  const documented = [...new Set([...doc.matchAll(/^\| `(bounce_triage_[a-z_]+)`/gm)].map(x => x[1] as string))].sort();
  t.same(documented, declared);
});

t.test('metric names follow Prometheus conventions (prefix, _total only on counters, no colons)', async t => {
  const m = createMetrics({ version: '1', rulesVersion: 'x', domainTopN: 1, domainAllow: [] });
  for (const metric of await m.registry.getMetricsAsJSON()) {
    if (!metric.name.startsWith('bounce_triage_')) continue;
    t.notMatch(metric.name, /:/, metric.name);
    t.equal(metric.name.endsWith('_total'), String(metric.type) === 'counter', `${metric.name} (${metric.type})`);
  }
});

t.test('domains seeded from the store keep their slot; the seed never exceeds N', async t => {
  const cap = new DomainCap(2, new Set(), () => undefined, ['Busy.example', 'second.example', 'third.example']);
  t.same(['busy.example', 'second.example', 'third.example', 'new.example'].map(d => cap.label(d)), ['busy.example', 'second.example', 'other', 'other']);
});

t.test('prom-client defaults that break the naming rules are not exported', async t => {
  const text = await createMetrics({ version: '1', rulesVersion: 'x', domainTopN: 1, domainAllow: [] }).registry.metrics();
  t.notMatch(text, /nodejs_active_handles_total/);
  t.match(text, /^# TYPE nodejs_active_handles gauge$/m, 'the correctly named gauge stays');
});

t.test('recipient domains are capped: allow-list and first N keep their label, the rest fold into other', async t => {
  let folds = 0;
  const cap = new DomainCap(2, new Set(['contoso.com']), () => { folds += 1; });
  const labels = ['Contoso.COM', 'a.example', 'b.example', 'c.example', 'a.example', 'contoso.com', 'd.example'].map(d => cap.label(d));
  t.same(labels, ['contoso.com', 'a.example', 'b.example', 'other', 'a.example', 'contoso.com', 'other']);
  t.equal(folds, 2, 'each fold is counted');
});

t.test('the gauges read the store once per scrape', async t => {
  let calls = 0;
  const m = createMetrics({
    version: '1', rulesVersion: 'x', domainTopN: 1, domainAllow: [],
    stats: async () => { calls += 1; return { outbox: { pending: 3, oldestAgeSeconds: 42, dead: 1 }, recipients: { pause: 2, suppress: 5 }, streamsEscalated: 1, domainsPaused: 4 }; },
  });
  const text = await m.registry.metrics();
  t.match(text, /^bounce_triage_outbox_pending 3$/m);
  t.match(text, /^bounce_triage_outbox_oldest_age_seconds 42$/m);
  t.match(text, /^bounce_triage_outbox_dead 1$/m);
  t.match(text, /^bounce_triage_recipients\{state="pause"\} 2$/m);
  t.match(text, /^bounce_triage_recipients\{state="keep_testing"\} 0$/m);
  t.match(text, /^bounce_triage_streams_escalated 1$/m);
  t.match(text, /^bounce_triage_domains_paused 4$/m);
  t.equal(calls, 1);
  t.match(text, /^bounce_triage_build_info\{version="1",rules_version="x"\} 1$/m);
});

t.test('the enhanced_code label: codes the Microsoft rules name, bounded', async t => {
  const { knownCodes } = await import('../../src/sinks/metric-labels.js');
  const { loadRuleSet, shippedRuleFiles } = await import('../../src/classify/index.js');
  const known = knownCodes(loadRuleSet(shippedRuleFiles()), 'microsoft');
  for (const c of ['5.7.1', '5.7.606', '5.7.640', '5.7.509', '5.4.1', '5.1.10', '5.2.2', '4.7.650']) t.ok(known(c), `${c} is known`);
  for (const c of ['5.0.0', '4.0.0', '5.9.999', 'x']) t.notOk(known(c), `${c} is other`);
  let n = 0;
  for (const cls of [4, 5]) for (let s = 0; s <= 9; s++) for (let d = 0; d <= 999; d++) if (known(`${cls}.${s}.${d}`)) n += 1;
  t.ok(n < 1000, `${n} label values at most`);
});
