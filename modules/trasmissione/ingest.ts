/**
 * The second stage of a flow, as a durable job: every record is judged by
 * the domain rules and the valid ones are stored in batches. Each batch
 * commits its records, its rejected lines, the counts and the checkpoint
 * together, under the job's lease: a worker killed at any moment leaves
 * whole batches only, and the next one resumes after the last checkpoint,
 * so a record is never stored twice nor lost.
 *
 * - `invio`: partial acceptance, batch by batch.
 * - `verifica`: everything but storing; duplicates (R15) and missing keys
 *   (R16) are judged against the register and the flow itself.
 * - all or nothing (`atomico`): a verification pass first; only a flow
 *   without rejections is then stored, in one transaction.
 * @module
 */
import type { Audit } from "../platform/audit.ts";
import type { Queryable, Sql, Transaction } from "../platform/db.ts";
import type { JobContext, JobHandler } from "../platform/jobs.ts";
import type { WorkerPool } from "../platform/worker_pool.ts";
import type { PsRecord } from "../prestazioni/record.ts";
import { type Accepted, duplicate, notFound, type PrestazioniRepo } from "../prestazioni/repo.ts";
import type { Violation } from "../prestazioni/rules.ts";
import { sinbaDuplicate, type SinbaRecord, type SinbaRepo } from "../prestazioni/sinba.ts";
import type { RuleContextData } from "../prestazioni/validation.ts";
import { type JudgedBatch, type Run, scarti } from "./judge.ts";
import { idle, judgedBatches } from "./judging.ts";
import type { FlussiRepo, Flusso, Scarto } from "./repo.ts";

/** The job kind. */
export const INGEST_JOB = "flusso.elaborazione";
/** Attempts before a flow ends in ERRORE_GENERICO. */
export const INGEST_ATTEMPTS = 5;

// The most records judged, stored and committed together (see `batchSize`): fewer round trips
// and commits per flow, and still a fraction of a second of work lost to a crash.
const BATCH = 5000;

/** What the job needs. */
export interface IngestDeps {
  sql: Sql;
  flussi: FlussiRepo;
  prestazioni: PrestazioniRepo;
  sinba: SinbaRepo;
  audit: Audit;
  /** The rule context in force, as data for the judging worker. */
  rules(): Promise<RuleContextData>;
  /** Where a flow's judging worker comes from, and goes back to once the flow is judged. */
  judges: WorkerPool;
}

/** A rejected-record line, as the report shows it. */
type Line = Scarto;

interface Counts {
  ricevuti: number;
  accettati: number;
  scartati: number;
  annullati: number;
  avvisi: number;
}

const zero = (): Counts => ({ ricevuti: 0, accettati: 0, scartati: 0, annullati: 0, avvisi: 0 });

/** The job handler of flow ingestion. */
export function ingestHandler(deps: IngestDeps): JobHandler {
  return async (job) => {
    const { ente, flusso } = job.payload as { ente: string; flusso: number };
    const flow = await deps.flussi.get(ente, flusso);
    if (!flow || flow.stato === "ELABORATO" || flow.stato === "RIFIUTATO") return null;
    // Kept ready, or started now: its code loads while the flow is being prepared.
    const worker = deps.judges.take();
    let done = false;
    try {
      await deps.sql`
        update flussi set stato = 'IN_ELABORAZIONE', started_at = coalesce(started_at, now())
        where ente_id = ${ente} and id = ${flusso}`;
      const rules = await deps.rules();
      const result = flow.modalita === "verifica" || flow.atomico
        ? await verify(deps, job, flow, rules, worker)
        : await store(deps, job, flow, rules, worker);
      done = true;
      return result;
    } catch (error) {
      if (job.attempt >= INGEST_ATTEMPTS && !job.signal.aborted) {
        await deps.sql`
          update flussi set stato = 'ELABORATO', esito = 'ERRORE_GENERICO', finished_at = now(),
            motivi = ${
          deps.sql.json([{
            riga: 0,
            messaggio:
              "Errore interno durante l'elaborazione: riprovare o contattare l'assistenza.",
          }])
        }
          where ente_id = ${ente} and id = ${flusso}`;
      }
      throw error;
    } finally {
      // Given back only when the flow is done and the worker judged it to its end.
      if (done && idle(worker)) deps.judges.release(worker);
      else deps.judges.discard(worker);
    }
  };
}

/**
 * Batches of judged records, after `skip` records already done, `storing`
 * them or only judging them; `tx` reads the file inside a transaction;
 * `worker` judges them.
 */
