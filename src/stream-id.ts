// Which sending stream a bounce belongs to, from configurable sources tried in order
// (`stream.sources`): the original's stream header, its Feedback-ID or List-Id, the VERP /
// return-path tag of the address the bounce came back to, the sending IP the provider quoted,
// or the From domain. The first source that yields a value names the stream, prefixed with the
// source so two sources can never collide (`feedback-id:...`, `from:example.com`).
import type { BounceReport } from './domain/report.js';

export const STREAM_SOURCES = ['header', 'feedback-id', 'list-id', 'return-path', 'sending-ip', 'from-domain'] as const;
export type StreamSource = (typeof STREAM_SOURCES)[number];

export interface StreamOptions {
  sources: readonly string[];
  /** Applied to the local part of the envelope recipient; capture group 1 is the stream. */
  returnPath: RegExp;
}

const IP_IN_TEXT = /(?:messages from|client host|the mail server|sending ip|try again later from)\s*\[?((?:\d{1,3}\.){3}\d{1,3})\]?/i;

export function streamOf(report: BounceReport, envelopeTo: readonly string[], opts: StreamOptions): string {
  for (const source of opts.sources) {
    const v = valueOf(source, report, envelopeTo, opts);
    if (v) return source === 'header' ? v.trim().slice(0, 200) : `${source === 'from-domain' ? 'from' : source}:${v.trim().slice(0, 200)}`;
  }
  return 'unknown';
}

function valueOf(source: string, report: BounceReport, envelopeTo: readonly string[], opts: StreamOptions): string | undefined {
  switch (source) {
    case 'header': return report.original.stream;
    case 'feedback-id': return report.original.feedbackId;
    case 'list-id': return report.original.listId?.match(/<([^>]+)>/)?.[1] ?? report.original.listId;
    case 'return-path': {
      const local = envelopeTo[0]?.slice(0, envelopeTo[0].lastIndexOf('@'));
      return local ? opts.returnPath.exec(local)?.[1] : undefined;
    }
    case 'sending-ip': return report.records.map(r => IP_IN_TEXT.exec(r.rawDiagnostic ?? r.diagnostic)?.[1]).find(Boolean);
    case 'from-domain': return report.original.from?.match(/@([A-Za-z0-9.-]+)/)?.[1]?.toLowerCase();
    default: return undefined;
  }
}
