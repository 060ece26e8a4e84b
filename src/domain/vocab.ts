// The closed vocabularies every stage shares. Kept in one file so that a rule pack, a policy
// table or a metric label can be validated against exactly one list.

/**
 * Sisimai's reason names (the de-facto bounce taxonomy; ../shared/corpus/README.md), so users
 * of that taxonomy feel at home. No additions yet: `side` carries the "who must act" split that
 * the reason names blur (docs/rules.md).
 */
export const REASONS = [
  'userunknown', 'hostunknown', 'mailboxfull', 'mesgtoobig', 'exceedlimit', 'filtered',
  'rejected', 'blocked', 'badreputation', 'requireptr', 'authfailure', 'securityerror',
  'policyviolation', 'spamdetected', 'virusdetected', 'contenterror', 'notcompliantrfc',
  'norelaying', 'suspend', 'hasmoved', 'notaccept', 'expired', 'networkerror', 'systemerror',
  'systemfull', 'mailererror', 'toomanyconn', 'speeding', 'syntaxerror', 'failedstarttls',
  'onhold', 'undefined', 'vacation', 'feedback', 'delivered',
] as const;
export type Reason = (typeof REASONS)[number];

/**
 * Who must act (DESIGN.md). `unknown` is our one addition: a bare policy code with no telling
 * text (e.g. `550 5.7.1` alone) — policy must neither punish the recipient nor blame the sender
 * on it, so it gets its own value instead of a guess.
 */
export const SIDES = [
  'recipient', 'recipient_admin', 'sender_auth', 'sender_ip', 'sender_mta', 'sender_account',
  'content', 'transient', 'none', 'unknown',
] as const;
export type Side = (typeof SIDES)[number];

/** Sides where the sender (us) must fix something: never a reason to touch the recipient. */
export const SENDER_SIDES: ReadonlySet<Side> = new Set<Side>([
  'sender_auth', 'sender_ip', 'sender_mta', 'sender_account',
]);

export const RECIPIENT_STATES = ['active', 'keep_testing', 'intermittent', 'pause', 'suppress'] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

export const STREAM_STATES = ['ok', 'escalate'] as const;
export type StreamState = (typeof STREAM_STATES)[number];

/** A recipient domain is paused when its tenant refuses us as a whole (customer block list, relay denied). */
export const DOMAIN_STATES = ['ok', 'pause'] as const;
export type DomainState = (typeof DOMAIN_STATES)[number];

/** RFC 3464 §2.3.3 action values. */
export const ACTIONS = ['failed', 'delayed', 'delivered', 'relayed', 'expanded'] as const;
export type Action = (typeof ACTIONS)[number];

/** SMTP stage at which the remote refused, from "(in reply to X command)" and similar. */
export const STAGES = ['connect', 'helo', 'mail', 'rcpt', 'data', 'post_accept', 'unknown'] as const;
export type Stage = (typeof STAGES)[number];

export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}
