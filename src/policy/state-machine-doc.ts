// Renders docs/state-machine.md from the rule table itself (recipient-rules.ts), so the
// documented transitions are the implemented ones; a test compares the committed file with this
// output (regenerate: `bounce-triage docs state-machine > docs/state-machine.md`).
import { RECIPIENT_STATES } from '../domain/vocab.js';
import { NO_CHANGE, RECIPIENT_RULES } from './recipient-rules.js';

/** Transitions that do not come from a verdict: time, deliveries reported by API, operators. */
const OTHER: ReadonlyArray<{ id: string; from: string; to: string; summary: string }> = [
  { id: 'policy/retest-due', from: 'pause', to: 'keep_testing', summary: 'the retest time has passed (the sweeper, every `policy.sweepInterval`)' },
  { id: 'policy/delivered', from: 'keep_testing, pause', to: 'active', summary: 'a delivery reported through `POST /v1/deliveries` (same rule as a positive DSN)' },
  { id: 'policy/override', from: 'any', to: 'any', summary: 'an operator override (`POST /v1/recipients/{address}/override` or `bounce-triage override`), stored with who and why' },
];

export function renderStateMachineDoc(): string {
  const rows = RECIPIENT_RULES.map(r => `| ${r.from.join(', ')} | ${r.to} | \`${r.id}\` | ${r.summary} |`);
  const other = OTHER.map(o => `| ${o.from} | ${o.to} | \`${o.id}\` | ${o.summary} |`);
  const edges = new Set<string>();
  for (const r of RECIPIENT_RULES) for (const f of r.from) if (f !== r.to) edges.add(`  ${f} --> ${r.to}`);
  edges.add('  pause --> keep_testing');
  return [
    '# Recipient state machine',
    '',
    'Generated from `src/policy/recipient-rules.ts` by `bounce-triage docs state-machine`; a test keeps',
    'this file identical to the code. Thresholds are settings (`policy.*` in `config/default.yaml`).',
    '',
    `States: ${RECIPIENT_STATES.map(s => `\`${s}\``).join(', ')}. A recipient never seen is \`active\`. A \`pause\``,
    'carries `retest_at`; once it has passed, the recipient counts as `keep_testing` again (and the sweeper',
    'records that transition), and a further recipient-side policy bounce pauses it for twice as long.',
    '',
    '## Transitions caused by a verdict',
    '',
    'Rules are tried in this order; the first whose condition holds decides. It moves the recipient only',
    'from the states in its first column; in any other state the verdict changes nothing.',
    '',
    '| from | to | rule | when |',
    '|---|---|---|---|',
    ...rows,
    '',
    '## Other transitions',
    '',
    '| from | to | rule | when |',
    '|---|---|---|---|',
    ...other,
    '',
    '## Never a change',
    '',
    ...NO_CHANGE.map(n => `* ${n}`),
    '',
    '## Domains and streams',
    '',
    '* A recipient **domain** is paused (`policy/domain-refuses-us`, webhook `domain.state_changed`) when a verdict',
    '  detail listed in `policy.domainDetails` (customer block list, domain not accepted by the tenant, MX requiring',
    '  authentication) shows the tenant refuses the sender for every address; the address itself is left alone.',
    '  It is ok again after `policy.domainPause` (`policy/domain-retest-due`).',
    '* A **stream** is escalated (`policy/stream-microsoft-sender-side`, webhook `stream.escalated`) when sender-side',
    '  Microsoft rejections come from `policy.escalateDomains` distinct recipient domains within `policy.escalateWindow`,',
    '  or from `policy.escalateDomainsStrong` for an unambiguous signal listed in `policy.strongDetails`',
    '  (`policy/stream-strong-signal`). It recovers after `policy.recoverAfter` without such a rejection',
    '  (`policy/stream-recovered`, webhook `stream.recovered`).',
    '',
    '## Diagram',
    '',
    '```mermaid',
    'stateDiagram-v2',
    '  [*] --> active',
    ...[...edges].sort(),
    '```',
    '',
  ].join('\n');
}
