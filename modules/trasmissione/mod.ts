/**
 * The Trasmissione flussi section: bulk upload of CSV and XML flows, checked
 * on the upload stream, then judged and stored by a durable job, with
 * receipts, progress and rejected-records reports.
 *
 * @example
 * ```ts
 * const trasmissione = createTrasmissione({ sql, audit, queue, maxUploadBytes, rules });
 * trasmissione.install(app);
 * queue.worker({ handlers: { ...trasmissione.jobs } }).start();
 * trasmissione.judges.start();
 * trasmissione.inspectors.start();
 * ```
 * @module
 */
import type { Hono } from "hono";
import type { Audit } from "../platform/audit.ts";
import type { Sql } from "../platform/db.ts";
import type { JobHandler, JobQueue } from "../platform/jobs.ts";
import type { WorkerPool } from "../platform/worker_pool.ts";
import type { AppEnv } from "../platform/web/render.tsx";
import { PrestazioniRepo } from "../prestazioni/repo.ts";
import type { RuleContextData } from "../prestazioni/validation.ts";
import { SinbaRepo } from "../prestazioni/sinba.ts";
import { INGEST_JOB, ingestHandler } from "./ingest.ts";
import { judgeWorkers } from "./judging.ts";
import { FlussiRepo } from "./repo.ts";
import { inspectionWorkers } from "./xml_inspection.ts";
import { trasmissioneRoutes, UPLOAD_PATH } from "./routes.tsx";

export { UPLOAD_PATH };

/** The recurring upkeep of flows (see `FlussiRepo.upkeep`). */
export const UPKEEP_JOB = "flussi.manutenzione";

/** The section, ready to install, and its background work. */
export interface Trasmissione {
  install(app: Hono<AppEnv>): void;
  jobs: Record<string, JobHandler>;
  /** The flows' judging workers: a process that runs `jobs` keeps one ready (`start`). */
  judges: WorkerPool;
  /** The XML uploads' inspection workers: a process that serves uploads keeps one ready. */
  inspectors: WorkerPool;
}

/** Builds the section. */
export function createTrasmissione(deps: {
  sql: Sql;
  audit: Audit;
  queue: JobQueue;
  maxUploadBytes: number;
  /** Stores files and batches through `COPY` (a PostgreSQL server; see `PrestazioniRepoOptions`). */
  copy?: boolean;
  /** The rule context in force (code table and reference data), as data. */
  rules(): Promise<RuleContextData>;
  now?: () => Date;
}): Trasmissione {
  const flussi = new FlussiRepo(deps.sql, { copy: deps.copy });
  const prestazioni = new PrestazioniRepo(deps.sql, { copy: deps.copy });
  const judges = judgeWorkers();
  const inspectors = inspectionWorkers();
  const routes = trasmissioneRoutes({
    flussi,
    inspectors,
    queue: deps.queue,
    audit: deps.audit,
    maxUploadBytes: deps.maxUploadBytes,
    now: deps.now,
  });
  return {
    install(app) {
      app.route("/", routes as unknown as Hono<AppEnv>);
    },
    jobs: {
      [UPKEEP_JOB]: async () => await flussi.upkeep(),
      [INGEST_JOB]: ingestHandler({
        sql: deps.sql,
        flussi,
        prestazioni,
        sinba: new SinbaRepo(),
        audit: deps.audit,
        rules: deps.rules,
        judges,
      }),
    },
    judges,
    inspectors,
  };
}
