/**
 * Composition root: configuration → database (embedded or `DATABASE_URL`) →
 * migrations → application and workers → serve, until SIGTERM or SIGINT.
 *
 * `ROLE=web` serves pages only, `ROLE=worker` runs jobs only, `ROLE=all` (the
 * default) both.
 * @module
 */
import { boot, StartupError } from "./modules/platform/startup.ts";
import { type JobHandler, JobQueue } from "./modules/platform/jobs.ts";
import { createApp } from "./modules/platform/web/app.tsx";
import { loadAssets } from "./modules/platform/web/static_assets.ts";

let booted;
try {
  booted = await boot(Deno.env.toObject());
} catch (error) {
  if (!(error instanceof StartupError)) throw error;
  console.error(error.message);
  Deno.exit(1);
}
const { config, db, log, migrations, demo } = booted;

// Each module that runs background work adds its handlers here.
const handlers: Record<string, JobHandler> = {};
const queue = new JobQueue(db.sql, log);
const worker = config.role === "web" ? undefined : queue.worker({
  handlers,
  concurrency: config.workerConcurrency,
  staleSeconds: config.jobStaleSeconds,
});
worker?.start();

const server = config.role === "worker" ? undefined : Deno.serve(
  {
    port: config.port,
    hostname: config.host,
    onListen: ({ hostname, port }) =>
      log.info("in ascolto", { url: `http://${hostname}:${port}`, port, database: db.kind }),
  },
  createApp({
    config,
    sql: db.sql,
    log,
    assets: await loadAssets(new URL("./static/", import.meta.url)),
    demo,
    migrations,
  }).fetch,
);
if (!server) log.info("worker avviato", { worker: worker?.name ?? "", database: db.kind });

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info("arresto in corso", { signal });
  const deadline = setTimeout(() => {
    log.error("arresto forzato: tempo scaduto");
    Deno.exit(1);
  }, config.shutdownTimeoutSeconds * 1000);
  await server?.shutdown();
  await worker?.stop();
  await db.close();
  clearTimeout(deadline);
  log.info("arresto completato");
  Deno.exit(0);
}
Deno.addSignalListener("SIGTERM", () => shutdown("SIGTERM"));
Deno.addSignalListener("SIGINT", () => shutdown("SIGINT"));
