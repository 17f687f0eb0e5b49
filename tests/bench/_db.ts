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

/** The runs of each `COPY` measure, of which the best counts. */
export const COPY_RUNS = 3;

/**
 * `COPY` of every row of `prestazioni` (or of those flow `flusso` stored,
 * `rows` of them) into a new table like it (same columns and indexes): the
 * benchmarks' yardstick, in seconds. The best of {@linkcode COPY_RUNS}, each
 * into a new table: COPY's own time varies by a third from run to run on a
 * small machine, and its best makes a ratio the hardest to meet. Each run
 * starts after a {@linkcode checkpoint}, as the runs it is compared with do.
 */
export async function bestCopySeconds(
  sql: Sql,
  flow?: { flusso: number; rows: number },
): Promise<number> {
  const [sample] = await sql`select * from prestazioni limit 1`;
  const columns = Object.keys(sample).filter((c) => c !== "id");
  // PostgreSQL's own text form of every value is what COPY reads back.
  const rows = await sql.unsafe(
    `select ${columns.map((c) => `${c}::text`).join(", ")} from prestazioni ${
      flow === undefined
        ? ""
        : "where acquisizione_id in (select id from acquisizioni where flusso_id = $1)"
    }`,
    flow === undefined ? [] : [flow.flusso],
  );
  if (flow && rows.length !== flow.rows) {
    throw new Error(`il flusso ${flow.flusso} ha ${rows.length} righe, non ${flow.rows}`);
  }
  const text = rows.map((r) => columns.map((c) => copyValue(r[c])).join("\t")).join("\n") + "\n";
  let best = Infinity;
  for (let run = 0; run < COPY_RUNS; run++) {
    await sql`drop table if exists bench_copy`;
    await sql`create table bench_copy (like prestazioni including defaults including identity including indexes including constraints)`;
    await checkpoint(sql);
    const start = performance.now();
    const writable = await sql`copy bench_copy (${sql(columns)}) from stdin`.writable();
    await new Promise<void>((resolve, reject) => {
      writable.on("error", reject);
      writable.on("finish", () => resolve());
      writable.end(text);
    });
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  await sql`drop table bench_copy`;
  return best;
}

/**
 * Starts the next measured run after a checkpoint: on a server whose
 * `max_wal_size` the benchmark's own writes exceed every few seconds, one
 * forced by an earlier run's WAL would otherwise fall inside some runs and
 * not others (and make the pages it writes cost a full image in the WAL).
 * Without the privilege it takes, runs are measured as they come.
 */
export async function checkpoint(sql: Sql): Promise<void> {
  await sql`checkpoint`.catch(() => {});
}

function copyValue(v: string | null): string {
  if (v === null) return "\\N";
  return v.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n");
}
