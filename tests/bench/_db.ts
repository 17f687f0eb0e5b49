/**
 * Fresh databases for the benchmarks.
 * @module
 */
import { connect, openDatabase, type Sql } from "../../modules/platform/db.ts";

/** Runs `fn` on a fresh database: a throw-away schema on the server, or an in-memory embedded one. */
export async function withDatabase<T>(
  databaseUrl: string | undefined,
  fn: (sql: Sql) => Promise<T>,
): Promise<T> {
  if (!databaseUrl) {
    const db = await openDatabase({ dataDir: "memory://" });
    try {
      return await fn(db.sql);
    } finally {
      await db.close();
    }
  }
  const admin = connect(databaseUrl, 1);
  const schema = `bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await admin.unsafe(`create schema ${schema}`);
  const url = new URL(databaseUrl);
  url.searchParams.set("search_path", schema);
  const sql = connect(url.toString());
  try {
    return await fn(sql);
  } finally {
    await sql.end();
    await admin.unsafe(`drop schema ${schema} cascade`);
    await admin.end();
  }
}
