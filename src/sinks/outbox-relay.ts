// Delivers outbox rows to the webhook endpoint as Standard Webhooks requests. The retry
// schedule lives in the outbox rows themselves (attempts, next_attempt_at), not in memory, so
// a restart or a crash loses no event and resets no backoff. Delivery is at-least-once: a row
// POSTed successfully whose markDelivered then fails is sent again after its lease expires,
// with the same webhook-id, which is what consumers de-duplicate on.
// Delivery rules: reference/webhooks.md §A (2xx success, 3xx failure, 410 stop, Retry-After).
import type pino from 'pino';
import { AppError } from '../errors.js';
import type { OutboxRow } from '../domain/state.js';
import type { Store } from '../store/store.js';
import { parseWebhookSecrets, signWithKeys } from './webhook-sign.js';

export interface RelayOptions {
  url: string; secrets: string[]; timeoutMs: number; batchSize: number; pollIntervalMs: number; leaseMs: number;
  backoff: { baseMs: number; maxMs: number; maxAttempts: number; jitter: number /* 0..1 */ };
  userAgent?: string;
  /** Deliveries in flight at once within a batch (default 4): bounded so one slow endpoint
   *  cannot open batchSize sockets at once. */
  concurrency?: number;
}

export type DeliveryResult = 'success' | 'client_error' | 'server_error' | 'timeout' | 'network_error' | 'gone';

export interface RelayDeps {
  logger: pino.Logger;
  now?: () => Date;
  random?: () => number;
  onResult?: (r: DeliveryResult, durationSeconds: number) => void;
  fetch?: typeof fetch;
}

/** A receiver asking for more than this (Retry-After) is capped: the row must not stall for weeks. */
export const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/** Exponential backoff with ± jitter: min(maxMs, baseMs·2^attemptsBefore)·(1 ± jitter). */
export function backoffDelayMs(attemptsBefore: number, b: RelayOptions['backoff'], random: () => number): number {
  const exp = Math.min(b.maxMs, b.baseMs * 2 ** attemptsBefore);
  return Math.max(0, Math.round(exp * (1 + b.jitter * (2 * random() - 1))));
}

