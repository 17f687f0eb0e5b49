import assert from "node:assert/strict";
import {
  migrate,
  type Migration,
  MigrationError,
  pendingMigrations,
  readMigrations,
} from "../../modules/platform/migrate.ts";
import { dbTest } from "../_db.ts";

const m = (version: number, sql: string): Migration => ({
  version,
  name: `${String(version).padStart(4, "0")}_test.sql`,
  sql,
  checksum: `c${sql.length}`,
});

dbTest("migrations: up twice on an empty database applies each file once", async (_t, db) => {
  const files = await readMigrations();
  assert.ok(files.length >= 1);
  assert.deepEqual(await pendingMigrations(db.sql, files), files.map((f) => f.name));
  const first = await migrate(db.sql, files);
  assert.deepEqual(first.applied, files.map((f) => f.name));
  const second = await migrate(db.sql, files);
  assert.deepEqual(second.applied, []);
  const rows = await db.sql`select version from schema_migrations order by version`;
  assert.deepEqual(rows.map((r) => r.version), files.map((f) => f.version));
  assert.deepEqual(await pendingMigrations(db.sql, files), []);
}, { migrated: false });

dbTest(
  "migrations: a failing file rolls back and names the file and the database's reason",
  async (_t, db) => {
    const ok = m(1, "create table a (x int);");
    const bad = m(2, "create table b (x int);\ninsert into nonexistent values (1);");
    await assert.rejects(() => migrate(db.sql, [ok, bad]), (error: unknown) => {
      assert.ok(error instanceof MigrationError);
      assert.match(error.message, /0002_test\.sql/);
      assert.match(error.message, /nonexistent/);
      return true;
    });
    const [{ a, b }] = await db
      .sql`select to_regclass('a') is not null as a, to_regclass('b') is not null as b`;
    assert.equal(a, true, "the good migration before it stays applied");
    assert.equal(b, false, "the failing migration left nothing behind");
    assert.deepEqual(await pendingMigrations(db.sql, [ok, bad]), ["0002_test.sql"]);
  },
  { migrated: false },
);

dbTest("migrations: an applied file that changed is refused", async (_t, db) => {
  await migrate(db.sql, [m(1, "create table a (x int);")]);
  const changed = { ...m(1, "create table a (x int);"), checksum: "altro" };
  await assert.rejects(() => migrate(db.sql, [changed]), /0001_test\.sql è cambiata/);
}, { migrated: false });
