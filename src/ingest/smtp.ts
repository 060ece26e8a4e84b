// The SMTP listener the MTA's return-path points at (smtp-server). The SMTP conversation is the
// transaction: 250 only after the message's effects are committed, 451 when the store fails (the
// MTA keeps the bounce and retries), 5xx only for mail that must never be retried (not addressed
// to a bounce address we serve, too large), 421 to sessions still open at shutdown.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import type { Config } from '../config/schema.js';
import { AppError, smtpReplyFor } from '../errors.js';
import type { Envelope } from '../pipeline.js';
import type { Metrics } from '../sinks/metrics.js';

export interface SmtpIngestDeps {
  logger: Logger;
  metrics?: Metrics;
  /** Parse, classify, decide, commit; resolves once committed. */
  handle: (raw: Buffer, envelope: Envelope) => Promise<{ outcome: string; messageId: number }>;
}

export interface SmtpIngest {
  listen(): Promise<AddressInfo>;
  /** Stop accepting; open sessions get 421 after the grace period; resolves when closed. */
  close(): Promise<void>;
  readonly listening: boolean;
}

type SmtpError = Error & { responseCode?: number };

export function createSmtpIngest(cfg: Config['smtp'], deps: SmtpIngestDeps): SmtpIngest {
  const domains = new Set(cfg.bounceDomains.map(d => d.toLowerCase()));
  const addresses = new Set(cfg.bounceAddresses.map(a => a.toLowerCase()));
  let listening = false;
  let closing = false;

  const options: SMTPServerOptions = {
    name: cfg.hostname,
    banner: 'bounce-triage: bounce processor',
    size: cfg.maxMessageBytes,
    maxClients: cfg.maxClients,
    socketTimeout: cfg.socketTimeout,
    closeTimeout: cfg.shutdownGrace,
    // DSNs arrive from MTAs with a null sender; no AUTH is needed to hand us a bounce, and we
    // never relay, so offering AUTH would only invite credential stuffing.
    authOptional: true,
    disabledCommands: cfg.tls.enabled ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(cfg.tls.enabled ? { key: readFileSync(cfg.tls.key), cert: readFileSync(cfg.tls.cert) } : {}),
    logger: false,
    onRcptTo(address, _session, callback) {
      const rcpt = address.address.toLowerCase();
      const domain = rcpt.slice(rcpt.lastIndexOf('@') + 1);
      if (addresses.has(rcpt) || domains.has(domain)) return callback();
      deps.metrics?.messages.inc({ result: 'rejected' });
      deps.logger.info({ rcpt: address.address }, 'RCPT refused: not a bounce address served here');
      return callback(smtpError(new AppError('RECIPIENT_NOT_SERVED', 'not served')));
    },
    onData(stream, session, callback) {
      void receive(stream, session).then(
        msg => callback(null, msg),
        (err: unknown) => callback(smtpError(err)),
      );
    },
  };

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (stream.sizeExceeded) {
      deps.metrics?.messages.inc({ result: 'rejected' });
      throw new AppError('MESSAGE_TOO_LARGE', 'too large');
    }
    const raw = Buffer.concat(chunks);
    const envelope: Envelope = {
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      to: session.envelope.rcptTo.map(r => r.address),
      remoteAddress: session.remoteAddress ?? null,
    };
    const end = deps.metrics?.processing.startTimer();
    try {
      const r = await deps.handle(raw, envelope);
      return `OK ${r.outcome} id=${r.messageId}`;
    } catch (err) {
      deps.metrics?.messages.inc({ result: 'tempfailed' });
      deps.logger.error({ err, size: raw.length }, 'message not committed; answering 451 so the MTA retries');
      throw err;
    } finally {
      end?.();
    }
  }

  const server = new SMTPServer(options);
  server.on('error', err => deps.logger.warn({ err }, 'SMTP connection error'));

  return {
    get listening() { return listening && !closing; },
    listen: () => new Promise((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(cfg.port, cfg.host, () => {
        server.server.off('error', reject);
        listening = true;
        resolve(server.server.address() as AddressInfo);
      });
    }),
    close: () => new Promise(resolve => {
      if (!listening || closing) return resolve();
      closing = true;
      server.close(() => { listening = false; resolve(); });
    }),
  };
}

function smtpError(err: unknown): SmtpError {
  const reply = smtpReplyFor(err);
  const e: SmtpError = new Error(reply.message);
  e.responseCode = reply.code;
  return e;
}
