/**
 * The judgement of one record of a flow: the domain rules that need no
 * database (R01–R14), with the business key its rejected lines name. The
 * rules that need the register (R15, R16) are the storing stage's.
 * @module
 */
import type { PsRecord } from "../prestazioni/record.ts";
import { businessKey } from "../prestazioni/repo.ts";
import { checkRecord, type RuleContext, type Violation } from "../prestazioni/rules.ts";
import { checkSinba, type SinbaRecord } from "../prestazioni/sinba.ts";
import type { FlowItem } from "./sources.ts";

/** A judged record. */
export interface Judged {
  item: FlowItem;
  key: string;
  errors: Violation[];
  warnings: Violation[];
  /** The record, when no rule refuses it. */
  record?: PsRecord | SinbaRecord;
  /** Its line for `COPY`, when written ahead (see `copyLine`). */
  line?: string;
}

/** Whether a valid record cancels (`TipoOperazione="C"`) instead of inserting. */
export const isCancel = (j: Judged): boolean =>
  !!j.record && "TipoOperazione" in j.record && j.record.TipoOperazione === "C";

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
