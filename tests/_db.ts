/**
 * Test databases on a real PostgreSQL: the server named by `TEST_DATABASE_URL`
 * (one throw-away schema per test), or else a throw-away embedded PGlite.
 * @module
 */
import { connect, type Database, openDatabase, type Sql } from "../modules/platform/db.ts";
import { migrate } from "../modules/platform/migrate.ts";

/** A database for one test, with the product's schema unless `migrated: false`. */
export interface TestDatabase {
  sql: Sql;
  /** Connection URL for child processes (scoped to the test's schema). */
  url: string;
  kind: Database["kind"];
}

/** Whether the tests run against a PostgreSQL server rather than the embedded database. */
export const onServer = Boolean(Deno.env.get("TEST_DATABASE_URL"));

/**
 * Runs `fn` against a fresh database and throws it away afterwards. Resource
 * sanitizers are off: the pool keeps sockets open between queries.
 */
export function dbTest(
  name: string,
  fn: (t: Deno.TestContext, db: TestDatabase) => Promise<void>,
  options: { migrated?: boolean; ignore?: boolean } = {},
): void {
  Deno.test({
    name,
    ignore: options.ignore,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn(t) {
      const { db, dispose } = await freshDatabase();
      try {
        if (options.migrated !== false) await migrate(db.sql);
        await fn(t, db);
      } finally {
        await dispose();
      }
    },
  });
}

async function freshDatabase(): Promise<{ db: TestDatabase; dispose(): Promise<void> }> {
  const serverUrl = Deno.env.get("TEST_DATABASE_URL");
  if (!serverUrl) {
    const embedded = await openDatabase({ dataDir: "memory://" });
    return {
      db: { sql: embedded.sql, url: embedded.url, kind: "embedded" },
      dispose: () => embedded.close(),
    };
  }
  const admin = connect(serverUrl, 1);
  const schema = `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await admin.unsafe(`create schema ${schema}`);
  const url = new URL(serverUrl);
  url.searchParams.set("search_path", schema);
  const sql = connect(url.toString());
  return {
    db: { sql, url: url.toString(), kind: "server" },
    async dispose() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop schema ${schema} cascade`);
      await admin.end();
    },
  };
}
