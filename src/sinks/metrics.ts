// Every Prometheus metric, declared once (documented in docs/metrics.md, which a test keeps in
// step). A registry per daemon instance, so tests can run several daemons in one process. Labels
// are bounded by construction: vocabularies, provider ids from the rule packs, enhanced codes
// bucketed to the codes the packs know, recipient domains capped (domain-cap.ts) — never an
// address, message id, IP or raw text.
import client from 'prom-client';
import { DomainCap } from './domain-cap.js';
import { ProviderMap } from './provider-map.js';

export { DomainCap } from './domain-cap.js';

export interface ScrapeStats {
  outbox: { pending: number; oldestAgeSeconds: number; dead: number };
  recipients: Record<string, number>;
  streamsEscalated: number;
  domainsPaused: number;
}

export interface MetricsOptions {
  version: string;
  rulesVersion: string;
  domainTopN: number;
  domainAllow: string[];
  /** Domains holding a label slot from the start (top-N by volume from the store). */
  domainSeed?: string[];
  /** Enhanced codes kept as their own `enhanced_code` label value (those the rule packs name); the rest become `other`. */
  isKnownCode?: (status: string) => boolean;
  /** Recipient domains the rule packs attribute to a provider (outlook.com → microsoft_consumer...). */
  providerDomains?: ReadonlyMap<string, string>;
  /** Called at scrape time for the gauges (kept out of the hot path). */
  stats?: () => Promise<ScrapeStats>;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** prom-client's gauges named `*_total` break the Prometheus naming rules (promtool check metrics). */
const LINT_BREAKING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

const EMPTY: ScrapeStats = { outbox: { pending: 0, oldestAgeSeconds: 0, dead: 0 }, recipients: {}, streamsEscalated: 0, domainsPaused: 0 };

export function createMetrics(opts: MetricsOptions) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  for (const name of LINT_BREAKING_DEFAULTS) registry.removeSingleMetric(name);
  const reg = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new client.Counter<L>({ name, help, labelNames, registers: reg });

  const messages = counter('bounce_triage_messages_received_total', 'Messages received by outcome: accepted, duplicate, quarantined, rejected (5xx), tempfailed (4xx).', ['result']);
  const kinds = counter('bounce_triage_messages_parsed_total', 'Received messages by kind: dsn, ndr, arf, autoreply, delivered (positive DSN), not_bounce.', ['kind']);
  const parseFailures = counter('bounce_triage_parse_failures_total', 'Messages with no bounce we could read, by why: empty, not_email, no_recipient, unknown_layout, parser_error.', ['why']);
  const bounces = counter('bounce_triage_bounces_total', 'Classified recipient records by provider, reason and side (who must act).', ['provider', 'reason', 'side']);
  const unclassified = counter('bounce_triage_unclassified_total', 'Failed records no rule recognised (fallback verdict), by provider: what rule packs should learn next.', ['provider']);
  const microsoft = counter('bounce_triage_microsoft_rejections_total', 'Failed recipient records rejected by Microsoft, by provider, recipient domain (capped), enhanced code (known codes, else other) and side.', ['provider', 'recipient_domain', 'enhanced_code', 'side']);
  const deliveries = counter('bounce_triage_deliveries_total', 'Successful deliveries (reported through the API or by positive DSNs), by provider and recipient domain (capped): the denominator of rejection rates.', ['provider', 'recipient_domain', 'source']);
  const folded = counter('bounce_triage_domain_label_folded_total', 'Recipient domains counted as "other" because the domain label cap was reached.');
  const transitions = counter('bounce_triage_recipient_transitions_total', 'Recipient state transitions.', ['from', 'to']);
  const escalations = counter('bounce_triage_stream_escalations_total', 'Streams moved to the escalate state.');
  const webhook = counter('bounce_triage_webhook_deliveries_total', 'Webhook delivery attempts by result: success, client_error, server_error, timeout, network_error, gone.', ['result']);
  const webhookDuration = new client.Histogram({
    name: 'bounce_triage_webhook_delivery_duration_seconds', registers: reg, help: 'Duration of webhook delivery attempts.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const processing = new client.Histogram({
    name: 'bounce_triage_processing_duration_seconds', registers: reg, help: 'Time from the end of DATA to the SMTP reply (parse, classify, decide, commit).',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });

  // One store query per scrape, shared by the gauges (prom-client collects them in parallel).
  let inflight: Promise<ScrapeStats> | undefined;
  const stats = () => {
    inflight ??= (opts.stats ? opts.stats() : Promise.resolve(EMPTY)).finally(() => { setImmediate(() => { inflight = undefined; }); });
    return inflight;
  };
  const gauge = (name: string, help: string, read: (s: ScrapeStats, g: client.Gauge) => void, labelNames: string[] = []) =>
    new client.Gauge({ name, help, labelNames, registers: reg, async collect() { read(await stats(), this); } });
  gauge('bounce_triage_outbox_pending', 'Webhook events waiting for delivery.', (s, g) => g.set(s.outbox.pending));
  gauge('bounce_triage_outbox_oldest_age_seconds', 'Age of the oldest undelivered webhook event.', (s, g) => g.set(s.outbox.oldestAgeSeconds));
  gauge('bounce_triage_outbox_dead', 'Webhook events given up after the last retry (dead letters).', (s, g) => g.set(s.outbox.dead));
  gauge('bounce_triage_recipients', 'Recipients with a stored state, by state (never-bounced addresses are active and not stored).', (s, g) => {
    for (const state of ['keep_testing', 'intermittent', 'pause', 'suppress', 'active']) g.set({ state }, s.recipients[state] ?? 0);
  }, ['state']);
  gauge('bounce_triage_streams_escalated', 'Streams currently escalated (open sender-side incidents).', (s, g) => g.set(s.streamsEscalated));
  gauge('bounce_triage_domains_paused', 'Recipient domains currently paused (a tenant refusing the sender).', (s, g) => g.set(s.domainsPaused));
  new client.Gauge({
    name: 'bounce_triage_build_info', registers: reg, labelNames: ['version', 'rules_version'] as const,
    help: 'Build information; value is always 1.',
  }).set({ version: opts.version, rules_version: opts.rulesVersion }, 1);

  const domains = new DomainCap(opts.domainTopN, new Set(opts.domainAllow.map(d => d.toLowerCase())), () => folded.inc(), opts.domainSeed ?? []);
  const known = opts.isKnownCode ?? (() => false);
  const code = (status: string) => (known(status) ? status : 'other');
  const providers = new ProviderMap(opts.providerDomains ?? new Map());
  return { registry, messages, kinds, parseFailures, bounces, unclassified, microsoft, deliveries, transitions, escalations, webhook, webhookDuration, processing, domains, code, providers };
}
