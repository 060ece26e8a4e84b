// The /v1 API against a real daemon: every route is documented in docs/openapi.json (and every
// documented route exists), every JSON response validates against its documented schema, auth,
// stable error codes, pagination, overrides, deliveries and raw DSN submission.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import t, { type Test } from 'tap';
import { ROUTES } from '../../src/http/api.js';
import { makeDsn } from '../helpers/dsn.js';
import { withDaemon } from '../helpers/harness.js';

const TOKEN = 'test-token-0123456789abcdef';
const OPENAPI = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
};
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(OPENAPI, 'openapi');

const PERMISSION = '550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized; you do not have permissions to send to this address';
const MX = 'contoso-com.mail.protection.outlook.com';

/** Calls the API and checks the JSON response against the documented schema of (path, method, status). */
async function call(t: Test, base: string, method: string, path: string, doc: string, opts: { body?: unknown; raw?: Buffer; token?: string | null; accept?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.raw) headers['content-type'] = 'message/rfc822';
  if (opts.accept) headers.accept = opts.accept;
  const res = await fetch(base + path, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const body: unknown = type.startsWith('application/json') ? JSON.parse(text) : text;
  const documented = OPENAPI.paths[doc]?.[method.toLowerCase()]?.responses[String(res.status)];
  t.ok(documented, `${method} ${doc} → ${res.status} is documented`);
  const schema = documented?.content?.[type.split(';')[0] as string]?.schema as { $ref?: string } | undefined;
  if (schema?.$ref) {
    const validate = ajv.getSchema('openapi' + schema.$ref) ?? ajv.compile(schema);
    t.ok(validate(body), `${method} ${path} ${res.status} matches ${schema.$ref} ${JSON.stringify(validate.errors ?? [])}`);
  }
  return { status: res.status, body: body as Record<string, any>, headers: res.headers };
}

t.test('every route is documented in docs/openapi.json, and every documented route exists', async t => {
  const implemented = ROUTES.map(r => `${r.method} ${r.path}`).sort();
  const documented = Object.entries(OPENAPI.paths).flatMap(([p, ops]) => Object.keys(ops).map(m => `${m.toUpperCase()} ${p}`)).sort();
  t.same(implemented, documented);
});

t.test('the API end to end: auth, submit, state, evidence, lists, override, deliveries, errors', async t => {
  const { h } = await withDaemon(t, { 'http.apiTokens': [TOKEN] });
  const base = `http://127.0.0.1:${h.daemon.http.port}`;

  t.equal((await call(t, base, 'GET', '/v1/openapi.json', '/v1/openapi.json', { token: null })).status, 200, 'the contract is public');
  const anon = await call(t, base, 'GET', '/v1/recipients', '/v1/recipients', { token: null });
  t.match(anon, { status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
  t.equal((await call(t, base, 'GET', '/v1/recipients', '/v1/recipients', { token: 'wrong-token-0123456789abcdef' })).status, 401);

  const first = await call(t, base, 'POST', '/v1/messages', '/v1/messages', { raw: makeDsn({ id: 'H1', stream: 'news', recipients: [{ recipient: 'alice@contoso.com', reply: PERMISSION, remoteMta: MX }] }) });
  t.match(first, { status: 201, body: { outcome: 'accepted', kind: 'dsn', records: [{ recipient: 'alice@contoso.com', side: 'recipient_admin' }], transitions: [{ to: 'keep_testing' }] } });
  const second = await call(t, base, 'POST', '/v1/messages', '/v1/messages', { raw: makeDsn({ id: 'H2', stream: 'news', recipients: [{ recipient: 'alice@contoso.com', reply: PERMISSION, remoteMta: MX }] }) });
  t.match(second.body, { transitions: [{ from: 'keep_testing', to: 'pause', policyRule: 'policy/recipient-policy-repeat' }] });
  const again = await call(t, base, 'POST', '/v1/messages', '/v1/messages', { raw: makeDsn({ id: 'H2', stream: 'news', recipients: [{ recipient: 'alice@contoso.com', reply: PERMISSION, remoteMta: MX }] }) });
  t.match(again, { status: 200, body: { outcome: 'duplicate' } });

  const detail = await call(t, base, 'GET', '/v1/recipients/alice%40contoso.com', '/v1/recipients/{address}');
  t.match(detail.body, { recipient: { state: 'pause', effectiveState: 'pause', pauseCount: 1 }, decisions: [{ to: 'pause', inputs: { policyBounces: 2 } }, { to: 'keep_testing' }] });
  t.equal(detail.body.events.length, 2);
  t.match(detail.body.events[0].evidence, { recipient: 'alice@contoso.com', remoteHost: MX, enhancedCode: '5.7.1', request: /Microsoft 365 administrator of contoso\.com/ });

  const ev = await call(t, base, 'GET', '/v1/recipients/alice%40contoso.com/evidence', '/v1/recipients/{address}/evidence');
  t.match(ev.body, { evidence: { messageId: '<orig-H2@sender.example>' }, text: /Recipient: +alice@contoso\.com/ });
  const plain = await call(t, base, 'GET', '/v1/recipients/alice%40contoso.com/evidence', '/v1/recipients/{address}/evidence', { accept: 'text/plain' });
  t.match(plain.body, /SMTP response: +550 5\.7\.1/);

  const paused = await call(t, base, 'GET', '/v1/recipients?state=pause', '/v1/recipients');
  t.same(paused.body.items.map((r: { address: string }) => r.address), ['alice@contoso.com']);

  const override = await call(t, base, 'POST', '/v1/recipients/alice%40contoso.com/override', '/v1/recipients/{address}/override', { body: { state: 'active', actor: 'ops-alice', why: 'the group now accepts external senders' } });
  t.match(override.body, { recipient: { state: 'active', policyRule: 'policy/override' }, decision: { from: 'pause', actor: 'operator:ops-alice' } });
  const bad = await call(t, base, 'POST', '/v1/recipients/alice%40contoso.com/override', '/v1/recipients/{address}/override', { body: { state: 'pause', actor: 'x' } });
  t.match(bad, { status: 400, body: { error: { code: 'INVALID_REQUEST', details: [/why/, /until/] } } });

  const deliveries = await call(t, base, 'POST', '/v1/deliveries', '/v1/deliveries', { body: [{ recipient: 'bob@fabrikam.com' }, { recipient: 'alice@contoso.com', stream: 'news' }] });
  t.match(deliveries, { status: 202, body: { accepted: 2, transitions: 0 } });
  t.match(await call(t, base, 'POST', '/v1/deliveries', '/v1/deliveries', { body: [{ recipient: 'not-an-address' }] }), { status: 400, body: { error: { details: [/\[0\]\.recipient/] } } });
  t.match(await call(t, base, 'POST', '/v1/deliveries', '/v1/deliveries', { body: '{' }), { status: 400 });

  const streams = await call(t, base, 'GET', '/v1/streams', '/v1/streams');
  t.same(streams.body, { items: [], next: null }, 'no stream was escalated, none has a row');
  t.match(await call(t, base, 'GET', '/v1/streams/news', '/v1/streams/{stream}'), { status: 404, body: { error: { code: 'NOT_FOUND' } } });
  t.match(await call(t, base, 'GET', '/v1/domains', '/v1/domains'), { status: 200, body: { items: [] } });
  t.match(await call(t, base, 'GET', '/v1/recipients/nobody%40contoso.com', '/v1/recipients/{address}'), { status: 404, body: { error: { code: 'NOT_FOUND' } } });
  t.match(await call(t, base, 'GET', '/v1/recipients?limit=0', '/v1/recipients'), { status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
  const wrongMethod = await fetch(`${base}/v1/deliveries`, { headers: { authorization: `Bearer ${TOKEN}` } });
  t.equal(wrongMethod.status, 405);
  t.equal(wrongMethod.headers.get('allow'), 'POST');
});

t.test('recipients are paginated with a stable cursor', async t => {
  const { h } = await withDaemon(t, { 'http.apiTokens': [TOKEN] });
  const base = `http://127.0.0.1:${h.daemon.http.port}`;
  const gone = '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup';
  await call(t, base, 'POST', '/v1/messages', '/v1/messages', {
    raw: makeDsn({ id: 'P1', recipients: ['a', 'b', 'c'].map(l => ({ recipient: `${l}@contoso.com`, reply: gone, remoteMta: MX })) }),
  });
  const p1 = await call(t, base, 'GET', '/v1/recipients?state=suppress&limit=2', '/v1/recipients');
  t.same(p1.body.items.map((r: { address: string }) => r.address), ['a@contoso.com', 'b@contoso.com']);
  t.type(p1.body.next, 'string');
  const p2 = await call(t, base, 'GET', `/v1/recipients?state=suppress&limit=2&cursor=${p1.body.next}`, '/v1/recipients');
  t.same(p2.body, { items: [p2.body.items[0]], next: null });
  t.equal(p2.body.items[0].address, 'c@contoso.com');
});
