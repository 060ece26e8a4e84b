// The policy keys some decisions on verdict details (domain scope, unambiguous stream signals);
// a renamed detail in a rule pack would silently switch them off. Keep the two in step.
import t from 'tap';
import { loadRuleSet, shippedRuleFiles } from '../../src/classify/index.js';
import { loadConfig } from '../../src/config/load.js';

t.test('every detail the default policy names is produced by a shipped rule', async t => {
  const details = new Set(loadRuleSet(shippedRuleFiles()).rules.map(r => r.detail).filter(Boolean));
  const { policy } = loadConfig();
  for (const d of [...policy.domainDetails, ...policy.strongDetails]) t.ok(details.has(d), d);
});
