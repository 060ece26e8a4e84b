// The SMTP stage at which the remote refused. It is evidence classify cannot get elsewhere: a
// MAIL FROM rejection cannot be about the recipient, an end-of-DATA one is about content or
// authentication (reference/postfix.md §1 "in reply to ... command is gold").
import type { Stage } from '../domain/vocab.js';

/** Map an SMTP command or phase name as MTAs write it to our Stage vocabulary. */
export function stageOfCommand(command: string): Stage | undefined {
  const c = command.toUpperCase();
  if (/END OF DATA|\bDATA\b|\bBDAT\b|MESSAGE BODY|AFTER I SENT THE MESSAGE/.test(c)) return 'data';
  if (/\bRCPT\b|RECIPIENT/.test(c)) return 'rcpt';
  if (/\bMAIL\b|\bSENDER\b/.test(c)) return 'mail';
  if (/\b(HELO|EHLO|LHLO|STARTTLS|MY NAME)\b/.test(c)) return 'helo';
  if (/CONNECT|GREETING|BANNER|REFUSED TO TALK/.test(c)) return 'connect';
  return undefined;
}

// Each pattern captures the command/phase phrase; the first match in the text decides.
const STAGE_PATTERNS: readonly RegExp[] = [
  // Postfix: "(in reply to RCPT TO command)", "(in reply to end of DATA command)".
  /\bin reply to (end of DATA|[A-Z][A-Z ]{2,12}?) command/i,
  // Postfix: "lost connection with X while sending RCPT TO", "... while receiving the initial
  // server greeting", "conversation with X timed out while sending end of data".
  /\bwhile (?:sending|receiving) (end of data|message body|the initial server greeting|[A-Z][A-Z ]{2,12}?)\b/i,
  // Exim: "SMTP error from remote mail server after RCPT TO:<x>:", "after end of data",
  // "after initial connection", "after pipelined MAIL FROM:<x>".
  /\bafter (?:pipelined )?(end of data|initial connection|MAIL FROM|RCPT TO|DATA|HELO|EHLO|STARTTLS|sending data block)\b/i,
  // qmail: "Connected to X but sender was rejected.", "... but my name was rejected.",
  // "... but greeting failed.", "X does not like recipient.", "X failed after I sent the message."
  /\bbut (sender|my name) was rejected|\bbut (greeting) failed|does not like (recipient)|failed (after I sent the message)/i,
  // qmail: "most progress was RCPT TO response".
  /most progress was (RCPT TO|MAIL FROM|DATA|HELO|EHLO|greeting) response/i,
  // Postfix: "connect to mx.example.com[192.0.2.1]:25: Connection timed out",
  // "host X[ip] refused to talk to me: 554 ..." (a refused greeting).
  /\b(connect) to [^\s:]+(?::\d+)?: |\b(refused to talk) to me\b/i,
];

/** Stage named in a reply or prose text, if any. */
export function stageFromText(text: string | undefined): Stage | undefined {
  if (!text) return undefined;
  for (const re of STAGE_PATTERNS) {
    const m = re.exec(text);
    if (!m) continue;
    const phrase = m.slice(1).find(g => g !== undefined);
    const stage = phrase ? stageOfCommand(phrase) : undefined;
    if (stage) return stage;
  }
  return undefined;
}

/**
 * Sendmail and Postfix "Transcript of session": the last command sent (`>>> RCPT To:<x>`,
 * ` In:  DATA`) before the failing reply (`<<< 550 ...`, ` Out: 550 ...`) names the stage.
 */
export function stageFromTranscript(transcript: string): Stage | undefined {
  let lastCommand: string | undefined;
  for (const line of transcript.split(/\r?\n/)) {
    const cmd = /^\s*(?:>>>|In:)\s*(\S.*)$/.exec(line);
    if (cmd) {
      lastCommand = cmd[1];
      continue;
    }
    const reply = /^\s*(?:<<<|Out:)\s*([45])\d\d\b/.exec(line);
    if (reply && lastCommand) {
      const stage = stageOfCommand(lastCommand.replace(/:.*$/, ''));
      // PIPELINING (RFC 2920): Sendmail sends RCPT and DATA together, so the RCPT refusal is
      // read after ">>> DATA"; DATA's own "503 Need RCPT" / "554 no valid recipients" after
      // it gives that away.
      if (stage === 'data' && PIPELINED_RCPT.test(transcript)) return 'rcpt';
      return stage;
    }
    if (reply) return 'connect';
  }
  return undefined;
}

const PIPELINED_RCPT = /^\s*(?:<<<|Out:)\s*5\d\d[ -](?:\d\.\d\.\d+ )?.*(need rcpt|need recipient|no valid recipients)/im;
