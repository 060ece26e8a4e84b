// A fake Microsoft receiving side on loopback, for the real-Postfix end-to-end test: SMTP servers
// (smtp-server) that refuse mail the way Exchange Online and Outlook.com do, with reply strings
// from ../shared/reference/samples.jsonl. Each "host" is one listener with a fixed behaviour, so
// the stage of the refusal (MAIL FROM, RCPT TO, end of DATA) is what a real Postfix records in its
// DSN ("(in reply to ... command)"):
//
//   m365      Exchange Online tenants: RCPT TO refused per recipient domain —
//             contoso.com  550 5.7.1 ... you do not have permissions to send to this address (group restriction)
//             fabrikam.com 550 5.4.1 Recipient address rejected: Access denied (DBEB: no such user)
//   blocklist Outlook.com with the sending IP on its block list: MAIL FROM refused (S3150)
//   consumer  Outlook.com accepting the IP but
//             live.com     451 4.7.650 ... rate limited due to IP reputation at RCPT TO (a 4xx: Postfix retries)
//             anything else: 550 5.7.509 DMARC reject after DATA, naming the From: domain
//
// Every session is recorded (`sessions`) so a test can say what the fake saw.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

export type FakeHostKind = 'm365' | 'blocklist' | 'consumer';

export interface FakeSession {
  host: FakeHostKind;
  remoteAddress: string;
  mailFrom?: string;
  rcptTo: string[];
  /** `${code} ${text}` of every refusal this session answered. */
  refused: string[];
}

type SmtpError = Error & { responseCode: number };

function refuse(code: number, text: string): SmtpError {
  const e = new Error(text) as SmtpError;
  e.responseCode = code;
  return e;
}

/** `[SERVER 2026-11-26T12:00:00.000Z ID]`, the trace tag Microsoft appends to its replies. */
function trace(server: string): string {
  return `[${server} ${new Date().toISOString()} 08DE1234ABCD5678]`;
}

const domainOf = (addr: string) => addr.slice(addr.lastIndexOf('@') + 1).toLowerCase();

/** The replies, keyed by what they mean. Text after the code is Microsoft's (samples.jsonl). */
export const REPLIES = {
  permission: () => refuse(550, `5.7.1 RESOLVER.RST.NotAuthorized; not authorized; you do not have permissions to send to this address ${trace('AM6PR04MB1234.eurprd04.prod.outlook.com')}`),
  dbeb: () => refuse(550, `5.4.1 Recipient address rejected: Access denied. ${trace('CY4PEPF0000EE3C.namprd03.prod.outlook.com')}`),
  s3150: (ip: string) => refuse(550, `5.7.1 Unfortunately, messages from [${ip}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [DB3EUR04FT007.eop-eur04.prod.protection.outlook.com]`),
  ipReputation: (ip: string) => refuse(451, `4.7.650 The mail server [${ip}] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S3113) ${trace('5NY1SSJFSTZJRJBG.eurprd02.prod.outlook.com')}`),
  dmarc: (fromDomain: string) => refuse(550, `5.7.509 Access denied, sending domain [${fromDomain.toUpperCase()}] does not pass DMARC verification and has a DMARC policy of reject. ${trace('7FQL1BDY0XZ5XGTW.JPNP222.PROD.OUTLOOK.COM')}`),
} as const;

export interface FakeMicrosoft {
  /** Listening port of each host kind (all on 127.0.0.1). */
  ports: Record<FakeHostKind, number>;
  sessions: FakeSession[];
  close(): Promise<void>;
}

/** The From: header's domain, read from the head of the message. */
function fromDomain(raw: string): string {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const from = /^From:[^\n]*?([^\s<@]+@([^\s>]+))/im.exec(head);
  return from?.[2]?.toLowerCase() ?? 'unknown.invalid';
}

export async function startFakeMicrosoft(): Promise<FakeMicrosoft> {
  const sessions: FakeSession[] = [];
  const servers: SMTPServer[] = [];
  const ports = {} as Record<FakeHostKind, number>;

  const record = (kind: FakeHostKind, s: SMTPServerSession): FakeSession => {
    const known = (s as SMTPServerSession & { fake?: FakeSession }).fake;
    if (known) return known;
    const fresh: FakeSession = { host: kind, remoteAddress: s.remoteAddress, rcptTo: [], refused: [] };
    (s as SMTPServerSession & { fake?: FakeSession }).fake = fresh;
    sessions.push(fresh);
    return fresh;
  };
  const answer = (rec: FakeSession, cb: (err?: Error | null) => void, err?: SmtpError) => {
    if (err) rec.refused.push(`${err.responseCode} ${err.message}`);
    cb(err ?? null);
  };

  for (const kind of ['m365', 'blocklist', 'consumer'] as const) {
    const server = new SMTPServer({
      name: kind === 'm365' ? 'AM6PR04MB1234.eurprd04.prod.outlook.com' : 'DB3EUR04FT007.eop-eur04.prod.protection.outlook.com',
      banner: 'Microsoft ESMTP MAIL Service ready',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      closeTimeout: 500,
      onMailFrom(address: SMTPServerAddress, session, cb) {
        const rec = record(kind, session);
        rec.mailFrom = address.address;
        answer(rec, cb, kind === 'blocklist' ? REPLIES.s3150(session.remoteAddress) : undefined);
      },
      onRcptTo(address: SMTPServerAddress, session, cb) {
        const rec = record(kind, session);
        rec.rcptTo.push(address.address);
        const domain = domainOf(address.address);
        let err: SmtpError | undefined;
        if (kind === 'm365' && domain === 'contoso.com') err = REPLIES.permission();
        else if (kind === 'm365' && domain === 'fabrikam.com') err = REPLIES.dbeb();
        else if (kind === 'consumer' && domain === 'live.com') err = REPLIES.ipReputation(session.remoteAddress);
        answer(rec, cb, err);
      },
      onData(stream, session, cb) {
        const rec = record(kind, session);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          answer(rec, cb, kind === 'consumer' ? REPLIES.dmarc(fromDomain(raw)) : undefined);
        });
      },
    });
    server.on('error', () => undefined); // a client hanging up mid-session is not the test's business
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(0, '127.0.0.1', () => { server.server.off('error', reject); resolve(); });
    });
    ports[kind] = (server.server.address() as AddressInfo).port;
    servers.push(server);
  }

  return {
    ports, sessions,
    close: () => Promise.all(servers.map(s => new Promise<void>(r => s.close(() => r())))).then(() => undefined),
  };
}
