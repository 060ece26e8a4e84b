// Messages from the file system for the `classify` CLI and tests: a single file, a directory
// tree (maildir cur/new/tmp or plain folders of .eml files), an mbox, or stdin. The daemon gets
// its messages over SMTP; this is how an operator replays stored bounces through the same parse.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.js';

export interface FoundMessage {
  /** The path as given, or as found under the given directory; `-` for stdin. */
  file: string;
  /** 1-based message number inside an mbox; 1 for a single-message file. */
  message: number;
  raw: Buffer;
}

/**
 * Yield every message under `target` in a stable order (directory entries sorted by name,
 * dotfiles skipped). Throws AppError('INPUT_UNREADABLE') for a path that cannot be read.
 */
export async function* readMessages(
  target: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): AsyncGenerator<FoundMessage> {
  if (target === '-') {
    yield* splitFile('-', await readStream(stdin));
    return;
  }
  const info = await stat(target).catch((err: unknown) => unreadable(target, err));
  if (info.isDirectory()) {
    yield* walk(target);
    return;
  }
  yield* splitFile(target, await readFile(target).catch((err: unknown) => unreadable(target, err)));
}

async function* walk(dir: string): AsyncGenerator<FoundMessage> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => unreadable(dir, err));
  const names = entries.filter(e => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of names) {
    const path = join(dir, entry.name);
    // Symlinked directories are not followed: a link loop must not hang a replay.
    const isDir = entry.isDirectory();
    const isFile = entry.isFile() || (entry.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isFile() === true);
    if (isDir) yield* walk(path);
    else if (isFile) yield* splitFile(path, await readFile(path).catch((err: unknown) => unreadable(path, err)));
  }
}

/** A file starting with an mbox postmark is split into messages; any other is one message. */
function* splitFile(file: string, raw: Buffer): Generator<FoundMessage> {
  if (raw.subarray(0, 5).toString('latin1') !== 'From ') {
    yield { file, message: 1, raw };
    return;
  }
  let n = 0;
  for (const message of splitMbox(raw)) yield { file, message: ++n, raw: message };
}

/**
 * Split an mbox on "From " lines at the start of a line (RFC 4155). The postmark line itself is
 * dropped, ">From " quoting is undone (mboxrd: one ">" removed from ">+From "), and the blank line
 * that separates messages is not part of the message. latin1 keeps every byte as it was. Lines
 * may end in LF, CRLF or a bare CR (old Mac tools wrote those; the corpus's mac/ copies do).
 */
export function splitMbox(raw: Buffer): Buffer[] {
  const text = raw.toString('latin1');
  const out: Buffer[] = [];
  const starts: number[] = [];
  const re = /(^|\r\n|\r|\n)From [^\r\n]*(?:\r\n|\r|\n)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index + m[1]!.length, m.index + m[0].length);
  for (let i = 0; i < starts.length; i += 2) {
    const bodyStart = starts[i + 1]!;
    const end = i + 2 < starts.length ? starts[i + 2]! : text.length;
    let body = text.slice(bodyStart, end).replace(/^>(>*From )/gm, '$1');
    if (i + 2 < starts.length) body = body.replace(/(?:\r\n|\r|\n)$/, '');
    out.push(Buffer.from(body, 'latin1'));
  }
  return out;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  } catch (err) {
    unreadable('-', err);
  }
  return Buffer.concat(chunks);
}

function unreadable(path: string, err: unknown): never {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : err instanceof Error ? err.message : String(err);
  throw new AppError('INPUT_UNREADABLE', `cannot read ${path === '-' ? 'standard input' : path}: ${why}`, [], { cause: err });
}
