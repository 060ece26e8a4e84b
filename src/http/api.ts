// The /v1 HTTP API (documented in docs/openapi.json, which a test checks against this table):
// recipients' state, history and evidence; overrides; reported deliveries; raw DSNs through the
// same pipeline as SMTP; streams and domains. Bearer-token auth when tokens are configured; JSON
// errors with stable codes (src/errors.ts), mapped here at the edge.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyDeliveries, applyOverride, type ApplyDeps, type DeliveryInput, normaliseAddress } from '../apply.js';
import { AppError } from '../errors.js';
import { processMessage, type PipelineDeps } from '../pipeline.js';
import { renderEvidenceText } from '../policy/evidence.js';
import { effectiveState } from '../policy/recipient.js';
import type { Store } from '../store/store.js';
import { openApiDocument } from './openapi.js';

export interface ApiDeps {
  store: Store;
  apply: ApplyDeps;
  pipeline: PipelineDeps;
  tokens: readonly string[];
  maxMessageBytes: number;
}

type Handler = (req: IncomingMessage, params: string[], url: URL, deps: ApiDeps) => Promise<{ status: number; body: unknown; type?: string }>;
export interface Route { method: 'GET' | 'POST'; path: string; pattern: RegExp; handler: Handler; auth: boolean }

const route = (method: Route['method'], path: string, handler: Handler, auth = true): Route => ({
  method, path, handler, auth,
  pattern: new RegExp('^' + path.replace(/\{[^}]+\}/g, '([^/]+)') + '$'),
});

const MAX_JSON = 1024 * 1024;

export const ROUTES: readonly Route[] = [
  route('GET', '/v1/openapi.json', async () => ({ status: 200, body: openApiDocument() }), false),
  route('GET', '/v1/recipients', async (_r, _p, url, d) => ({ status: 200, body: await d.store.listRecipients(pageQuery(url)) })),
  route('GET', '/v1/recipients/{address}', async (_r, [address], url, d) => {
    const key = normaliseAddress(decodeURIComponent(address as string));
    const row = await d.store.getRecipient(key);
    if (!row) throw new AppError('NOT_FOUND', `no record of ${key}: it has never bounced (state active)`);
    const history = await d.store.recipientHistory(key, limitOf(url, 20));
    return { status: 200, body: { recipient: { ...row, effectiveState: effectiveState(row, d.apply.now()) }, ...history } };
  }),
  route('GET', '/v1/recipients/{address}/evidence', async (req, [address], _u, d) => {
    const key = normaliseAddress(decodeURIComponent(address as string));
    const { events } = await d.store.recipientHistory(key, 50);
    const latest = events.find(e => e.evidence && e.action === 'failed') ?? events.find(e => e.evidence);
    if (!latest?.evidence) throw new AppError('NOT_FOUND', `no evidence for ${key}`);
    const text = renderEvidenceText(latest.evidence);
    if (/text\/plain/.test(req.headers.accept ?? '')) return { status: 200, body: text + '\n', type: 'text/plain; charset=utf-8' };
    return { status: 200, body: { evidence: latest.evidence, text } };
  }),
  route('POST', '/v1/recipients/{address}/override', async (req, [address], _u, d) => {
    const body = await readJson(req) as { state?: unknown; why?: unknown; actor?: unknown; until?: unknown };
    const out = await applyOverride(d.apply, {
      address: decodeURIComponent(address as string), state: String(body.state ?? ''), why: String(body.why ?? ''),
      actor: String(body.actor ?? ''), ...(body.until === undefined ? {} : { until: String(body.until) }),
    });
    return { status: 200, body: { recipient: out.recipients[0], decision: out.recipientChanges[0]?.decision } };
  }),
  route('POST', '/v1/deliveries', async (req, _p, _u, d) => {
    const body = await readJson(req);
    const list = Array.isArray(body) ? body : (body as { deliveries?: unknown }).deliveries;
    if (!Array.isArray(list) || list.length === 0 || list.length > 10_000) throw new AppError('INVALID_REQUEST', 'expected a JSON array of 1 to 10000 deliveries {recipient, at?, stream?}');
    const out = await applyDeliveries(d.apply, list as DeliveryInput[]);
    return { status: 202, body: { accepted: list.length, transitions: out?.recipientChanges.length ?? 0 } };
  }),
  route('POST', '/v1/messages', async (req, _p, _u, d) => {
    const raw = await readBody(req, d.maxMessageBytes);
    if (raw.length === 0) throw new AppError('INVALID_REQUEST', 'empty body: POST the raw message (message/rfc822)');
    const r = await processMessage(d.pipeline, raw, { from: '', to: [], remoteAddress: req.socket.remoteAddress ?? null });
    return {
      status: r.outcome === 'accepted' ? 201 : 200,
      body: {
        outcome: r.outcome, messageId: r.messageId, kind: r.report.kind,
        records: r.items.map(({ record, verdict }) => ({ recipient: record.recipient, action: record.action, status: record.status, reason: verdict.reason, side: verdict.side, detail: verdict.detail ?? null, provider: verdict.provider, rule: verdict.rule })),
        transitions: r.policy ? [...r.policy.recipientChanges, ...r.policy.domainChanges, ...r.policy.streamChanges].map(c => c.decision) : [],
      },
    };
  }),
  route('GET', '/v1/streams', async (_r, _p, url, d) => ({ status: 200, body: await d.store.listStreams(pageQuery(url)) })),
  route('GET', '/v1/streams/{stream}', async (_r, [stream], url, d) => {
    const key = decodeURIComponent(stream as string);
    const row = await d.store.getStream(key);
    if (!row) throw new AppError('NOT_FOUND', `no record of stream ${key}`);
    return { status: 200, body: { stream: row, ...(await d.store.streamHistory(key, limitOf(url, 20))) } };
  }),
  route('GET', '/v1/domains', async (_r, _p, url, d) => ({ status: 200, body: await d.store.listDomains(pageQuery(url)) })),
];

