/**
 * Demo data for a demonstration or a first look: marks the database as a
 * demo (the layout then shows a banner on every page). Idempotent.
 *
 * @example
 * ```ts
 * await seedDemo(db.sql);
 * ```
 * @module
 */
import type { Sql } from "./db.ts";

/** Loads the demo data. */
export async function seedDemo(sql: Sql): Promise<void> {
  await sql`insert into app_settings (key, value) values ('demo', 'true')
            on conflict (key) do update set value = 'true', updated_at = now()`;
}

/** Whether demo data were loaded into this database. */
export async function isDemo(sql: Sql): Promise<boolean> {
  const [row] = await sql`select value from app_settings where key = 'demo'`;
  return row?.value === true;
}
