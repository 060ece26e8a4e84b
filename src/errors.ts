// Coded errors in one place. Stages throw these; only the edges (SMTP ingest, HTTP, CLI) map
// them to replies and exit codes, so the meaning of a failure is decided once.

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'RULES_INVALID'
  | 'STORE_UNAVAILABLE'
  | 'MESSAGE_TOO_LARGE'
  | 'RECIPIENT_NOT_SERVED'
  | 'SHUTTING_DOWN'
  | 'INPUT_UNREADABLE';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: string[];
  constructor(code: ErrorCode, message: string, details: string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

/** SMTP reply for an error raised while handling a message (RFC 5321 §4.2 codes). */
export function smtpReplyFor(err: unknown): { code: number; message: string } {
  if (err instanceof AppError) {
    switch (err.code) {
      case 'MESSAGE_TOO_LARGE':
        return { code: 552, message: '5.3.4 Message size exceeds fixed maximum message size' };
      case 'RECIPIENT_NOT_SERVED':
        return { code: 550, message: '5.7.1 Relaying denied: not a bounce address served here' };
      case 'SHUTTING_DOWN':
        return { code: 421, message: '4.3.2 Service shutting down, try again later' };
      case 'STORE_UNAVAILABLE':
        return { code: 451, message: '4.3.0 Temporary storage failure, try again later' };
      default:
        break;
    }
  }
  // Anything unexpected is treated as temporary: the MTA keeps the bounce and retries.
  return { code: 451, message: '4.3.0 Temporary processing failure, try again later' };
}
