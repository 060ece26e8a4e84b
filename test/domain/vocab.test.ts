import t from 'tap';
import { isOneOf, REASONS, SENDER_SIDES, SIDES } from '../../src/domain/vocab.js';

t.test('isOneOf accepts members and rejects everything else', async t => {
  t.ok(isOneOf(REASONS, 'userunknown'));
  t.notOk(isOneOf(REASONS, 'UserUnknown'));
  t.notOk(isOneOf(REASONS, 42));
});

t.test('every sender side is a side', async t => {
  for (const s of SENDER_SIDES) t.ok(isOneOf(SIDES, s), s);
});