function batches(
  flow: Flusso,
  deps: IngestDeps,
  rules: RuleContextData,
  { skip, storing, tx, worker }: {
    skip: number;
    storing: boolean;
    tx?: Queryable;
    worker: Worker;
  },
) {
  return judgedBatches(deps.flussi.blocks(flow.enteId, flow.id, tx), {
    shape: {
      tipo: flow.tipo!,
      formato: flow.formato!,
      encoding: flow.codifica?.startsWith("Windows-1252") ? "Windows-1252" : "UTF-8",
      separatore: flow.separatore ?? undefined,
    },
    rules,
    skip,
    batchSize: BATCH,
    total: flow.totale ?? Infinity,
    storing,
    copyTo: storing && deps.prestazioni.options.copy
      ? { ente: flow.enteId, acquisizione: flow.acquisizioneId! }
      : undefined,
  }, worker);
}

/** Batches written at once, each in a transaction of its own (see {@linkcode store}). */
const WRITING = 2;

/**
 * Partial acceptance: each batch stored and committed with its checkpoint.
 * Two batches are written at once, on two connections: the server stores
 * one while it receives the other. They still commit in file order — a
 * batch checks the lease and moves the checkpoint only once the previous
 * one has committed — and a batch that holds a key of the previous one
 * waits for it, so that a duplicate or a cancellation across them is judged
 * on what the previous one stored.
 */
async function store(
  deps: IngestDeps,
  job: JobContext,
  flow: Flusso,
  rules: RuleContextData,
  worker: Worker,
) {
  let done = flow.posizione;
  // The batches being written, oldest first: their commit, the report of their progress that
  // follows it, and their keys.
  const writing: { committed: Promise<void>; reported: Promise<void>; keys: Set<string> }[] = [];
  try {
    // The next batch is parsed and judged while the previous ones are being written.
    for await (const batch of batches(flow, deps, rules, { skip: done, storing: true, worker })) {
      if (writing.length === WRITING) await writing.shift()!.reported;
      const keys = new Set(batch.runs.flatMap((run) => run.keys));
      const previous = writing.at(-1);
      if (previous && previous.keys.values().some((key) => keys.has(key))) await previous.reported;
      const before = previous?.committed;
      const start = done;
      done += batch.size;
      const end = done;
      const committed = deps.sql.begin(async (tx) => {
        const counts = zero();
        const out: Line[] = [];
        counts.ricevuti = batch.size;
        await write(tx, deps, flow, batch, counts, out);
        // The previous batch's checkpoint is where this one starts.
        await before;
        await job.assertLease(tx);
        await commitBatch(tx, flow, start, batch.size, counts, out);
      });
      const reported = committed.then(() => previous?.reported).then(() =>
        job.progress({ done: end, total: flow.totale ?? undefined })
      );
      // Awaited later; observed now, so that a failure while the next batch is being parsed is
      // not an unhandled rejection (which would end the worker process).
      committed.catch(() => {});
      reported.catch(() => {});
      writing.push({ committed, reported, keys });
    }
    for (const { reported } of writing) await reported;
  } finally {
    // A failure leaves no transaction behind it: those in flight end (and roll back) first.
    await Promise.allSettled(writing.map((w) => w.reported));
  }
  return await finish(deps, flow);
}

/** Stores the valid records of a batch in file order (inserts and cancellations), counting outcomes. */
async function write(
  tx: Transaction,
  deps: IngestDeps,
  flow: Flusso,
  batch: JudgedBatch,
  counts: Counts,
  out: Line[],
) {
  counts.scartati += batch.rejected;
  out.push(...batch.scarti);
  // Runs of the same operation keep the file's order between inserts and cancellations.
  for (const run of batch.runs) {
    for (const n of run.avvisi) counts.avvisi += n;
    const outcomes = await storeRun(tx, deps, flow, run);
    outcomes.forEach((o, k) => {
      if (o.ok) {
        if (run.cancel) counts.annullati++;
        else counts.accettati++;
      } else {
        counts.scartati++;
        counts.avvisi -= run.avvisi[k];
        out.push(...scarti(run.posizioni[k], run.keys[k], [o.violation]));
      }
    });
  }
}

