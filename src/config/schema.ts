// Every setting of bounce-triage, declared once: type, default, bounds and the one-line doc that
// config/default.yaml repeats (a test keeps the two identical). Environment variable names are
// derived from the path (see envName), e.g. smtp.port → BOUNCE_TRIAGE_SMTP_PORT.
import type { ConfigOf, SpecTree } from './spec.js';

const HOST = /^[A-Za-z0-9.:[\]-]+$/;
const DOMAIN = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const ADDRESS = /^[^\s@<>]+@[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
/** Standard Webhooks symmetric secret: `whsec_` + base64 of 24–64 random bytes. */
export const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

export const schema = {
  smtp: {
    host: { type: 'string', default: '127.0.0.1', pattern: HOST, doc: 'Address the SMTP listener binds to.' },
    port: { type: 'int', default: 2525, min: 0, max: 65535, doc: 'SMTP listener port (0 = pick a free port).' },
    hostname: { type: 'string', default: 'bounce-triage.localhost', doc: 'Name announced in the SMTP greeting.' },
    bounceDomains: { type: 'list', default: ['bounce.localhost'], pattern: DOMAIN, doc: 'RCPT TO is accepted for any local part at these domains (case-insensitive).' },
    bounceAddresses: { type: 'list', default: [], pattern: ADDRESS, doc: 'RCPT TO is also accepted for these exact addresses; everything else gets 550.' },
    maxMessageBytes: { type: 'int', default: 10 * 1024 * 1024, min: 1024, doc: 'Largest message accepted; bigger ones get 552.' },
    maxClients: { type: 'int', default: 200, min: 1, doc: 'Concurrent SMTP connections; more are refused with 421.' },
    socketTimeout: { type: 'duration', default: '60s', min: '1s', doc: 'Idle time after which a silent SMTP client is disconnected.' },
    shutdownGrace: { type: 'duration', default: '10s', doc: 'How long shutdown waits for in-flight messages before closing sessions with 421.' },
    tls: {
      enabled: { type: 'bool', default: false, doc: 'Offer STARTTLS (needs cert and key).' },
      cert: { type: 'string', default: '', doc: 'Path to the PEM certificate chain for STARTTLS.' },
      key: { type: 'string', default: '', doc: 'Path to the PEM private key for STARTTLS.' },
    },
  },
  http: {
    host: { type: 'string', default: '127.0.0.1', pattern: HOST, doc: 'Address the HTTP server (/metrics, /healthz, /readyz) binds to.' },
    port: { type: 'int', default: 9525, min: 0, max: 65535, doc: 'HTTP port (0 = pick a free port).' },
    apiTokens: { type: 'list', default: [], pattern: /^\S{16,}$/, secret: true, doc: 'Bearer tokens for the /v1 API (16+ characters); required when http.host is not a loopback address.' },
  },
  store: {
    driver: { type: 'string', default: 'sqlite', enum: ['sqlite'], doc: 'Storage engine (sqlite; postgres is planned for several replicas).' },
    sqlitePath: { type: 'string', default: './data/bounce-triage.sqlite', doc: 'SQLite database file (its directory is created if missing).' },
  },
  parse: {
    streamHeader: { type: 'string', default: 'X-Stream', pattern: /^[A-Za-z0-9-]+$/, doc: 'Header of the original message that names the sending stream.' },
  },
  stream: {
    sources: { type: 'list', default: ['header', 'feedback-id', 'list-id', 'from-domain'], pattern: /^(header|feedback-id|list-id|return-path|sending-ip|from-domain)$/, doc: 'Where the stream of a bounce is read, first match wins: header (parse.streamHeader), feedback-id, list-id, return-path, sending-ip, from-domain.' },
    returnPathPattern: { type: 'string', default: '^([^+=]+)', doc: 'For source return-path: regex on the local part of the address the bounce came back to; group 1 is the stream (VERP bounces+tag@ → "bounces").' },
  },
  rules: {
    files: { type: 'list', default: [], doc: 'Operator rule files, loaded before the shipped packs so they can override them.' },
  },
  policy: {
    policyRepeat: { type: 'int', default: 2, min: 2, doc: 'Recipient-side policy bounces (distinct messages) within policyWindow that pause a recipient.' },
    policyWindow: { type: 'duration', default: '30d', min: '1m', doc: 'Window in which repeated recipient-side policy bounces are counted.' },
    pauseFor: { type: 'duration', default: '30d', min: '1m', doc: 'First long hold of a paused recipient (admin-only fixes); each later long pause of the same address doubles it.' },
    pauseMax: { type: 'duration', default: '180d', min: '1m', doc: 'Longest hold a doubling pause can reach.' },
    shortPause: { type: 'duration', default: '1h', min: '1m', doc: 'Hold after a per-hour receive limit of the recipient (Microsoft 5.2.121/5.2.122, "receiving mail too quickly").' },
    successWindow: { type: 'duration', default: '30d', min: '1m', doc: 'A delivery within this window turns a dead-address bounce into intermittent instead of suppress.' },
    hardRepeat: { type: 'int', default: 2, min: 1, doc: 'Dead-address bounces (distinct messages) within successWindow that suppress an address with a recent delivery.' },
    softRepeat: { type: 'int', default: 5, min: 2, doc: 'Soft recipient bounces (mailbox full...) from distinct messages that suppress...' },
    softSpan: { type: 'duration', default: '7d', min: '1m', doc: '...when the first and the last are at least this far apart...' },
    softWindow: { type: 'duration', default: '30d', min: '1m', doc: '...and all fall inside this window.' },
    escalateDomains: { type: 'int', default: 3, min: 1, doc: 'Distinct Microsoft recipient domains rejecting one stream for sender-side reasons that escalate it.' },
    escalateDomainsStrong: { type: 'int', default: 1, min: 1, doc: 'The same, when the signal is unambiguous (a detail listed in strongDetails).' },
    strongDetails: { type: 'list', default: ['microsoft.banned_ip', 'microsoft.dmarc_reject'], doc: 'Verdict details that are unambiguous sender-side signals.' },
    escalateWindow: { type: 'duration', default: '24h', min: '1m', doc: 'Window in which those distinct domains are counted.' },
    recoverAfter: { type: 'duration', default: '24h', min: '1m', doc: 'An escalated stream recovers after this long without a sender-side Microsoft rejection.' },
    domainDetails: { type: 'list', default: ['microsoft.customer_blocklist', 'microsoft.domain_not_accepted', 'microsoft.mx_requires_auth'], doc: 'Verdict details meaning "this tenant refuses the sender for every address": pause the recipient domain.' },
    domainPause: { type: 'duration', default: '7d', min: '1m', doc: 'How long a recipient domain stays paused before it is retested.' },
    sweepInterval: { type: 'duration', default: '1m', min: '1s', doc: 'How often time-based transitions (retest due, stream recovered) are applied.' },
  },
  webhook: {
    url: { type: 'string', default: '', pattern: /^https?:\/\/\S+$/, doc: 'Where state changes are POSTed; empty = keep them in the outbox until a URL is set.' },
    secrets: { type: 'list', default: [], pattern: WEBHOOK_SECRET, secret: true, doc: 'Standard Webhooks signing secrets (whsec_...); several = rotation, all sign.' },
    timeout: { type: 'duration', default: '15s', min: '100ms', doc: 'Per-attempt HTTP timeout.' },
    batchSize: { type: 'int', default: 20, min: 1, max: 1000, doc: 'Outbox rows claimed per poll.' },
    pollInterval: { type: 'duration', default: '1s', min: '10ms', doc: 'How often the relay looks for due rows (it is also woken after each commit).' },
    lease: { type: 'duration', default: '60s', min: '1s', doc: 'How long a claimed row is hidden from other workers while it is being delivered.' },
    backoffBase: { type: 'duration', default: '5s', min: '1ms', doc: 'First retry delay; doubles per attempt, with jitter.' },
    backoffMax: { type: 'duration', default: '6h', min: '1ms', doc: 'Longest delay between two attempts.' },
    maxAttempts: { type: 'int', default: 20, min: 1, doc: 'Attempts before a row is dead-lettered (about 2 days of retries with the defaults).' },
    jitter: { type: 'number', default: 0.2, min: 0, max: 1, doc: 'Random spread applied to each retry delay (0.2 = ±20%).' },
  },
  metrics: {
    domainTopN: { type: 'int', default: 50, min: 0, max: 1000, doc: 'Recipient domains kept as their own metric label; the rest become "other".' },
    domainAllow: { type: 'list', default: [], pattern: DOMAIN, doc: 'Recipient domains always kept as their own label (they do not use up domainTopN slots).' },
  },
  log: {
    level: { type: 'string', default: 'info', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], doc: 'pino log level.' },
  },
} as const satisfies SpecTree;

export type Config = ConfigOf<typeof schema>;
