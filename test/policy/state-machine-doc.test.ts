import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { renderStateMachineDoc } from '../../src/policy/state-machine-doc.js';
import { RECIPIENT_RULES } from '../../src/policy/recipient-rules.js';

t.test('docs/state-machine.md is generated from the rule table and lists every rule', async t => {
  const doc = readFileSync(join(import.meta.dirname, '../../docs/state-machine.md'), 'utf8');
  t.equal(doc, renderStateMachineDoc(), 'regenerate with: bounce-triage docs state-machine > docs/state-machine.md');
  for (const r of RECIPIENT_RULES) t.match(doc, `\`${r.id}\``, r.id);
});