function storeRun(tx: Transaction, deps: IngestDeps, flow: Flusso, run: Run) {
  const { enteId: ente, acquisizioneId } = flow;
  const acquisizione = acquisizioneId!;
  if (run.copy) {
    return deps.prestazioni.insertLines(tx, ente, acquisizione, {
      keys: run.keys,
      protocolli: run.values,
      ...run.copy,
    });
  }
  const records = run.records!;
  if (flow.tipo === "SINBA") {
    return deps.sinba.insert(tx, ente, acquisizione, records.map((a) => a.record as SinbaRecord));
  }
  return run.cancel
    ? deps.prestazioni.cancel(tx, ente, acquisizione, records.map((a) => a.record as PsRecord))
    : deps.prestazioni.insert(tx, ente, acquisizione, records as Accepted[]);
}

/** Stores rejected-record lines, 5 000 per statement (8 parameters each, below PostgreSQL's limit). */
async function insertLines(tx: Queryable, flow: Flusso, out: Line[]) {
  for (let i = 0; i < out.length; i += 5000) {
    await tx`insert into flussi_scarti ${
      tx(out.slice(i, i + 5000).map((l) => ({ ente_id: flow.enteId, flusso_id: flow.id, ...l })))
    }`;
  }
}

async function commitBatch(
  tx: Queryable,
  flow: Flusso,
  start: number,
  n: number,
  counts: Counts,
  out: Line[],
) {
  await insertLines(tx, flow, out);
  // The checkpoint moves only from where this batch started: a batch is never counted twice.
  const rows = await tx`
    update flussi set posizione = posizione + ${n}, ricevuti = ricevuti + ${counts.ricevuti},
      accettati = accettati + ${counts.accettati}, scartati = scartati + ${counts.scartati},
      annullati = annullati + ${counts.annullati}, avvisi = avvisi + ${counts.avvisi}
    where ente_id = ${flow.enteId} and id = ${flow.id} and posizione = ${start}
    returning id`;
  if (rows.length !== 1) throw new Error(`checkpoint del flusso ${flow.id} non allineato`);
}

/**
 * Verification (dry run, and the first pass of all or nothing): the same
 * judgement, with duplicates and cancellations judged against the register
 * and against the earlier records of the flow, and nothing stored. After a
 * restart the batches already committed are replayed for their keys only.
 */
async function verify(
  deps: IngestDeps,
  job: JobContext,
  flow: Flusso,
  rules: RuleContextData,
  worker: Worker,
) {
  // Keys the flow itself made active (true) or cancelled (false) so far.
  const touched = new Map<string, boolean>();
  const checkpoint = flow.posizione;
  let done = 0;
  for await (const batch of batches(flow, deps, rules, { skip: 0, storing: false, worker })) {
    const start = done;
    done += batch.size;
    const counts = zero();
    counts.ricevuti = batch.size;
    const out: Line[] = [];
    await judgeKeys(deps, flow, batch, touched, counts, out);
    if (done <= checkpoint) continue;
    await deps.sql.begin(async (tx) => {
      await job.assertLease(tx);
      await commitBatch(tx, flow, start, batch.size, counts, out);
    });
    await job.progress({ done, total: flow.totale ?? undefined });
  }
  touched.clear();
  const verified = (await deps.flussi.get(flow.enteId, flow.id))!;
  if (flow.modalita === "verifica" || verified.scartati > 0) return await finish(deps, flow);
  // All or nothing, and nothing was rejected: store everything in one transaction, which also
  // closes the flow, so that a restart after it commits finds the flow done.
  const race: Line[] = [];
  try {
    await deps.sql.begin(async (tx) => {
      await job.assertLease(tx);
      // The worker that verified the flow judges it again: it judged it to its end.
      const pass = { skip: 0, storing: true, tx, worker };
      for await (const batch of batches(flow, deps, rules, pass)) {
        const out: Line[] = [];
        await write(tx, deps, flow, batch, zero(), out);
        if (out.length) {
          race.push(...out);
          throw new AtomicRefused();
        }
      }
      await tx`update flussi set stato = 'ELABORATO', esito = 'OK', finished_at = now()
               where ente_id = ${flow.enteId} and id = ${flow.id}`;
    });
  } catch (error) {
    if (!(error instanceof AtomicRefused)) throw error;
    // Another flow stored one of these keys after the verification: nothing is stored.
    await deps.sql.begin(async (tx) => {
      await job.assertLease(tx);
      await insertLines(tx, flow, race);
      await tx`update flussi set scartati = scartati + ${new Set(race.map((l) => l.posizione)).size}
               where ente_id = ${flow.enteId} and id = ${flow.id}`;
    });
  }
  return await finish(deps, flow);
}

