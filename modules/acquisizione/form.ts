/**
 * The single-entry form as data: the values submitted under the official
 * attribute names, which blocks they make visible, the flat input the domain
 * parser reads, and the violations turned into field errors. The form holds
 * no rule of its own: `fromFlatInput` and `checkRecord` judge what it sends.
 *
 * @example
 * ```ts
 * const values = formValues(await c.req.parseBody({ all: true }));
 * const parsed = fromFlatInput(toFlatInput(values));
 * ```
 * @module
 */
import {
  ADDRESS_FIELDS,
  BENEFICIARY_FIELDS,
  BENEFIT_FIELDS,
  type FlatInput,
  type PsRecord,
  SINA_FIELDS,
} from "../prestazioni/record.ts";
import type { Violation } from "../prestazioni/rules.ts";

/** Submitted values by official name; the two SINA lists repeat. */
export type FormValues = Record<string, string | string[]>;

/** The fields whose values repeat. */
export const LIST_FIELDS = new Set(["NecessitaInterventiSociali", "InvCiv"]);

const DSU_FIELDS = ["NumeroProtocolloDSU", "AnnoProtocolloDSU", "DataDSU"] as const;
const PERIODIC_FIELDS = [
  "DataInizioPrestazione",
  "DataFinePrestazione",
  "PeriodoErogazione",
  "ImportoMensile",
] as const;
const ONE_OFF_FIELDS = ["DataErogazionePrestazione", "ImportoPrestazione"] as const;

/** The string values of a parsed body (`parseBody({ all: true })`); files and the CSRF token are dropped. */
export function formValues(body: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const [name, raw] of Object.entries(body)) {
    if (name === "_csrf") continue;
    const list = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string =>
      typeof v === "string"
    );
    if (list.length === 0) continue;
    values[name] = LIST_FIELDS.has(name) ? list.filter((v) => v.trim() !== "") : list.at(-1)!;
  }
  return values;
}

/** One value of the form, trimmed ('' when absent or a list). */
export function text(values: FormValues, name: string): string {
  const v = values[name];
  return typeof v === "string" ? v.trim() : "";
}

/** Which conditional blocks the values open. */
export interface Visibility {
  /** Residence in Italy: region and comune pickers. */
  italia: boolean;
  dsu: boolean;
  periodica: boolean;
  unaTantum: boolean;
  areaUtenza: boolean;
  sina: boolean;
}

/** The blocks to show for `values`; the DSU and area blocks stay open while they hold values. */
export function visibility(values: FormValues): Visibility {
  const filled = (fields: readonly string[]) =>
    fields.some((f) => {
      const v = values[f];
      return Array.isArray(v) ? v.length > 0 : (v ?? "").trim() !== "";
    });
  const presaCarico = text(values, "PresaCarico") === "1";
  return {
    italia: (text(values, "CodiceNazione") || "380") === "380",
    dsu: text(values, "PresenzaProvaMezzi") === "1" || filled(DSU_FIELDS),
    periodica: text(values, "CaratterePrestazione") === "1",
    unaTantum: text(values, "CaratterePrestazione") === "2",
    areaUtenza: presaCarico || filled(["AreaUtenza"]),
    // Health data: only for a disabled person taken in charge, never kept in a closed block.
    sina: presaCarico && text(values, "AreaUtenza") === "2",
  };
}

/**
 * The flat input of the domain parser: the fields of the visible blocks only,
 * so that a value left in a block the operator closed is not transmitted.
 */
export function toFlatInput(values: FormValues): FlatInput {
  const v = visibility(values);
  const hidden = new Set<string>([
    ...(v.italia ? [] : ["CodiceRegione", "CodiceComune"]),
    ...(v.dsu ? [] : DSU_FIELDS),
    ...(v.periodica ? [] : PERIODIC_FIELDS),
    ...(v.unaTantum ? [] : ONE_OFF_FIELDS),
    ...(v.areaUtenza ? [] : ["AreaUtenza"]),
    ...(v.sina ? [] : SINA_FIELDS),
  ]);
  // Neither block is open until the carattere is chosen; the rules then name what is missing.
  if (!v.periodica && !v.unaTantum) {
    for (const f of [...PERIODIC_FIELDS, ...ONE_OFF_FIELDS]) hidden.delete(f);
  }
  const input: FlatInput = {};
  for (const name of FORM_FIELDS) {
    if (hidden.has(name) || name === "TipoOperazione") continue;
    const value = values[name];
    if (value !== undefined) input[name] = value;
  }
  return input;
}

/** Every field of the form, in the order of the CSV layout. */
export const FORM_FIELDS = [
  ...BENEFICIARY_FIELDS,
  ...ADDRESS_FIELDS,
  ...BENEFIT_FIELDS,
  ...SINA_FIELDS,
] as readonly string[];

/** The form's values for a stored record (rettifica): dates ISO, amounts as stored. */
export function recordToValues(r: PsRecord): FormValues {
  const values: FormValues = {};
  const source = r as unknown as Record<string, unknown>;
  for (const name of [...BENEFICIARY_FIELDS, ...BENEFIT_FIELDS]) {
    const v = source[name];
    if (v !== undefined && v !== null && name !== "TipoOperazione") values[name] = String(v);
  }
  const [address] = r.Indirizzi;
  for (const name of ADDRESS_FIELDS) {
    const v = (address as Record<string, string | undefined>)[name];
    if (v) values[name] = v;
  }
  if (r.SINA) {
    const sina = r.SINA as unknown as Record<string, unknown>;
    for (const name of SINA_FIELDS) {
      const v = sina[name];
      if (Array.isArray(v)) values[name] = v.map(String);
      else if (v !== undefined && v !== null) values[name] = String(v);
    }
  }
  return values;
}

/** Field errors for the error summary: the messages of each field's broken rules, joined. */
export function fieldErrors(violations: readonly Violation[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const v of violations) {
    const field = v.field;
    const message = `${v.message} (${v.rule})`;
    errors[field] = errors[field] ? `${errors[field]} ${message}` : message;
  }
  return errors;
}
