/**
 * Schema migrations: numbered SQL files (`0001_name.sql`) applied in order,
 * each in its own transaction, recorded in `schema_migrations`. A PostgreSQL
 * advisory lock makes two processes starting at once apply each file once.
 *
 * @example
 * ```ts
 * const { applied } = await migrate(db.sql);
 * ```
 * @module
 */
import type { Sql } from "./db.ts";
import { sha256Hex } from "./hash.ts";

/** A migration file found on disk. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** Raised when a migration fails; names the file and carries the database's message. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

/** The folder of the product's migrations. */
export const MIGRATIONS_DIR = new URL("../../migrations/", import.meta.url);

// Any constant works; it only has to be the same for every process of the product.
const LOCK_KEY = 7_412_026_001;

/** Reads and orders the migration files of `dir`. */
export async function readMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(entry.name);
    if (!entry.isFile || !match) continue;
    const sql = await Deno.readTextFile(new URL(entry.name, dir));
    migrations.push({
      version: Number(match[1]),
      name: entry.name,
      sql,
      checksum: await sha256Hex(sql),
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new MigrationError(
        `Due migrazioni con lo stesso numero: ${migrations[i - 1].name} e ${migrations[i].name}`,
      );
    }
  }
  return migrations;
}

/**
 * Applies the pending migrations and returns the names of those applied now.
 * A failure rolls its file back and throws a {@linkcode MigrationError}.
 */
export async function migrate(
  sql: Sql,
  migrations?: Migration[],
): Promise<{ applied: string[] }> {
  const files = migrations ?? await readMigrations();
  const conn = await sql.reserve();
  try {
    await conn`select pg_advisory_lock(${LOCK_KEY})`;
    await conn`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`;
    const done = new Map<number, { name: string; checksum: string }>();
    for (const row of await conn`select version, name, checksum from schema_migrations`) {
      done.set(row.version, { name: row.name, checksum: row.checksum });
    }
    const applied: string[] = [];
    for (const m of files) {
      const previous = done.get(m.version);
      if (previous) {
        if (previous.checksum !== m.checksum) {
          throw new MigrationError(
            `La migrazione ${m.name} è cambiata dopo essere stata applicata: ` +
              "scrivere una nuova migrazione invece di modificarla.",
          );
        }
        continue;
      }
      await conn.unsafe("begin").simple();
      try {
        await conn.unsafe(m.sql).simple();
        await conn`insert into schema_migrations (version, name, checksum)
                   values (${m.version}, ${m.name}, ${m.checksum})`;
        await conn.unsafe("commit").simple();
      } catch (error) {
        await conn.unsafe("rollback").simple().catch(() => {});
        const reason = error instanceof Error ? error.message : String(error);
        throw new MigrationError(`Migrazione ${m.name} fallita: ${reason}`);
      }
      applied.push(m.name);
    }
    return { applied };
  } finally {
    await conn`select pg_advisory_unlock(${LOCK_KEY})`.catch(() => {});
    conn.release();
  }
}

/** Names of the migrations of `migrations` not yet applied to the database. */
export async function pendingMigrations(sql: Sql, migrations: Migration[]): Promise<string[]> {
  const [{ exists }] = await sql`select to_regclass('schema_migrations') is not null as exists`;
  if (!exists) return migrations.map((m) => m.name);
  const rows = await sql`select version from schema_migrations`;
  const done = new Set(rows.map((r) => r.version));
  return migrations.filter((m) => !done.has(m.version)).map((m) => m.name);
}
