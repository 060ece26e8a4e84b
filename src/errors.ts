// Coded errors in one place. Stages throw these; only the edges (SMTP ingest, HTTP, CLI) map
// them to replies and exit codes, so the meaning of a failure is decided once.

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'RULES_INVALID'
  | 'STORE_UNAVAILABLE'
  | 'MESSAGE_TOO_LARGE'
  | 'RECIPIENT_NOT_SERVED'
  | 'SHUTTING_DOWN'
  | 'INPUT_UNREADABLE'
  | 'INVALID_REQUEST'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED';

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

/**
 * SMTP reply for an error raised while handling a message (RFC 5321 §4.2 codes). smtp-server adds
 * the RFC 2034 enhanced code itself (451 → 4.3.0, 552 → 5.2.2...), so the texts carry none.
 */
export function smtpReplyFor(err: unknown): { code: number; message: string } {
  if (err instanceof AppError) {
    switch (err.code) {
      case 'MESSAGE_TOO_LARGE':
        return { code: 552, message: 'Message size exceeds fixed maximum message size' };
      case 'RECIPIENT_NOT_SERVED':
        return { code: 550, message: 'No such bounce address here (only configured bounce domains and addresses are served)' };
      case 'SHUTTING_DOWN':
        return { code: 421, message: 'Service shutting down, try again later' };
      case 'STORE_UNAVAILABLE':
        return { code: 451, message: 'Temporary storage failure, try again later' };
      default:
        break;
    }
  }
  // Anything unexpected is treated as temporary: the MTA keeps the bounce and retries.
  return { code: 451, message: 'Temporary processing failure, try again later' };
}
