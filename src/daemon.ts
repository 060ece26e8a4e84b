// Composition root: config → logger → rules → store → metrics → relay → pipeline → SMTP + HTTP,
// wired explicitly in this order (DESIGN.md: no autoloading). Shutdown runs in reverse: stop
// taking mail (421 to open sessions after the grace period), finish in-flight commits, stop the
// relay, close HTTP and the store, flush logs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { type ApplyDeps, runSweep } from './apply.js';
import { loadRuleSet, type RuleSet, shippedRuleFiles } from './classify/index.js';
import type { Config } from './config/schema.js';
import { createHttpServer } from './http/server.js';
import { createSmtpIngest } from './ingest/smtp.js';
import { createLogger } from './log.js';
import { packageVersion } from './package-root.js';
import { processMessage, type PipelineDeps } from './pipeline.js';
import type { PolicyConfig } from './policy/index.js';
import { knownCodes, providerDomains } from './sinks/metric-labels.js';
import { createMetrics, type Metrics } from './sinks/metrics.js';
import { OutboxRelay } from './sinks/outbox-relay.js';
import { openSqliteStore } from './store/sqlite.js';
import type { StreamOptions } from './stream-id.js';
import type { Store } from './store/store.js';

export interface DaemonOptions {
  config: Config;
  logger?: Logger;
  /** Injected clock (tests); defaults to the wall clock. */
  now?: () => Date;
}

export interface Daemon {
  readonly smtp: AddressInfo;
  readonly http: AddressInfo;
  readonly store: Store;
  readonly metrics: Metrics;
  readonly relay: OutboxRelay | undefined;
  stop(): Promise<void>;
}

export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger(config.log.level);
  const now = opts.now ?? (() => new Date());

  const ruleFiles = [...config.rules.files, ...shippedRuleFiles()];
  const rules: RuleSet = loadRuleSet(ruleFiles);
  const store = openSqliteStore({ path: config.store.sqlitePath });
  await store.init();

  const metrics = createMetrics({
    version: packageVersion(), rulesVersion: rulesVersion(ruleFiles),
    domainTopN: config.metrics.domainTopN, domainAllow: config.metrics.domainAllow,
    // The busiest domains of the last 30 days keep their label across restarts.
    domainSeed: await store.topDomains(config.metrics.domainTopN, new Date(now().getTime() - 30 * 86_400_000)),
    isKnownCode: knownCodes(rules, 'microsoft'), providerDomains: providerDomains(rules),
    stats: async () => ({ outbox: await store.outboxStats(now()), ...(await store.counts()) }),
  });

  let relay: OutboxRelay | undefined;
  if (config.webhook.url !== '') {
    const w = config.webhook;
    relay = new OutboxRelay(store, {
      url: w.url, secrets: w.secrets, timeoutMs: w.timeout, batchSize: w.batchSize, pollIntervalMs: w.pollInterval,
      leaseMs: w.lease, backoff: { baseMs: w.backoffBase, maxMs: w.backoffMax, maxAttempts: w.maxAttempts, jitter: w.jitter },
      userAgent: `bounce-triage/${packageVersion()}`,
    }, {
      logger: logger.child({ component: 'webhook' }), now,
      onResult: (result, seconds) => {
        metrics.webhook.inc({ result });
        metrics.webhookDuration.observe(seconds);
      },
    });
  } else {
    logger.warn('webhook.url is empty: state changes are kept in the outbox until a URL is configured');
  }

  const pipeline: PipelineDeps = {
    store, rules, policy: policyConfig(config), parse: { streamHeader: config.parse.streamHeader }, stream: streamOptions(config),
    now, logger, metrics, onOutbox: () => relay?.kick(),
  };
  const smtp = createSmtpIngest(config.smtp, {
    logger: logger.child({ component: 'smtp' }), metrics,
    handle: (raw, envelope) => processMessage(pipeline, raw, envelope),
  });
  const apply: ApplyDeps = { store, policy: pipeline.policy, now, logger: logger.child({ component: 'policy' }), metrics, onOutbox: pipeline.onOutbox };
  const http = createHttpServer({
    logger: logger.child({ component: 'http' }), registry: metrics.registry,
    ready: { store: () => store.ping(), smtp: () => smtp.listening },
    api: { store, apply, pipeline, tokens: config.http.apiTokens, maxMessageBytes: config.smtp.maxMessageBytes },
  });
  const sweeper = startSweeper(apply, config.policy.sweepInterval);

  let smtpAddr: AddressInfo;
  let httpAddr: AddressInfo;
  try {
    smtpAddr = await smtp.listen();
    httpAddr = await http.listen(config.http.port, config.http.host);
  } catch (err) {
    sweeper.stop();
    await smtp.close();
    await store.close();
    throw err;
  }
  relay?.start();
  logger.info({ smtp: `${smtpAddr.address}:${smtpAddr.port}`, http: `${httpAddr.address}:${httpAddr.port}`, store: config.store.sqlitePath, rules: ruleFiles.length }, 'bounce-triage started');

  let stopping: Promise<void> | undefined;
  return {
    smtp: smtpAddr, http: httpAddr, store, metrics, relay,
    stop: () => (stopping ??= (async () => {
      logger.info('shutting down: refusing new SMTP commands, finishing in-flight messages');
      await smtp.close();
      await sweeper.stop();
      await relay?.stop();
      await http.close();
      await store.close();
      logger.info('bounce-triage stopped');
      logger.flush?.();
    })()),
  };
}

export function streamOptions(config: Config): StreamOptions {
  return { sources: config.stream.sources, returnPath: new RegExp(config.stream.returnPathPattern) };
}

/** Applies due time-based transitions every `intervalMs`; never two runs at once. */
function startSweeper(apply: ApplyDeps, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= runSweep(apply).catch(err => apply.logger.error({ err }, 'sweep failed; retrying next interval')).finally(() => { running = undefined; });
  }, intervalMs);
  timer.unref();
  return { stop: async () => { clearInterval(timer); await running; } };
}

export function policyConfig(config: Config): PolicyConfig {
  const p = config.policy;
  return {
    policyRepeat: p.policyRepeat, policyWindowMs: p.policyWindow, pauseForMs: p.pauseFor, pauseMaxMs: p.pauseMax,
    shortPauseMs: p.shortPause, successWindowMs: p.successWindow, hardRepeat: p.hardRepeat,
    softRepeat: p.softRepeat, softSpanMs: p.softSpan, softWindowMs: p.softWindow,
    escalateDomains: p.escalateDomains, escalateDomainsStrong: p.escalateDomainsStrong, strongDetails: p.strongDetails,
    escalateWindowMs: p.escalateWindow, recoverAfterMs: p.recoverAfter,
    domainDetails: p.domainDetails, domainPauseMs: p.domainPause,
  };
}

/** A short content hash of the loaded rule files: exported as build info, logged with verdicts. */
function rulesVersion(files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 12);
}
