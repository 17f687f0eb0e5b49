/**
 * Composition root: configuration → database (embedded or `DATABASE_URL`) →
 * migrations → application and workers → serve, until SIGTERM or SIGINT.
 *
 * `ROLE=web` serves pages only, `ROLE=worker` runs jobs only, `ROLE=all` (the
 * default) both. Maintenance commands: `main.ts migrate`, `main.ts seed`,
 * `main.ts admin:create`.
 * @module
 */
import { askAdmin, createAdmin } from "./modules/auth/create_admin.ts";
import { createAuth, seedIdentityDemo } from "./modules/auth/mod.ts";
import { createAcquisizione } from "./modules/acquisizione/mod.ts";
import { createInformazioni } from "./modules/informazioni/mod.ts";
import { createTrasmissione, UPKEEP_JOB, UPLOAD_PATH } from "./modules/trasmissione/mod.ts";
import { RuleContextCache } from "./modules/prestazioni/validation.ts";
import { createAudit } from "./modules/platform/audit.ts";
import { ensureCodeTable } from "./modules/prestazioni/code_table.ts";
import { loadReferenceData } from "./modules/prestazioni/reference_data.ts";
import { type JobHandler, JobQueue } from "./modules/platform/jobs.ts";
import { boot, type Booted, StartupError } from "./modules/platform/startup.ts";
import { createApp } from "./modules/platform/web/app.tsx";
import { loadAssets } from "./modules/platform/web/static_assets.ts";

const DEMO_SEEDERS = [seedIdentityDemo];

async function start(env: Record<string, string | undefined>): Promise<Booted> {
  try {
    return await boot(env, DEMO_SEEDERS);
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    console.error(error.message);
    Deno.exit(1);
  }
}

async function serve() {
  const { config, db, log, migrations, demo } = await start(Deno.env.toObject());
  await ensureCodeTable(db.sql);
  const reference = await loadReferenceData(db.sql);
  if (reference.loaded) {
    log.info("dati di riferimento caricati", { tabelle: reference.reloaded.join(",") });
  }
  const audit = createAudit(db.sql);
  const informazioni = await createInformazioni({ sql: db.sql, audit });
  const rules = new RuleContextCache(db.sql);
  const acquisizione = await createAcquisizione({ sql: db.sql, audit, rules });
  const queue = new JobQueue(db.sql, log);
  const trasmissione = createTrasmissione({
    sql: db.sql,
    audit,
    queue,
    maxUploadBytes: config.maxUploadBytes,
    copy: db.kind === "server",
    rules: () => rules.data(),
  });
  const auth = createAuth(db.sql, audit, {
    https: config.https,
    origin: config.baseUrl ? new URL(config.baseUrl).origin : undefined,
    idleMinutes: config.sessionIdleMinutes,
    maxHours: config.sessionMaxHours,
    streamedForms: [UPLOAD_PATH],
  });

  // Each module that runs background work adds its handlers here.
  const handlers: Record<string, JobHandler> = { ...auth.jobs, ...trasmissione.jobs };
  await queue.scheduleRecurring("sessioni.pulizia", 3600);
  await queue.scheduleRecurring(UPKEEP_JOB, 300);
  const worker = config.role === "web" ? undefined : queue.worker({
    handlers,
    concurrency: config.workerConcurrency,
    staleSeconds: config.jobStaleSeconds,
  });
  worker?.start();
  // A flow's judging worker is loaded before the flow arrives, and kept between flows.
  if (worker) trasmissione.judges.start();

  // So is an XML upload's inspection worker, where uploads are served.
  if (config.role !== "worker") trasmissione.inspectors.start();

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
      streamedUploads: [UPLOAD_PATH],
    }, (app) => {
      auth.install(app);
      informazioni.install(app);
      acquisizione.install(app);
      trasmissione.install(app);
    }).fetch,
  );
  if (!server) log.info("worker avviato", { worker: worker?.name ?? "", database: db.kind });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("arresto in corso", { signal });
    const deadline = setTimeout(() => {
      log.error("arresto forzato: tempo scaduto");
      Deno.exit(1);
    }, config.shutdownTimeoutSeconds * 1000);
    await server?.shutdown();
    await worker?.stop();
    trasmissione.judges.stop();
    trasmissione.inspectors.stop();
    await db.close();
    clearTimeout(deadline);
    log.info("arresto completato");
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", () => shutdown("SIGTERM"));
  Deno.addSignalListener("SIGINT", () => shutdown("SIGINT"));
}

const env = Deno.env.toObject();
switch (Deno.args[0] ?? "serve") {
  case "serve":
    await serve();
    break;
  case "migrate": {
    const { db, migrations } = await start({ ...env, DEMO: env.DEMO || "0" });
    console.log(`Database aggiornato: ${migrations.length} migrazioni applicate in tutto.`);
    await db.close();
    break;
  }
  case "seed": {
    const { db } = await start({ ...env, DEMO: "1" });
    console.log("Dati dimostrativi caricati.");
    await db.close();
    break;
  }
  case "admin:create": {
    const { db } = await start({ ...env, DEMO: env.DEMO || "0" });
    try {
      const admin = await askAdmin(env);
      await createAdmin(db.sql, admin);
      console.log(`Amministratore ${admin.username} creato.`);
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      await db.close();
      Deno.exit(1);
    }
    await db.close();
    break;
  }
  default:
    console.error("Uso: main.ts [serve | migrate | seed | admin:create]");
    Deno.exit(2);
}
