// Benchmark: DSNs over SMTP into the daemon (parse, classify, decide, commit to SQLite with
// synchronous=FULL, 250) against a baseline measured in the same run: a bare smtp-server that
// reads the message and answers 250 without doing anything. Connections are reused, as an MTA
// would (smtp-server delays each greeting by 100 ms). Client and server share this process, so
// both sides carry the same client cost; the ratio is the figure to compare across machines.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config/load.js';
import { startDaemon } from '../src/daemon.js';

async function drive(port: number, messages: Buffer[], connections: number): Promise<{ seconds: number; latencies: number[]; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const worker = async () => {
    const conn = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true });
    await new Promise<void>((res, rej) => { conn.once('error', rej); conn.connect(() => res()); });
    while (next < messages.length) {
      const raw = messages[next++] as Buffer;
      const t0 = process.hrtime.bigint();
      await new Promise<void>(res => conn.send({ from: '', to: ['bounces@bounce.localhost'] }, raw, err => {
        if (err) failures += 1;
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        res();
      }));
    }
    conn.quit();
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: connections }, worker));
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, latencies, failures };
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return Number((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0).toFixed(2));
}

export async function benchSmtp(corpus: Buffer[], total = 3000, connections = 8): Promise<Record<string, unknown>> {
  // Unique bytes per message: identical DSNs would take the (cheaper) duplicate path.
  const messages = Array.from({ length: total }, (_, i) => Buffer.concat([Buffer.from(`X-Bench-Seq: ${i}\r\n`), corpus[i % corpus.length] as Buffer]));

  const sink = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false,
    onData(stream, _s, cb) { stream.on('data', () => undefined); stream.on('end', () => cb(null, 'OK')); },
  });
  await new Promise<void>(r => sink.listen(0, '127.0.0.1', () => r()));
  const base = await drive((sink.server.address() as AddressInfo).port, messages, connections);
  await new Promise<void>(r => sink.close(() => r()));

  const dir = mkdtempSync(join(tmpdir(), 'bt-bench-'));
  const config = loadConfig({ overrides: { 'smtp.port': 0, 'http.port': 0, 'store.sqlitePath': join(dir, 'bench.sqlite'), 'smtp.shutdownGrace': 100 } });
  const daemon = await startDaemon({ config, logger: pino({ level: 'silent' }) });
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const ours = await drive(daemon.smtp.port, messages, connections);
  clearInterval(sampler);
  await daemon.stop();
  rmSync(dir, { recursive: true, force: true });

  return {
    messages: total,
    connections,
    'daemon msg/s': Math.round(total / ours.seconds),
    'daemon latency p50 ms': pct(ours.latencies, 50),
    'daemon latency p99 ms': pct(ours.latencies, 99),
    'daemon failures': ours.failures,
    'baseline (bare smtp-server) msg/s': Math.round(total / base.seconds),
    'baseline latency p50 ms': pct(base.latencies, 50),
    'ratio daemon/baseline (throughput)': Number((base.seconds / ours.seconds).toFixed(2)),
    'RSS before MB': Math.round(rss0 / 1048576),
    'RSS peak MB': Math.round(peak / 1048576),
  };
}
