/**
 * The benefit-code table (Tabella 1 of DM 206/2014 and later additions):
 * versioned reference data. The administrator uploads a new version as CSV;
 * it is validated, compared with the active one (added, changed, retired
 * codes) and then activated from a date. Earlier versions stay queryable, and
 * R09 judges a record against the version valid at the record's date.
 *
 * @example
 * ```ts
 * const table = await CodeTable.load(db.sql);
 * table.code("A1.04", "2024-03-01"); // { codice: "A1.04", … }
 * ```
 * @module
 */
import { parse } from "csv/sync";
import { z } from "zod";
import type { Queryable, Sql } from "../platform/db.ts";
import { isIsoDate } from "../platform/dates.ts";
import { sha256Hex } from "../platform/hash.ts";
import type { CodeInfo } from "./rules.ts";

/** A code of one version of the table. */
export interface CodeRow extends CodeInfo {
  denominazione: string;
  macroArea: "A1" | "A2" | "A3";
  condizionataIsee: boolean | null;
  fonte: string | null;
}

/** A version of the table. */
export interface TableVersion {
  id: number;
  stato: "bozza" | "attiva" | "archiviata";
  validaDal: string | null;
  fonte: string;
  sha256: string;
  caricataDa: string;
  caricataAt: Date;
  attivataAt: Date | null;
}

/** The header of the table's CSV; `condizionata_isee` is optional. */
export const CODE_TABLE_COLUMNS = [
  "codice",
  "denominazione",
  "macro_area",
  "valido_dal",
  "valido_al",
  "solo_presa_in_carico",
  "richiede_data_evento",
  "fonte",
] as const;

/** The table shipped with the product, loaded as the first version of a new installation. */
export const BUNDLED_TABLE = new URL("./data/tabella-prestazioni.csv", import.meta.url);

const flag = (name: string) =>
  z.string().trim().toUpperCase().refine((v) => v === "S" || v === "N", `${name}: indicare S o N`)
    .transform((v) => v === "S");
const isoDate = (name: string) =>
  z.string().trim().refine(isIsoDate, `${name}: data non valida (AAAA-MM-GG)`);

const rowSchema = z.object({
  codice: z.string().trim().regex(
    /^A[1-3](\.\d{2}){1,3}$/,
    "codice: formato atteso A1.04 o A1.05.01",
  ),
  denominazione: z.string().trim().min(10, "denominazione: almeno 10 caratteri").max(
    200,
    "denominazione: al massimo 200 caratteri",
  ),
  macro_area: z.enum(["A1", "A2", "A3"], "macro_area: A1, A2 o A3"),
  valido_dal: isoDate("valido_dal"),
  valido_al: z.string().trim().transform((v) => v || null).pipe(isoDate("valido_al").nullable()),
  solo_presa_in_carico: flag("solo_presa_in_carico"),
  richiede_data_evento: flag("richiede_data_evento"),
  condizionata_isee: z.string().trim().optional().transform((v) => v || undefined).pipe(
    flag("condizionata_isee").optional(),
  ),
  fonte: z.string().trim().max(200, "fonte: al massimo 200 caratteri").transform((v) => v || null),
}).superRefine((r, ctx) => {
  if (!r.codice.startsWith(r.macro_area)) {
    ctx.addIssue({
      code: "custom",
      path: ["macro_area"],
      message: "macro_area: non corrisponde al codice",
    });
  }
  if (r.valido_al && r.valido_al < r.valido_dal) {
    ctx.addIssue({ code: "custom", path: ["valido_al"], message: "valido_al: precede valido_dal" });
  }
});

/** The outcome of reading a table CSV: the rows, or the problems with their line numbers. */
export type ParsedTable = { ok: true; rows: CodeRow[] } | { ok: false; errors: string[] };

