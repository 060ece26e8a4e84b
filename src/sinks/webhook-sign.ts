// Standard Webhooks v1 signatures (HMAC-SHA256), written against node:crypto rather than the
// reference package so the daemon carries no extra runtime dependency; the tests verify our
// output with the reference `standardwebhooks` library.
// Spec: https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
import { createHmac } from 'node:crypto';

const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// The spec asks for 24–64 random bytes; shorter keys are guessable, so refuse them at startup.
const MIN_BYTES = 24;
const MAX_BYTES = 64;

/**
 * Decodes a `whsec_<base64>` secret into key bytes. Errors name what is wrong with the value
 * (and its position when several are configured) but never include the value itself.
 */
export function parseWebhookSecret(secret: string, label = 'webhook secret'): Buffer {
  if (typeof secret !== 'string' || secret.trim() === '') throw new Error(`${label} is empty`);
  if (!secret.startsWith(PREFIX)) throw new Error(`${label} must start with "${PREFIX}"`);
  const encoded = secret.slice(PREFIX.length);
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) {
    throw new Error(`${label} is not valid base64 after the "${PREFIX}" prefix`);
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_BYTES || key.length > MAX_BYTES) {
    throw new Error(`${label} decodes to ${key.length} bytes; expected ${MIN_BYTES} to ${MAX_BYTES}`);
  }
  return key;
}

/** Parses every configured secret; at least one is required. */
export function parseWebhookSecrets(secrets: readonly string[]): Buffer[] {
  if (secrets.length === 0) throw new Error('at least one webhook secret is required');
  return secrets.map((s, i) => parseWebhookSecret(s, secrets.length > 1 ? `webhook secret #${i + 1}` : 'webhook secret'));
}

/**
 * The `webhook-signature` header value for already-decoded keys: one `v1,<sig>` entry per key,
 * space-separated, so a consumer mid-rotation accepts either the old or the new secret.
 */
export function signWithKeys(keys: readonly Buffer[], webhookId: string, timestampSec: number, body: string): string {
  if (!Number.isSafeInteger(timestampSec)) throw new Error('webhook timestamp must be integer Unix seconds');
  const content = `${webhookId}.${timestampSec}.${body}`;
  return keys.map(k => `v1,${createHmac('sha256', k).update(content, 'utf8').digest('base64')}`).join(' ');
}

/** The `webhook-signature` header value for `whsec_` secrets (see signWithKeys). */
export function signWebhook(secrets: string[], webhookId: string, timestampSec: number, body: string): string {
  return signWithKeys(parseWebhookSecrets(secrets), webhookId, timestampSec, body);
}