/** Handles /v1 requests; returns false for paths it does not own. */
export async function handleApi(req: IncomingMessage, res: ServerResponse, deps: ApiDeps): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!url.pathname.startsWith('/v1/')) return false;
  const matches = ROUTES.filter(r => r.pattern.test(url.pathname));
  try {
    if (matches.length === 0) throw new AppError('NOT_FOUND', `no route ${url.pathname}`);
    const r = matches.find(m => m.method === req.method);
    if (!r) {
      res.setHeader('allow', matches.map(m => m.method).join(', '));
      return send(res, 405, error('METHOD_NOT_ALLOWED', `${req.method} not allowed on ${url.pathname}`)), true;
    }
    if (r.auth && !authorized(req, deps.tokens)) {
      res.setHeader('www-authenticate', 'Bearer');
      throw new AppError('UNAUTHORIZED', 'missing or wrong bearer token');
    }
    const out = await r.handler(req, (r.pattern.exec(url.pathname) as RegExpExecArray).slice(1), url, deps);
    send(res, out.status, out.body, out.type);
  } catch (err) {
    const [status, body] = toHttpError(err);
    if (status >= 500) deps.apply.logger.error({ err, url: url.pathname }, 'API request failed');
    send(res, status, body);
  }
  return true;
}

function authorized(req: IncomingMessage, tokens: readonly string[]): boolean {
  if (tokens.length === 0) return true;
  const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));
  return tokens.some(t => {
    const want = Buffer.from(t);
    return want.length === given.length && timingSafeEqual(want, given);
  });
}

const STATUS: Record<string, number> = {
  INVALID_REQUEST: 400, UNAUTHORIZED: 401, NOT_FOUND: 404, MESSAGE_TOO_LARGE: 413, STORE_UNAVAILABLE: 503,
};

function toHttpError(err: unknown): [number, unknown] {
  if (err instanceof AppError && STATUS[err.code]) return [STATUS[err.code] as number, error(err.code, err.message, err.details)];
  return [500, error('INTERNAL', 'internal error')];
}

function error(code: string, message: string, details: string[] = []) {
  return { error: { code, message, ...(details.length ? { details } : {}) } };
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function pageQuery(url: URL): { state?: string; limit: number; cursor?: string } {
  const state = url.searchParams.get('state') ?? undefined;
  const cursor = url.searchParams.get('cursor') ?? undefined;
  return { ...(state ? { state } : {}), ...(cursor ? { cursor } : {}), limit: limitOf(url, 50) };
}

function limitOf(url: URL, fallback: number): number {
  const raw = url.searchParams.get('limit');
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new AppError('INVALID_REQUEST', 'limit: an integer from 1 to 500');
  return n;
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new AppError('MESSAGE_TOO_LARGE', `body larger than ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req, MAX_JSON);
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new AppError('INVALID_REQUEST', 'the body is not valid JSON');
  }
}
