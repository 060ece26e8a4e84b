// Migrations must run once per database file, be recorded, and never half-apply: a daemon
// restarted on an existing file must find its schema untouched.
import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../src/errors.js';
import { MIGRATIONS, runMigrations, type Migration } from '../../src/store/sqlite-migrations.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { query, TABLES } from './fixtures/builders.js';

/** The version a migration added after the shipped ones would get. */
const NEXT = MIGRATIONS.length + 1;

t.test('init creates the parent directory, the tables, and records migration 1', async t => {
  const path = join(t.testdir(), 'nested', 'deeper', 'store.db');
  const store = openSqliteStore({ path });
  await store.init();
  await store.close();
  const tables = query<{ name: string }>(path, `SELECT name FROM sqlite_master WHERE type = 'table'`).map(r => r.name);
  for (const name of [...TABLES, 'schema_migrations']) t.ok(tables.includes(name), name);
  const recorded = query<{ version: number; name: string }>(path, 'SELECT version, name FROM schema_migrations');
  t.same(recorded, MIGRATIONS.map(m => ({ version: m.version, name: m.name })));
});

t.test('reopening the same file runs no migration again', async t => {
  const path = join(t.testdir(), 'store.db');
  const first = openSqliteStore({ path });
  await first.init();
  await first.close();
  const before = query(path, 'SELECT * FROM schema_migrations');
  const second = openSqliteStore({ path });
  await second.init();
  await second.init(); // a second init on an open store is a no-op
  await second.close();
  t.same(query(path, 'SELECT * FROM schema_migrations'), before, 'applied_at unchanged: nothing re-ran');
  const db = new Database(path);
  t.same(runMigrations(db), [], 'the runner itself reports nothing to apply');
  db.close();
});

t.test('the file is in WAL mode and child tables reference their message', async t => {
  const path = join(t.testdir(), 'store.db');
  const store = openSqliteStore({ path });
  await store.init();
  // journal_mode is stored in the file; synchronous and foreign_keys are per connection.
  t.equal(query<{ journal_mode: string }>(path, 'PRAGMA journal_mode')[0]?.journal_mode, 'wal');
  await store.close();
  for (const table of ['raw_messages', 'bounce_events', 'decisions', 'outbox']) {
    const fks = query<{ table: string }>(path, `PRAGMA foreign_key_list(${table})`);
    t.same(fks.map(f => f.table), ['messages'], table);
  }
});

t.test('a later migration is applied alone, in order, and recorded', async t => {
  const db = new Database(':memory:');
  const shipped = MIGRATIONS.map(m => m.version);
  t.same(runMigrations(db), shipped, 'a new file gets every shipped migration, in order');
  const next: Migration = { version: NEXT, name: 'add note column', sql: 'ALTER TABLE messages ADD COLUMN note TEXT' };
  t.same(runMigrations(db, [...MIGRATIONS, next]), [NEXT]);
  t.same(runMigrations(db, [...MIGRATIONS, next]), []);
  t.ok(db.prepare('SELECT note FROM messages').all());
  db.close();
});

t.test('a failing migration leaves neither its changes nor its record behind', async t => {
  const db = new Database(':memory:');
  runMigrations(db);
  const broken: Migration = { version: NEXT, name: 'broken', sql: 'CREATE TABLE half (x); SELECT * FROM no_such_table;' };
  t.throws(() => runMigrations(db, [...MIGRATIONS, broken]), /no such table/);
  t.equal(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'half'`).pluck().get(), 0);
  t.equal(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get(), NEXT - 1);
  db.close();
});

t.test('migrations out of order are refused before anything runs', async t => {
  const db = new Database(':memory:');
  t.throws(() => runMigrations(db, [{ version: 2, name: 'x', sql: '' }]), /expected 1/);
  db.close();
});

t.test('a file migrated by a newer build is refused as STORE_UNAVAILABLE', async t => {
  const path = join(t.testdir(), 'store.db');
  const db = new Database(path);
  runMigrations(db, [...MIGRATIONS, { version: NEXT, name: 'future', sql: 'SELECT 1' }]);
  db.close();
  const store = openSqliteStore({ path });
  const err = await store.init().catch((e: unknown) => e);
  t.ok(err instanceof AppError && err.code === 'STORE_UNAVAILABLE');
  t.match((err as Error).message, /newer than this build/);
  t.equal(await store.ping(), false, 'a store that failed to open is not ready');
});

t.test('an in-memory store works (used by fast tests elsewhere)', async t => {
  const store = openSqliteStore({ path: ':memory:' });
  await store.init();
  t.equal(await store.ping(), true);
  t.equal(store.kind, 'sqlite');
  await store.close();
  await store.close(); // closing twice is harmless during shutdown
  t.equal(await store.ping(), false);
});

t.test('an unopenable path is reported as STORE_UNAVAILABLE', async t => {
  const dir = t.testdir({ 'a-file': 'not a directory' });
  const store = openSqliteStore({ path: join(dir, 'a-file', 'store.db') });
  await t.rejects(store.init(), { code: 'STORE_UNAVAILABLE' });
});
