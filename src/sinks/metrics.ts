// Every Prometheus metric, declared once (documented in docs/metrics.md). A registry per daemon
// instance, so tests can run several daemons in one process. Labels are bounded by
// construction: vocabularies, provider ids from the rule packs, and recipient domains capped to
// N label values (DomainCap) — never an address, message id, IP or raw text.
import client from 'prom-client';

export class DomainCap {
  private readonly kept = new Set<string>();
  constructor(private readonly topN: number, private readonly allow: ReadonlySet<string>, private readonly onFold: () => void) {}

  /**
   * The label for a recipient domain: itself if allow-listed or among the first N seen, else
   * `other`. First-come slots keep a series stable for the process lifetime; see docs/metrics.md
   * for why this is not yet "top-N by volume".
   */
  label(domain: string): string {
    const d = domain.toLowerCase();
    if (this.allow.has(d) || this.kept.has(d)) return d;
    if (this.kept.size < this.topN) {
      this.kept.add(d);
      return d;
    }
    this.onFold();
    return 'other';
  }
}

export interface MetricsOptions {
  version: string;
  rulesVersion: string;
  domainTopN: number;
  domainAllow: string[];
  /** Called at scrape time for outbox gauges (kept out of the hot path). */
  outboxStats?: () => Promise<{ pending: number; oldestAgeSeconds: number; dead: number }>;
}

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(opts: MetricsOptions) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const reg = [registry];

  const messages = new client.Counter({
    name: 'bounce_triage_messages_received_total', registers: reg, labelNames: ['result'] as const,
    help: 'Messages received over SMTP by outcome: accepted, duplicate, quarantined, rejected (5xx), tempfailed (4xx).',
  });
  const kinds = new client.Counter({
    name: 'bounce_triage_messages_parsed_total', registers: reg, labelNames: ['kind'] as const,
    help: 'Accepted messages by kind: dsn, ndr, arf, autoreply, not_bounce.',
  });
  const bounces = new client.Counter({
    name: 'bounce_triage_bounces_total', registers: reg, labelNames: ['provider', 'reason', 'side'] as const,
    help: 'Classified recipient records by provider, reason and side (who must act).',
  });
  const microsoft = new client.Counter({
    name: 'bounce_triage_microsoft_rejections_total', registers: reg,
    labelNames: ['provider', 'recipient_domain', 'side'] as const,
    help: 'Failed recipient records rejected by Microsoft, by recipient domain (capped) and side.',
  });
  const folded = new client.Counter({
    name: 'bounce_triage_domain_label_folded_total', registers: reg,
    help: 'Recipient domains counted as "other" because the domain label cap was reached.',
  });
  const transitions = new client.Counter({
    name: 'bounce_triage_recipient_transitions_total', registers: reg, labelNames: ['from', 'to'] as const,
    help: 'Recipient state transitions.',
  });
  const deliveries = new client.Counter({
    name: 'bounce_triage_deliveries_reported_total', registers: reg, labelNames: ['recipient_domain'] as const,
    help: 'Successful deliveries reported through the API (success evidence; the denominator of rejection rates).',
  });
  const escalations = new client.Counter({
    name: 'bounce_triage_stream_escalations_total', registers: reg,
    help: 'Streams moved to the escalate state.',
  });
  const webhook = new client.Counter({
    name: 'bounce_triage_webhook_deliveries_total', registers: reg, labelNames: ['result'] as const,
    help: 'Webhook delivery attempts by result: success, client_error, server_error, timeout, network_error, gone.',
  });
  const webhookDuration = new client.Histogram({
    name: 'bounce_triage_webhook_delivery_duration_seconds', registers: reg,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    help: 'Duration of webhook delivery attempts.',
  });
  const processing = new client.Histogram({
    name: 'bounce_triage_processing_duration_seconds', registers: reg,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    help: 'Time from the end of DATA to the SMTP reply (parse, classify, decide, commit).',
  });
  // One outbox query per scrape, shared by the three gauges (prom-client collects them in parallel).
  let inflight: Promise<{ pending: number; oldestAgeSeconds: number; dead: number }> | undefined;
  const outbox = () => {
    inflight ??= (opts.outboxStats ? opts.outboxStats() : Promise.resolve({ pending: 0, oldestAgeSeconds: 0, dead: 0 }))
      .finally(() => { setImmediate(() => { inflight = undefined; }); });
    return inflight;
  };
  new client.Gauge({
    name: 'bounce_triage_outbox_pending', registers: reg, help: 'Webhook events waiting for delivery.',
    async collect() { this.set((await outbox()).pending); },
  });
  new client.Gauge({
    name: 'bounce_triage_outbox_oldest_age_seconds', registers: reg, help: 'Age of the oldest undelivered webhook event.',
    async collect() { this.set((await outbox()).oldestAgeSeconds); },
  });
  new client.Gauge({
    name: 'bounce_triage_outbox_dead', registers: reg, help: 'Webhook events given up after the last retry (dead letters).',
    async collect() { this.set((await outbox()).dead); },
  });
  new client.Gauge({
    name: 'bounce_triage_build_info', registers: reg, labelNames: ['version', 'rules_version'] as const,
    help: 'Build information; value is always 1.',
  }).set({ version: opts.version, rules_version: opts.rulesVersion }, 1);

  const domains = new DomainCap(opts.domainTopN, new Set(opts.domainAllow.map(d => d.toLowerCase())), () => folded.inc());
  return { registry, messages, kinds, bounces, microsoft, transitions, deliveries, escalations, webhook, webhookDuration, processing, domains };
}
