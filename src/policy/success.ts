// Deliveries reported through the API (POST /v1/deliveries) are success evidence: they run the
// same rule table as a positive DSN (policy/delivered: keep_testing or pause → active), and the
// store keeps them so later dead-address bounces see them (policy/dead-address-after-delivery).
import type { NewDelivery } from '../domain/state.js';
import { decideRecipient, nextRow } from './recipient.js';
import { emptyOutcome, type PolicyConfig, type PolicyItem, type PolicyOutcome } from './types.js';
import type { Snapshot } from '../domain/state.js';

/** The verdict-shaped value a reported delivery stands for. */
export function deliveryItem(d: NewDelivery): PolicyItem {
  return {
    record: { recipient: d.recipient, action: 'delivered', status: '2.0.0', diagnostic: 'delivery reported through the API', stage: 'post_accept', fields: {} },
    verdict: { reason: 'delivered', side: 'none', provider: 'other', family: 'other', providerBy: 'none', rule: 'api/delivery', level: 'fallback' },
  };
}

export function decideDeliveries(deliveries: NewDelivery[], snapshot: Snapshot, now: Date, cfg: PolicyConfig): PolicyOutcome {
  const out = emptyOutcome();
  const at = now.toISOString();
  const rows = new Map([...snapshot.recipients].map(([k, v]) => [k, v.row]));
  for (const d of deliveries) {
    const current = rows.get(d.recipient);
    const item = deliveryItem(d);
    const outcome = decideRecipient(item, 'dsn', current, snapshot.recipients.get(d.recipient)?.events ?? [], `delivery:${d.recipient}:${d.at}`, now, cfg);
    if (!outcome) continue;
    const row = { ...nextRow(current, d.recipient, d.recipientDomain, outcome, undefined, at), reason: current?.reason ?? null, side: current?.side ?? null };
    rows.set(d.recipient, row);
    out.recipientChanges.push({
      row, item,
      decision: { subject: 'recipient', key: d.recipient, from: current?.state ?? 'active', to: outcome.to, policyRule: outcome.policyRule, why: outcome.why, at, inputs: { ...outcome.inputs, deliveredAt: d.at, stream: d.stream } },
    });
  }
  out.recipients = [...new Map(out.recipientChanges.map(c => [c.row.address, c.row])).values()];
  return out;
}