class AtomicRefused extends Error {}

/**
 * R15 and R16 without storing: the batch's keys are looked up in the register
 * once, then applied in file order together with what the flow did before.
 */
async function judgeKeys(
  deps: IngestDeps,
  flow: Flusso,
  batch: JudgedBatch,
  touched: Map<string, boolean>,
  counts: Counts,
  out: Line[],
) {
  counts.scartati += batch.rejected;
  out.push(...batch.scarti);
  const active = await activeKeys(deps.sql, flow, [...new Set(batch.runs.flatMap((r) => r.keys))]);
  for (const run of batch.runs) {
    run.keys.forEach((key, k) => {
      const refuse = (rule: "R15" | "R16") => {
        counts.scartati++;
        out.push(...scarti(run.posizioni[k], key, [violation(flow, rule, run.values[k])]));
      };
      const isActive = touched.get(key) ?? active.has(key);
      if (run.cancel) {
        if (!isActive) refuse("R16");
        else {
          touched.set(key, false);
          counts.annullati++;
        }
      } else if (isActive) refuse("R15");
      else {
        touched.set(key, true);
        counts.accettati++;
        counts.avvisi += run.avvisi[k];
      }
    });
  }
}

/** The repository's own R15 or R16 for a record judged without storing it. */
function violation(flow: Flusso, rule: "R15" | "R16", value: string): Violation {
  if (flow.tipo === "SINBA") return sinbaDuplicate(value);
  return rule === "R15" ? duplicate(value) : notFound(value);
}

async function activeKeys(sql: Sql, flow: Flusso, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = flow.tipo === "SINBA"
    ? await sql`
      select id_beneficiario || '|' || data_prima_segnalazione as key from sinba_casi
      where ente_id = ${flow.enteId} and stato = 'attiva'
        and id_beneficiario || '|' || data_prima_segnalazione = any(${keys}::text[])`
    : await sql`
      select p.codice_fiscale || '|' || p.codice_prestazione || '|' || p.protocollo_domanda || '|' ||
        p.data_riferimento::text as key
      from prestazioni p
      join (select split_part(k, '|', 1) as cf, split_part(k, '|', 2) as codice,
                   split_part(k, '|', 3) as protocollo, split_part(k, '|', 4) as data
            from unnest(${keys}::text[]) k) q
        on p.ente_id = ${flow.enteId} and p.stato = 'attiva' and p.codice_fiscale = q.cf
       and p.codice_prestazione = q.codice and p.protocollo_domanda = q.protocollo
       and p.data_riferimento = nullif(q.data, '')::date`;
  return new Set(rows.map((r) => r.key as string));
}

/** Closes the flow with its outcome, once every record was judged. */
async function finish(deps: IngestDeps, flow: Flusso) {
  const now = (await deps.flussi.get(flow.enteId, flow.id))!;
  const refusedAtomic = flow.atomico && flow.modalita === "invio" && now.scartati > 0;

  const esito = refusedAtomic ? "RICHIESTA_INVALIDA" : now.scartati > 0 ? "OK_CON_SCARTI" : "OK";
  const motivi = refusedAtomic
    ? [{
      riga: 0,
      messaggio:
        `Modalità "tutto o niente": ${now.scartati} record scartati, quindi nessun record è stato acquisito.`,
    }]
    : [];
  // An all-or-nothing flow that was stored is already closed, by its own transaction.
  if (now.stato !== "ELABORATO") {
    await deps.sql`
      update flussi set stato = ${refusedAtomic ? "RIFIUTATO" : "ELABORATO"}, esito = ${esito},
        accettati = ${refusedAtomic ? 0 : now.accettati},
        annullati = ${refusedAtomic ? 0 : now.annullati}, avvisi = ${
      refusedAtomic ? 0 : now.avvisi
    },
        motivi = ${deps.sql.json(motivi)},
        finished_at = now()
      where ente_id = ${flow.enteId} and id = ${flow.id}`;
  }
  await deps.audit.record({
    actor: flow.operatore,
    ente: flow.enteId,
    action: flow.modalita === "verifica" ? "flusso.verifica" : "flusso.elaborazione",
    object: String(flow.id),
    details: {
      esito,
      ricevuti: now.ricevuti,
      accettati: refusedAtomic ? 0 : now.accettati,
      scartati: now.scartati,
      annullati: refusedAtomic ? 0 : now.annullati,
    },
  });
  return { esito, ricevuti: now.ricevuti, scartati: now.scartati };
}