/** Reads and validates a table CSV (`;`-separated, UTF-8, header of {@linkcode CODE_TABLE_COLUMNS}). */
export function parseCodeTableCsv(text: string): ParsedTable {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ""), {
      delimiter: ";",
      skip_empty_lines: true,
      relax_column_count: true,
    });
  } catch (error) {
    return { ok: false, errors: [`File non leggibile come CSV: ${(error as Error).message}`] };
  }
  const [header, ...lines] = records;
  const missing = CODE_TABLE_COLUMNS.filter((c) => !header?.includes(c));
  if (!header || missing.length) {
    return { ok: false, errors: [`Riga 1: mancano le colonne ${missing.join(", ")}`] };
  }
  const errors: string[] = [];
  const rows: CodeRow[] = [];
  const seen = new Set<string>();
  lines.forEach((cells, i) => {
    const line = i + 2;
    if (cells.length !== header.length) {
      errors.push(`Riga ${line}: ${cells.length} colonne invece di ${header.length}`);
      return;
    }
    const parsed = rowSchema.safeParse(Object.fromEntries(header.map((h, j) => [h, cells[j]])));
    if (!parsed.success) {
      errors.push(...parsed.error.issues.map((issue) => `Riga ${line}: ${issue.message}`));
      return;
    }
    const r = parsed.data;
    if (seen.has(r.codice)) errors.push(`Riga ${line}: codice ${r.codice} ripetuto`);
    seen.add(r.codice);
    rows.push({
      codice: r.codice,
      denominazione: r.denominazione,
      macroArea: r.macro_area,
      validoDal: r.valido_dal,
      validoAl: r.valido_al,
      soloPresaInCarico: r.solo_presa_in_carico,
      richiedeDataEvento: r.richiede_data_evento,
      condizionataIsee: r.condizionata_isee ?? null,
      fonte: r.fonte,
    });
  });
  if (rows.length === 0 && errors.length === 0) errors.push("Il file non contiene codici");
  return errors.length ? { ok: false, errors } : { ok: true, rows };
}

/** What changes from one version to another. */
export interface TableDiff {
  added: CodeRow[];
  changed: { before: CodeRow; after: CodeRow; fields: string[] }[];
  retired: CodeRow[];
}

const COMPARED: (keyof CodeRow)[] = [
  "denominazione",
  "macroArea",
  "validoDal",
  "validoAl",
  "soloPresaInCarico",
  "richiedeDataEvento",
  "condizionataIsee",
];

/** Compares two versions' codes. */
export function diffTables(before: CodeRow[], after: CodeRow[]): TableDiff {
  const old = new Map(before.map((r) => [r.codice, r]));
  const now = new Map(after.map((r) => [r.codice, r]));
  const changed: TableDiff["changed"] = [];
  for (const r of after) {
    const prev = old.get(r.codice);
    const fields = prev ? COMPARED.filter((f) => prev[f] !== r[f]) : [];
    if (prev && fields.length) changed.push({ before: prev, after: r, fields });
  }
  return {
    added: after.filter((r) => !old.has(r.codice)),
    changed,
    retired: before.filter((r) => !now.has(r.codice)),
  };
}

/** Stores a new draft version; returns its id. */
export async function createDraft(
  sql: Sql,
  rows: CodeRow[],
  meta: { fonte: string; sha256: string; caricataDa: string },
): Promise<number> {
  return await sql.begin(async (tx) => {
    const [{ id }] = await tx`
      insert into tabella_versioni (fonte, sha256, caricata_da)
      values (${meta.fonte}, ${meta.sha256}, ${meta.caricataDa}) returning id`;
    await insertRows(tx, id, rows);
    return id;
  });
}

async function insertRows(tx: Queryable, versionId: number, rows: CodeRow[]) {
  const values = rows.map((r) => ({
    versione_id: versionId,
    codice: r.codice,
    denominazione: r.denominazione,
    macro_area: r.macroArea,
    valido_dal: r.validoDal,
    valido_al: r.validoAl,
    solo_presa_in_carico: r.soloPresaInCarico,
    richiede_data_evento: r.richiedeDataEvento,
    condizionata_isee: r.condizionataIsee,
    fonte: r.fonte,
  }));
  for (let i = 0; i < values.length; i += 1000) {
    await tx`insert into tabella_codici ${tx(values.slice(i, i + 1000))}`;
  }
}

/**
 * Activates a draft from `validaDal`: benefits dated from that day are judged
 * against it. The versions stay; a draft never activated can be discarded.
 * False when the version is not a draft.
 */
export async function activateVersion(
  sql: Sql,
  id: number,
  validaDal: string,
  attivataDa: string,
): Promise<boolean> {
  const rows = await sql`
    update tabella_versioni set stato = 'attiva', valida_dal = ${validaDal}, attivata_da = ${attivataDa},
      attivata_at = now()
    where id = ${id} and stato = 'bozza' returning id`;
  return rows.length === 1;
}

