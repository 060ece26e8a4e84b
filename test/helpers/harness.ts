// Real parts for end-to-end tests: a daemon on ephemeral ports with a temporary SQLite file, a
// real HTTP server standing in for the webhook consumer, and a real SMTP client (nodemailer's
// SMTP connection, one connection reused for many messages as an MTA would).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import pino from 'pino';
import type { Test } from 'tap';
import { loadConfig } from '../../src/config/load.js';
import { type Daemon, startDaemon } from '../../src/daemon.js';
import { REDACT_PATHS } from '../../src/log.js';

export const SECRET = 'whsec_' + Buffer.from('bounce-triage-test-secret-0123456789').toString('base64');

export interface Received { headers: IncomingHttpHeaders; body: string; at: number }

export class WebhookReceiver {
  readonly requests: Received[] = [];
  /** Status codes to answer, in order; 200 once exhausted. */
  script: number[] = [];
  private server: Server | undefined;
  private waiters: Array<() => void> = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c as Buffer));
      req.on('end', () => {
        this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        res.writeHead(this.script.shift() ?? 200).end();
        for (const w of this.waiters.splice(0)) w();
      });
    });
    await new Promise<void>(r => this.server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/bounces`;
  }

  /** Resolves once at least n requests arrived (rejects after timeoutMs, so a bug fails, not hangs). */
  async waitFor(n: number, timeoutMs = 10_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} webhook requests, got ${this.requests.length}`);
      await new Promise<void>(r => { this.waiters.push(r); setTimeout(r, 50); });
    }
    return this.requests.slice(0, n);
  }

  async stop(): Promise<void> {
    await new Promise<void>(r => { this.server?.close(() => r()); this.server?.closeAllConnections(); });
  }
}

export interface Harness {
  daemon: Daemon;
  receiver: WebhookReceiver;
  logs: Array<Record<string, unknown>>;
  dir: string;
  stop(): Promise<void>;
}

export async function startHarness(dir: string, overrides: Record<string, unknown> = {}): Promise<Harness> {
  const receiver = new WebhookReceiver();
  const url = await receiver.start();
  const config = loadConfig({
    overrides: {
      'smtp.port': 0, 'http.port': 0, 'store.sqlitePath': join(dir, 'bt.sqlite'),
      'webhook.url': url, 'webhook.secrets': [SECRET], 'webhook.pollInterval': 50, 'webhook.backoffBase': 20,
      'smtp.shutdownGrace': 200, ...overrides,
    },
  });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const logger = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  const daemon = await startDaemon({ config, logger });
  return {
    daemon, receiver, logs, dir,
    async stop() {
      await daemon.stop();
      await receiver.stop();
    },
  };
}

/** One SMTP connection to the daemon, reused for several messages. */
export class SmtpClient {
  protected conn: SMTPConnection;
  constructor(port: number) {
    this.conn = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, connectionTimeout: 5000, socketTimeout: 10_000 });
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.conn.once('error', reject);
      this.conn.connect(() => { this.conn.off('error', reject); resolve(); });
    });
  }

  /** Sends one message; resolves with the final reply (e.g. `250 ...`) or the error's reply. */
  send(raw: Buffer, to: string[] = ['bounces@bounce.localhost'], from = ''): Promise<{ code: number; response: string }> {
    return new Promise(resolve => {
      this.conn.send({ from, to }, raw, (err, info) => {
        if (err) {
          const e = err as Error & { responseCode?: number; response?: string };
          resolve({ code: e.responseCode ?? 0, response: e.response ?? e.message });
          this.conn.reset(() => undefined);
        } else {
          resolve({ code: Number(info.response.slice(0, 3)), response: info.response });
        }
      });
    });
  }

  quit(): void {
    this.conn.quit();
  }
}

/** A daemon plus one connected SMTP client, both torn down with the test. */
export async function withDaemon(t: Test, overrides: Record<string, unknown> = {}, dir = t.testdir({})): Promise<{
  h: Harness; smtp: SmtpClient; metrics: () => Promise<string>;
}> {
  const h = await startHarness(dir, overrides);
  t.teardown(() => h.stop());
  const smtp = new SmtpClient(h.daemon.smtp.port);
  await smtp.connect();
  t.teardown(() => smtp.quit());
  const metrics = async () => (await fetch(`http://127.0.0.1:${h.daemon.http.port}/metrics`)).text();
  return { h, smtp, metrics };
}
