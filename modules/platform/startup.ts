/**
 * The start sequence shared by the server and the command line: configuration,
 * database (embedded or `DATABASE_URL`), migrations, demo data. Each failure
 * becomes one clear message for the operator instead of a stack trace.
 *
 * @example
 * ```ts
 * const { config, db, log } = await boot(Deno.env.toObject());
 * ```
 * @module
 */
import { join } from "node:path";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { type Database, DatabaseUnavailableError, openDatabase } from "./db.ts";
import { createLogger, type Logger } from "./log.ts";
import { migrate, type Migration, MigrationError, readMigrations } from "./migrate.ts";
import { isDemo, seedDemo } from "./seed.ts";

/** A process ready to serve. */
export interface Booted {
  config: Config;
  db: Database;
  log: Logger;
  migrations: Migration[];
  demo: boolean;
}

/** Raised for a failure at start; its message is meant for the operator. */
export class StartupError extends Error {
  override name = "StartupError";
}

/** Loads one module's demo data; each must be idempotent. */
export type DemoSeeder = (sql: Database["sql"]) => Promise<void>;

/**
 * Reads the configuration, opens and migrates the database and, when asked,
 * loads the demo data of the platform and of each seeder.
 */
export async function boot(
  env: Record<string, string | undefined>,
  seeders: DemoSeeder[] = [],
): Promise<Booted> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new StartupError(error.message);
    throw error;
  }
  const log = createLogger(config.logLevel);
  let db: Database | undefined;
  try {
    db = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: join(config.dataDir, "pg"),
    });
    const migrations = await readMigrations();
    const { applied } = await migrate(db.sql, migrations);
    if (applied.length > 0) log.info("migrazioni applicate", { files: applied.join(",") });
    if (config.demo) {
      await seedDemo(db.sql);
      for (const seed of seeders) await seed(db.sql);
    }
    return { config, db, log, migrations, demo: await isDemo(db.sql) };
  } catch (error) {
    await db?.close().catch(() => {});
    if (error instanceof DatabaseUnavailableError || error instanceof MigrationError) {
      throw new StartupError(error.message);
    }
    throw error;
  }
}
