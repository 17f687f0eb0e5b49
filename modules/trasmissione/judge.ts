/**
 * The judgement of a flow's records: the domain rules that need no database
 * (R01–R14), with the business key their lines name; and a batch of them in
 * the compact form the worker sends. The rules that need the register (R15,
 * R16) are the storing stage's.
 * @module
 */
import type { PsRecord } from "../prestazioni/record.ts";
import {
  businessKey,
  copyLine,
  type EncodedLines,
  encodeLines,
  sinaLine,
} from "../prestazioni/repo.ts";
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

/** The batch of `judged` records for `target`. */
export function toBatch(judged: Judged[], target: BatchTarget): JudgedBatch {
  const batch: JudgedBatch = { size: judged.length, rejected: 0, scarti: [], runs: [] };
  let run: Run | undefined;
  // The lines of each run stored through COPY, encoded once the batch is complete.
  const copies = new Map<Run, { lines: string[]; sina: string[] }>();
  for (const j of judged) {
    const r = j.record;
    if (!r) {
      batch.rejected++;
      batch.scarti.push(...scarti(j.item.posizione, j.key, j.errors));
      continue;
    }
    const sinba = "IDBeneficiario" in r;
    const cancel = !sinba && r.TipoOperazione === "C";
    // Only PS-PSA-SINA insertions are stored through COPY.
    const copying = target.copyTo !== undefined && !sinba && !cancel;
    if (run?.cancel !== cancel) {
      run = { cancel, posizioni: [], keys: [], values: [], avvisi: [] };
      if (copying) copies.set(run, { lines: [], sina: [] });
      else if (target.storing) run.records = [];
      batch.runs.push(run);
    }
    run.posizioni.push(j.item.posizione);
    run.keys.push(j.key);
    run.values.push(sinba ? r.IDBeneficiario : r.ProtocolloDomanda);
    run.avvisi.push(j.warnings.length);
    const copy = copies.get(run);
    if (copy) {
      const { ente, acquisizione } = target.copyTo!;
      const ps = r as PsRecord;
      copy.lines.push(copyLine(ente, acquisizione, { record: ps, warnings: j.warnings }));
      copy.sina.push(ps.SINA ? sinaLine(ps.SINA) : "");
    } else run.records?.push({ record: r, warnings: j.warnings });
  }
  for (const [run, { lines, sina }] of copies) run.copy = { lines: encodeLines(lines), sina };
  return batch;
}

/** The buffers a batch can hand over to another thread instead of copying them. */
export function transferables(batch: JudgedBatch): ArrayBuffer[] {
  return batch.runs.flatMap((run) =>
    run.copy ? [run.copy.lines.bytes.buffer, run.copy.lines.ends.buffer] as ArrayBuffer[] : []
  );
}
