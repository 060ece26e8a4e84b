// A webhook consumer for trying bounce-triage out (deploy/compose.yaml): checks each POST's
// Standard Webhooks signature — base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>"
// keyed with the base64 part of the whsec_ secret — and prints the event as one JSON line.
// 204 when the signature holds; 401 (nothing printed but the refusal) when it does not.
// Env: WEBHOOK_SECRET (whsec_...), HOST (default 0.0.0.0), PORT (default 8080).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.WEBHOOK_SECRET ?? '';
if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) {
  console.error('webhook-receiver: WEBHOOK_SECRET must be the whsec_... secret bounce-triage signs with');
  process.exit(78);
}
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
const TOLERANCE_S = 300; // refuse replays of old (or far-future) deliveries

function verified(headers, raw) {
  const id = headers['webhook-id'];
  const ts = Number(headers['webhook-timestamp']);
  if (!id || !Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > TOLERANCE_S) return false;
  const expected = createHmac('sha256', key).update(`${id}.${ts}.`).update(raw).digest(); // the raw bytes
  // Several "v1,<sig>" entries while the sender rotates secrets: any one may match.
  return String(headers['webhook-signature'] ?? '').split(' ').some(entry => {
    const [version, sig] = entry.split(',');
    const given = Buffer.from(sig ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    if (req.method !== 'POST' || !verified(req.headers, raw)) {
      console.log(JSON.stringify({ verified: false, method: req.method, url: req.url, webhookId: req.headers['webhook-id'] ?? null }));
      res.writeHead(req.method === 'POST' ? 401 : 405).end();
      return;
    }
    let event;
    try { event = JSON.parse(raw.toString('utf8')); } catch { event = raw.toString('utf8'); }
    console.log(JSON.stringify({ verified: true, webhookId: req.headers['webhook-id'], event }));
    res.writeHead(204).end();
  });
});
server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '0.0.0.0', () => {
  const { address, port } = server.address();
  console.log(`webhook-receiver listening on ${address}:${port}`);
});
// As PID 1 in a container, node gets no default SIGTERM handling: stop at once on request.
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { server.close(); server.closeAllConnections(); process.exit(0); });
