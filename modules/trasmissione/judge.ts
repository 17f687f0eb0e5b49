/**
 * The judgement of a flow's records: the domain rules that need no database
 * (R01–R14), with the business key their lines name; and a batch of them in
 * the compact form the worker sends. The rules that need the register (R15,
 * R16) are the storing stage's.
 * @module
 */
import type { PsRecord } from "../prestazioni/record.ts";
import { businessKey, type EncodedLines, LineWriter, sinaLine } from "../prestazioni/repo.ts";
import { checkRecord, type RuleContext, type Violation } from "../prestazioni/rules.ts";
import { checkSinba, type SinbaRecord } from "../prestazioni/sinba.ts";
import type { Scarto } from "./repo.ts";
import type { FlowItem } from "./sources.ts";

/** A judged record. */
export interface Judged {
  item: FlowItem;
  key: string;
  errors: Violation[];
  warnings: Violation[];
  /** The record, when no rule refuses it. */
  record?: PsRecord | SinbaRecord;
}

/** The key a rejected line names: the business key of the record, when it could be read. */
function keyOf(item: FlowItem): string {
  if (!item.parsed.ok) return "";
  const r = item.parsed.record;
  return "IDBeneficiario" in r ? `${r.IDBeneficiario}|${r.DataPrimaSegnalazione}` : businessKey(r);
}

/** Judges one record of a flow. */
export function judge(item: FlowItem, ctx: RuleContext): Judged {
  const key = keyOf(item);
  if (!item.parsed.ok) return { item, key, errors: item.parsed.violations, warnings: [] };
  const r = item.parsed.record;
  const violations = "IDBeneficiario" in r ? checkSinba(r, ctx) : checkRecord(r, ctx);
  // Most records break no rule: their (empty) list serves as both, not filtered into two more.
  if (violations.length === 0) {
    return { item, key, errors: violations, warnings: violations, record: r };
  }
  const errors = violations.filter((v) => v.level === "scarto");
  return {
    item,
    key,
    errors,
    warnings: violations.filter((v) => v.level === "avviso"),
    record: errors.length ? undefined : r,
  };
}

// PostgreSQL text cannot hold U+0000: a rejected value carrying it is reported with U+FFFD.
const clean = (s: string) => s.replaceAll("\u0000", "\uFFFD");

/** The report's lines of a record refused by `violations`, one per rule broken. */
export function scarti(posizione: number, key: string, violations: Violation[]): Scarto[] {
  return violations.map((v) => ({
    posizione,
    chiave: key ? clean(key) : null,
    regola: v.rule,
    campo: v.field ? clean(v.field).slice(0, 200) : null,
    valore: v.value === null ? null : clean(v.value).slice(0, 500),
    messaggio: clean(v.message).slice(0, 1000),
  }));
}

/** Valid records of a batch that share one operation, in file order. */
export interface Run {
  /** Cancellations (`TipoOperazione="C"`) rather than insertions. */
  cancel: boolean;
  posizioni: number[];
  keys: string[];
  /** The value an R15 or R16 line names: `ProtocolloDomanda`, or SINBA's `IDBeneficiario`. */
  values: string[];
  /** How many warnings each record carries. */
  avvisi: number[];
  /** The records with their warnings, when they are stored by statement. */
  records?: { record: PsRecord | SinbaRecord; warnings: Violation[] }[];
  /** Their lines, when they are stored through `COPY` (see `PrestazioniRepo.insertLines`). */
  copy?: { lines: EncodedLines; sina: string[] };
}

/**
 * A batch of judged records as the worker sends it: no record travels but
 * those stored by statement, so that the thread that stores does little
 * more than write (a structured clone of whole records costs as much as
 * judging them).
 */
export interface JudgedBatch {
  /** Records in the batch. */
  size: number;
  /** Records refused by R01–R14, and their report lines. */
  rejected: number;
  scarti: Scarto[];
  runs: Run[];
}

/** How the batches are meant: only judged, stored by statement, or stored through `COPY`. */
export interface BatchTarget {
  storing: boolean;
  copyTo?: { ente: string; acquisizione: string };
}

/**
 * A batch built record by record: each judged record is reduced at once to
 * what the batch sends (its COPY line encoded, its key, its report lines),
 * so that nothing of the record outlives it. Records held until the batch
 * is complete would be copied by every garbage collection meanwhile.
 */
export class BatchBuilder {
  #batch: JudgedBatch = { size: 0, rejected: 0, scarti: [], runs: [] };
  #run?: Run;
  // The current run's COPY lines and SINA lines.
  #lines = new LineWriter();
  #sina: string[] = [];

  constructor(private readonly target: BatchTarget) {}

  /** Records added so far. */
  get size(): number {
    return this.#batch.size;
  }

  /** Adds the next judged record, in file order. */
  add(j: Judged): void {
    const batch = this.#batch;
    batch.size++;
    const r = j.record;
    if (!r) {
      batch.rejected++;
      batch.scarti.push(...scarti(j.item.posizione, j.key, j.errors));
      return;
    }
    const sinba = "IDBeneficiario" in r;
    const cancel = !sinba && r.TipoOperazione === "C";
    // Only PS-PSA-SINA insertions are stored through COPY.
    const copying = this.target.copyTo !== undefined && !sinba && !cancel;
    let run = this.#run;
    if (run?.cancel !== cancel) {
      this.#endRun();
      run = this.#run = { cancel, posizioni: [], keys: [], values: [], avvisi: [] };
      if (!copying && this.target.storing) run.records = [];
      batch.runs.push(run);
    }
    run.posizioni.push(j.item.posizione);
    run.keys.push(j.key);
    run.values.push(sinba ? r.IDBeneficiario : r.ProtocolloDomanda);
    run.avvisi.push(j.warnings.length);
    if (copying) {
      const { ente, acquisizione } = this.target.copyTo!;
      const ps = r as PsRecord;
      this.#lines.add(ente, acquisizione, { record: ps, warnings: j.warnings });
      this.#sina.push(ps.SINA ? sinaLine(ps.SINA) : "");
    } else run.records?.push({ record: r, warnings: j.warnings });
  }

  /** The batch of the records added; the builder starts a new one. */
  take(): JudgedBatch {
    this.#endRun();
    const batch = this.#batch;
    this.#batch = { size: 0, rejected: 0, scarti: [], runs: [] };
    return batch;
  }

  /** Closes the current run: its lines, when it has any, become its `copy`. */
  #endRun() {
    const run = this.#run;
    this.#run = undefined;
    if (!run || this.#lines.length === 0) return;
    run.copy = { lines: this.#lines.take(), sina: this.#sina };
    this.#sina = [];
  }
}

/** The buffers a batch can hand over to another thread instead of copying them. */
export function transferables(batch: JudgedBatch): ArrayBuffer[] {
  return batch.runs.flatMap((run) =>
    run.copy ? [run.copy.lines.bytes.buffer, run.copy.lines.ends.buffer] as ArrayBuffer[] : []
  );
}