/** Deletes a draft version. */
export async function discardDraft(sql: Sql, id: number): Promise<boolean> {
  const rows =
    await sql`delete from tabella_versioni where id = ${id} and stato = 'bozza' returning id`;
  return rows.length === 1;
}

/** Loads the bundled table as the first active version, when the database has none. */
export async function ensureCodeTable(sql: Sql): Promise<void> {
  const [{ n }] = await sql`select count(*) as n from tabella_versioni where stato = 'attiva'`;
  if (n > 0) return;
  const text = await Deno.readTextFile(BUNDLED_TABLE);
  const parsed = parseCodeTableCsv(text);
  if (!parsed.ok) {
    throw new Error(`Tabella prestazioni distribuita non valida: ${parsed.errors.join("; ")}`);
  }
  await sql.begin(async (tx) => {
    const [{ id }] = await tx`
      insert into tabella_versioni (stato, valida_dal, fonte, sha256, caricata_da, attivata_da, attivata_at)
      values ('attiva', '2015-01-01', 'tabella-prestazioni.csv', ${await sha256Hex(
      text,
    )}, 'sistema', 'sistema', now())
      returning id`;
    await insertRows(tx, id, parsed.rows);
  });
}

/** Every version, newest first. */
export async function listVersions(sql: Sql): Promise<TableVersion[]> {
  const rows = await sql`
    select id, stato, valida_dal::text, fonte, sha256, caricata_da, caricata_at, attivata_at
    from tabella_versioni order by id desc`;
  return rows.map((r) => ({
    id: r.id,
    stato: r.stato,
    validaDal: r.valida_dal,
    fonte: r.fonte,
    sha256: r.sha256,
    caricataDa: r.caricata_da,
    caricataAt: r.caricata_at,
    attivataAt: r.attivata_at,
  }));
}

/** The codes of one version. */
export async function versionRows(sql: Sql, id: number): Promise<CodeRow[]> {
  const rows = await sql`
    select codice, denominazione, macro_area, valido_dal::text, valido_al::text, solo_presa_in_carico,
      richiede_data_evento, condizionata_isee, fonte
    from tabella_codici where versione_id = ${id} order by codice`;
  return rows.map((r) => ({
    codice: r.codice,
    denominazione: r.denominazione,
    macroArea: r.macro_area,
    validoDal: r.valido_dal,
    validoAl: r.valido_al,
    soloPresaInCarico: r.solo_presa_in_carico,
    richiedeDataEvento: r.richiede_data_evento,
    condizionataIsee: r.condizionata_isee,
    fonte: r.fonte,
  }));
}

/** The active versions in memory: which version, and which code, applies at a date. */
export class CodeTable {
  private constructor(
    /** Active versions, oldest first. */
    readonly versions: { id: number; validaDal: string; codes: Map<string, CodeRow> }[],
  ) {}

  /** The table of these versions (as {@linkcode CodeTable.versions} holds them, e.g. copied to a worker). */
  static of(versions: CodeTable["versions"]): CodeTable {
    return new CodeTable(versions);
  }

  /** Loads every active version. */
  static async load(sql: Sql): Promise<CodeTable> {
    const versions = await listVersions(sql);
    const active = versions.filter((v) => v.stato === "attiva").sort((a, b) =>
      a.validaDal! < b.validaDal! ? -1 : a.validaDal! > b.validaDal! ? 1 : a.id - b.id
    );
    return new CodeTable(
      await Promise.all(active.map(async (v) => ({
        id: v.id,
        validaDal: v.validaDal!,
        codes: new Map((await versionRows(sql, v.id)).map((r) => [r.codice, r])),
      }))),
    );
  }

  /** The version that applies at `date` (the latest activated from that day or before; else the first). */
  versionAt(date: string | undefined): { id: number; codes: Map<string, CodeRow> } | undefined {
    if (!date) return this.versions.at(-1);
    let chosen = this.versions[0];
    for (const v of this.versions) if (v.validaDal <= date) chosen = v;
    return chosen;
  }

  /** The code valid at `date` in the version valid at `date`; undefined when it does not exist or is not valid. */
  code(codice: string, date: string | undefined): CodeRow | undefined {
    const row = this.versionAt(date)?.codes.get(codice);
    if (!row) return undefined;
    if (date && (date < row.validoDal || (row.validoAl !== null && date > row.validoAl))) {
      return undefined;
    }
    return row;
  }
}
