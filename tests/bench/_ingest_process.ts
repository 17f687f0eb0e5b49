/**
 * One flow ingested in a process of its own, for the Trasmissione benchmark:
 * the file is read from disk in 64 KiB chunks into the upload's first stage
 * (`FlowIntake`: store, hash, inspect), accepted as the upload route accepts
 * it, and ingested by the real job on a worker. Prints one JSON line with the
 * timings and the peak resident memory of this process.
 *
 * Usage: `deno run -A _ingest_process.ts prepare <database>`, then
 * `deno run -A _ingest_process.ts <file> <database> <warm-up file>…`, where
 * `<database>` is a PostgreSQL URL or the data directory of an embedded
 * database. Preparing (schema, demo identities, code table, reference data)
 * runs in a process of its own, as it does at a deployment's first start:
 * the measured process is a server as it runs every day after, one that has
 * received and judged flows before — here the warm-up flows, ingested first
 * and not measured, with other records: its code is optimized, and its
 * workers are loaded and kept.
 * @module
 */
import { seedIdentityDemo } from "../../modules/auth/demo.ts";
import { createAudit } from "../../modules/platform/audit.ts";
import { openDatabase } from "../../modules/platform/db.ts";
import { type JobHandler, JobQueue } from "../../modules/platform/jobs.ts";
import { migrate } from "../../modules/platform/migrate.ts";
import { ensureCodeTable } from "../../modules/prestazioni/code_table.ts";
import { loadReferenceData } from "../../modules/prestazioni/reference_data.ts";
import { RuleContextCache } from "../../modules/prestazioni/validation.ts";
import { encodingLabel } from "../../modules/trasmissione/encoding.ts";
import { INGEST_JOB } from "../../modules/trasmissione/ingest.ts";
import { FlowIntake } from "../../modules/trasmissione/intake.ts";
import { createTrasmissione } from "../../modules/trasmissione/mod.ts";
import { FlussiRepo } from "../../modules/trasmissione/repo.ts";
import { checkpoint } from "./_db.ts";

const [file, database, ...warmUp] = Deno.args;
const url = database.startsWith("postgres") ? database : undefined;
const db = await openDatabase(url ? { databaseUrl: url } : { dataDir: database });
const sql = db.sql;
if (file === "prepare") {
  await migrate(sql);
  await seedIdentityDemo(sql);
  await ensureCodeTable(sql);
  await loadReferenceData(sql);
  await db.close();
  Deno.exit(0);
}

let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, Deno.memoryUsage().rss);
}, 20);

// COPY where the database is a server, as `main.ts` sets it.
const copy = db.kind === "server";
const flussi = new FlussiRepo(sql, { copy });
const queue = new JobQueue(sql);
const rules = new RuleContextCache(sql);
const { jobs, judges, inspectors } = createTrasmissione({
  sql,
  audit: createAudit(sql),
  queue,
  maxUploadBytes: 2 ** 40,
  copy,
  rules: () => rules.data(),
});

// The process keeps a judging and an inspection worker loaded, as `main.ts` starts them.
judges.start();
inspectors.start();

// A worker as it runs every day has the rules in force in memory already: they are loaded once
// and kept until an administrator activates a new code table.
await rules.data();

// The flow's end is seen when an attempt of its job returns, with no query meanwhile: a query
// every few milliseconds would compete with the flow it measures.
const attempts = new Map<number, () => void>();
const attemptEnded = (flusso: number) =>
  new Promise<void>((resolve) => attempts.set(flusso, resolve));
const ingestJob: JobHandler = async (job) => {
  try {
    return await jobs[INGEST_JOB](job);
  } finally {
    attempts.get((job.payload as { flusso: number }).flusso)?.();
  }
};
// The product's poll: an accepted flow wakes the worker itself.
const worker = queue.worker({ handlers: { ...jobs, [INGEST_JOB]: ingestJob }, concurrency: 1 });
worker.start();

/** Uploads and ingests `file`: its flow, and the seconds of the first stage and of the whole. */
async function ingest(file: string) {
  const start = performance.now();
  const id = await flussi.create("H501", {
    nomeFile: file.split("/").at(-1)!,
    modalita: "invio",
    atomico: false,
    operatore: "bench",
    cfOperatore: "RSSMRA80A01H501U",
  });
  const intake = new FlowIntake(flussi, { ente: "H501", flussoId: id }, inspectors);
  // Read into one buffer, reused: the intake copies each chunk it takes. The cost of receiving
  // the file is not what is measured, as COPY's is not (its text is in memory already).
  const chunk = new Uint8Array(64 * 1024);
  using handle = await Deno.open(file);
  for (let n; (n = await handle.read(chunk)) !== null;) await intake.push(chunk.subarray(0, n));
  const report = await intake.finish("H501");
  if (report.problems.length) throw new Error(JSON.stringify(report.problems.slice(0, 3)));
  await flussi.accept("H501", id, report, {
    modalita: "invio",
    atomico: false,
    codifica: report.encoding.ok ? encodingLabel(report.encoding) : null,
    operatore: "bench",
    queue,
  });
  const intakeSeconds = (performance.now() - start) / 1000;
  for (;;) {
    // Awaited from before the state is read: an attempt that ends meanwhile is not missed.
    const ended = attemptEnded(id);
    const flow = await flussi.get("H501", id);
    if (flow?.stato === "ELABORATO" || flow?.stato === "RIFIUTATO") break;
    await ended;
  }
  const seconds = (performance.now() - start) / 1000;
  return { id, report, intakeSeconds, seconds };
}

if (warmUp.length) {
  for (const flow of warmUp) await ingest(flow);
  // The measured flow starts after a checkpoint, as every measured run does.
  await checkpoint(sql);
}
const { id, report, intakeSeconds, seconds } = await ingest(file);
await worker.stop();
judges.stop();
inspectors.stop();
clearInterval(sampler);
const flow = (await flussi.get("H501", id))!;
console.log(JSON.stringify({
  flusso: id,
  records: flow.ricevuti,
  accepted: flow.accettati,
  esito: flow.esito,
  seconds,
  intakeSeconds,
  peakRssMb: Math.round(peak / 1048576),
  bytes: report.bytes,
}));
await db.close();