/** Retry-After as a delay in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

export function classifyStatus(status: number): DeliveryResult {
  if (status >= 200 && status < 300) return 'success';
  if (status === 410) return 'gone';
  if (status >= 500) return 'server_error';
  return 'client_error'; // includes 3xx: redirects are never followed (spec), and 429
}

interface Attempt { result: DeliveryResult; status?: number; retryAfterMs?: number; error: string }

export class OutboxRelay {
  private readonly keys: Buffer[];
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly fetch: typeof fetch;
  private readonly log: pino.Logger;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<number>>();
  private started = false;
  private stopping = false;
  private kicked = false;

  constructor(private readonly store: Store, private readonly opts: RelayOptions, private readonly deps: RelayDeps) {
    validate(opts);
    try {
      this.keys = parseWebhookSecrets(opts.secrets);
    } catch (err) {
      // The message names the problem, never the value (webhook-sign.ts).
      throw new AppError('CONFIG_INVALID', 'invalid webhook secrets', [(err as Error).message]);
    }
    this.now = deps.now ?? (() => new Date());
    this.random = deps.random ?? Math.random;
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.log = deps.logger;
    if (opts.leaseMs <= opts.timeoutMs) {
      // A lease shorter than a request lets another worker claim a row still being sent.
      this.log.warn({ leaseMs: opts.leaseMs, timeoutMs: opts.timeoutMs }, 'outbox lease is not longer than the webhook timeout');
    }
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.kick();
  }

  /** Wake the loop now (a commit just wrote outbox rows); coalesced while a pass is running. */
  kick(): void {
    if (!this.started) return;
    if (this.loop) { this.kicked = true; return; }
    this.schedule(0);
  }

  /**
   * Stop polling and wait for the requests already on the wire (at most one timeout). Rows of the
   * current batch not yet attempted are left leased and retried after `webhook.lease`: shutdown
   * must not take batchSize × timeout.
   */
  async stop(): Promise<void> {
    this.started = false;
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Claims the due rows and delivers them; resolves after every attempt has been recorded. */
  async runOnce(): Promise<number> {
    const pass = this.pass();
    this.inFlight.add(pass);
    try { return await pass; } finally { this.inFlight.delete(pass); }
  }

  private async pass(): Promise<number> {
    const rows = await this.store.claimOutbox(this.now(), this.opts.batchSize, this.opts.leaseMs);
    let next = 0;
    const worker = async () => {
      while (next < rows.length && !this.stopping) await this.deliver(rows[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 4, rows.length) }, worker));
    return rows.length;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref(); // the relay alone must never keep the process alive
  }

  private tick(): void {
    this.timer = undefined;
    this.loop = (async () => {
      let attempted = 0;
      try {
        attempted = await this.runOnce();
      } catch (err) {
        this.log.warn({ err: errorText(err) }, 'outbox pass failed; retrying at the next poll');
      }
      this.loop = undefined;
      if (!this.started) return;
      // A full batch means more rows may be due: continue at once instead of waiting a poll.
      const again = this.kicked || attempted >= this.opts.batchSize;
      this.kicked = false;
      this.schedule(again ? 0 : this.opts.pollIntervalMs);
    })();
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const attempt = row.attempts + 1;
    const sentAt = this.now();
    const t0 = performance.now();
    const outcome = await this.post(row, Math.floor(sentAt.getTime() / 1000));
    const durationSeconds = (performance.now() - t0) / 1000;
    const fields = {
      webhookId: row.webhookId, type: row.type, result: outcome.result, status: outcome.status,
      attempt, durationMs: Math.round(durationSeconds * 1000),
    };
    try {
      this.deps.onResult?.(outcome.result, durationSeconds);
      if (outcome.result === 'success') {
        await this.store.markDelivered(row.id, this.now());
        this.log.info(fields, 'webhook delivered');
        return;
      }
      const next = this.nextAttempt(outcome, row.attempts, attempt);
      await this.store.markFailed(row.id, outcome.error, next);
      if (next) this.log.warn({ ...fields, error: outcome.error, nextAttemptAt: next.toISOString() }, 'webhook delivery failed; will retry');
      else this.log.error({ ...fields, error: outcome.error }, 'webhook delivery abandoned (dead letter)');
    } catch (err) {
      // Never throws: one row's trouble must not abandon the rest of the batch. The row stays
      // leased and is retried when the lease expires.
      this.log.error({ ...fields, err: errorText(err) }, 'cannot record webhook delivery outcome');
    }
  }

  private nextAttempt(outcome: Attempt, attemptsBefore: number, attempt: number): Date | null {
    if (outcome.result === 'gone' || attempt >= this.opts.backoff.maxAttempts) return null;
    const backoff = backoffDelayMs(attemptsBefore, this.opts.backoff, this.random);
    const delay = Math.max(backoff, Math.min(outcome.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
    return new Date(this.now().getTime() + delay);
  }

  private async post(row: OutboxRow, timestampSec: number): Promise<Attempt> {
    try {
      const res = await this.fetch(this.opts.url, {
        method: 'POST',
        body: row.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': this.opts.userAgent ?? 'bounce-triage',
          'webhook-id': row.webhookId,
          'webhook-timestamp': String(timestampSec),
          'webhook-signature': signWithKeys(this.keys, row.webhookId, timestampSec, row.body),
        },
      });
      // We never read responses; cancelling frees the connection.
      await res.body?.cancel().catch(() => undefined);
      const result = classifyStatus(res.status);
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now());
      return { result, status: res.status, retryAfterMs, error: `HTTP ${res.status}` };
    } catch (err) {
      const timedOut = isTimeout(err);
      return {
        result: timedOut ? 'timeout' : 'network_error',
        error: timedOut ? `timeout after ${this.opts.timeoutMs} ms` : errorText(err),
      };
    }
  }
}

function isTimeout(err: unknown): boolean {
  const name = (e: unknown) => (e as { name?: unknown } | null)?.name;
  return name(err) === 'TimeoutError' || name((err as { cause?: unknown } | null)?.cause) === 'TimeoutError';
}

/** undici hides the useful part (ECONNREFUSED, ...) in `cause`. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: string; message?: string } | undefined;
  const extra = cause?.code ?? cause?.message;
  return extra ? `${err.message}: ${extra}` : err.message;
}

function validate(o: RelayOptions): void {
  const problems: string[] = [];
  if (!/^https?:\/\//i.test(o.url)) problems.push('url must be an http(s) URL');
  for (const k of ['timeoutMs', 'batchSize', 'pollIntervalMs', 'leaseMs'] as const) {
    if (!(o[k] > 0)) problems.push(`${k} must be positive`);
  }
  const b = o.backoff;
  if (!(b.baseMs > 0) || !(b.maxMs >= b.baseMs)) problems.push('backoff needs 0 < baseMs <= maxMs');
  if (!(b.maxAttempts >= 1)) problems.push('backoff.maxAttempts must be at least 1');
  if (!(b.jitter >= 0 && b.jitter <= 1)) problems.push('backoff.jitter must be within 0..1');
  if (o.concurrency !== undefined && !(o.concurrency >= 1)) problems.push('concurrency must be at least 1');
  if (problems.length > 0) throw new AppError('CONFIG_INVALID', 'invalid webhook relay options', problems);
}
