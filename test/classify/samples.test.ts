// DESIGN.md "Rules as data": every rule of every shipped pack must match each of its own
// samples, and each sample must classify to that rule through the whole engine (provider
// detection, precedence, indexes). A rule that can never fire is a failing test, named by id.
import t from 'tap';
import { checkRule } from '../../src/classify/index.js';
import { shipped } from './fixtures/rules.js';

t.test('every shipped rule fires on each of its own samples', async t => {
  t.ok(shipped.rules.length > 100, `${shipped.rules.length} rules loaded`);
  for (const rule of shipped.rules) {
    t.test(rule.id, async t => {
      t.ok(rule.samples.length >= 1, 'has at least one sample');
      const failures = checkRule(rule, shipped);
      t.same(failures, [], failures.map(f => `${f.problem}: "${f.sample}" → ${f.got}`).join('\n') || 'all samples classify to this rule');
    });
  }
});

t.test('every rule names its source, and details are prefixed by their pack', async t => {
  const bad = shipped.rules
    .filter(r => r.source.trim() === '' || (r.detail !== undefined && !r.detail.startsWith(`${r.pack}.`)))
    .map(r => r.id);
  t.same(bad, []);
});
