import t from 'tap';
import type { BounceReport } from '../../src/domain/report.js';
import { streamOf } from '../../src/stream-id.js';

const report = (original: BounceReport['original'], diagnostic = '550 5.7.1 blocked'): BounceReport => ({
  kind: 'dsn', bounce: true, messageFields: {}, header: {}, notes: [], original,
  records: [{ recipient: 'a@b.example', action: 'failed', status: '5.7.1', diagnostic, stage: 'mail', fields: {} }],
});
const opts = (sources: string[]) => ({ sources, returnPath: /^([^+=]+)/ });

t.test('the first configured source that has a value names the stream', async t => {
  const r = report({ stream: 'newsletter', feedbackId: 'c1:news:esp', listId: 'News <news.example.com>', from: 'News <news@Sender.example>' });
  t.equal(streamOf(r, [], opts(['header', 'feedback-id'])), 'newsletter', 'the stream header, as written');
  t.equal(streamOf(r, [], opts(['feedback-id', 'header'])), 'feedback-id:c1:news:esp');
  t.equal(streamOf(r, [], opts(['list-id'])), 'list-id:news.example.com', 'the List-Id identifier between angle brackets');
  t.equal(streamOf(r, [], opts(['from-domain'])), 'from:sender.example');
  t.equal(streamOf(report({}), ['news-bounces+1a2b3c=x@bounce.example.com'], opts(['header', 'return-path'])), 'return-path:news-bounces', 'the VERP tag of the return path');
  t.equal(streamOf(report({}, "550 5.7.1 Unfortunately, messages from [192.0.2.25] weren't sent."), [], opts(['sending-ip'])), 'sending-ip:192.0.2.25');
  t.equal(streamOf(report({}), [], opts(['header', 'feedback-id', 'from-domain'])), 'unknown', 'nothing known');
});
