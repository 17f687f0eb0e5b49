/**
 * The SINBA record (a minor or family taken in charge): canonical type,
 * parsers from a flat input (CSV row, form, JSON) and from an XML `SINBA`
 * element, its checks, and its storage. SINBA data are the most sensitive of
 * the register: the minor is only the ente's pseudonym `IDBeneficiario`, and
 * a value shaped like a codice fiscale is refused there.
 *
 * @example
 * ```ts
 * const parsed = fromSinbaFlatInput(row);
 * if (parsed.ok) await repo.insert(tx, "H501", acq, [parsed.record]);
 * ```
 * @module
 */
import type { z } from "zod";
import type { Queryable } from "../platform/db.ts";
import { asElement, attrsOf, children, scalar } from "./_xml_nodes.ts";
import { checkCodiceFiscale } from "./codice_fiscale.ts";
import { safeParseFast } from "./fast_schema.ts";
import type { FlatInput, FlatLookup, XmlElement } from "./record.ts";
import type { RuleContext, Violation } from "./rules.ts";
import { CodicePrestazione, ComposizioneFamiglia, SinbaAttrs } from "./schema_sinba.ts";

/** A SINBA record: the attributes by their official names, and the two lists. */
export type SinbaRecord = z.output<typeof SinbaAttrs> & {
  Prestazioni: string[];
  ComposizioneFamiglia: string[];
};

/** The outcome of parsing one SINBA record. */
export type ParsedSinba = { ok: true; record: SinbaRecord } | {
  ok: false;
  violations: Violation[];
};

/** The SINBA CSV columns: every attribute in XSD order, then the two lists (values separated by `|`). */
export const SINBA_CSV_COLUMNS = [
  ...Object.keys(SinbaAttrs.shape),
  "Prestazioni",
  "ComposizioneFamiglia",
];

const r01 = (field: string, value: string | null, message: string): Violation => ({
  rule: "R01",
  level: "scarto",
  field,
  value,
  message,
});

function build(
  attrs: Record<string, string>,
  prestazioni: string[],
  famiglia: string[],
): ParsedSinba {
  const violations: Violation[] = [];
  const parsed = safeParseFast(SinbaAttrs, attrs);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const fields = issue.code === "unrecognized_keys"
        ? issue.keys.map((k) => k || "(senza nome)")
        : [String(issue.path[0] ?? "")];
      for (const f of fields) {
        violations.push(r01(
          f,
          attrs[f] ?? null,
          issue.code === "unrecognized_keys"
            ? `${f}: campo non previsto dal tracciato`
            : attrs[f] === undefined
            ? `${f}: campo obbligatorio`
            : `${f}: ${issue.message}`,
        ));
      }
    }
  }
  const list = (values: string[], schema: z.ZodType, field: string) => {
    if (values.length === 0) violations.push(r01(field, null, `${field}: almeno un valore`));
    for (const v of values) {
      if (!safeParseFast(schema, v).success) {
        violations.push(r01(field, v, `${field}: valore ${v} non ammesso`));
      }
    }
  };
  list(prestazioni, CodicePrestazione, "Prestazioni");
  list(famiglia, ComposizioneFamiglia, "ComposizioneFamiglia");
  const id = attrs.IDBeneficiario ?? "";
  if (checkCodiceFiscale(id.replace(/\s/g, "")).ok) {
    violations.push(r01(
      "IDBeneficiario",
      null,
      "IDBeneficiario non può essere un codice fiscale: usare lo pseudonimo stabile assegnato dall'ente.",
    ));
  }
  if (violations.length || !parsed.success) return { ok: false, violations };
  return {
    ok: true,
    record: { ...parsed.data, Prestazioni: prestazioni, ComposizioneFamiglia: famiglia },
  };
}

/** Parses a flat SINBA input; empty values are absent, lists are separated by `|` or repeated. */
export function fromSinbaFlatInput(input: FlatInput | FlatLookup): ParsedSinba {
  const get: FlatLookup = typeof input === "function" ? input : (name) => input[name];
  const text = (name: string) => {
    const raw = get(name);
    if (raw === null || raw === undefined) return undefined;
    const v = (Array.isArray(raw) ? raw.map(scalar).join("|") : scalar(raw)).trim();
    return v === "" ? undefined : v;
  };
  const attrs: Record<string, string> = {};
  for (const name of Object.keys(SinbaAttrs.shape)) {
    const v = text(name);
    if (v !== undefined) attrs[name] = v;
  }
  const list = (name: string) => text(name)?.split("|").map((s) => s.trim()).filter(Boolean) ?? [];
  return build(attrs, list("Prestazioni"), list("ComposizioneFamiglia"));
}

/** Parses a `SINBA` element in the xml2js shape. */
export function fromSinbaElement(element: XmlElement): ParsedSinba {
  const texts = (parent: XmlElement | undefined, child: string) => {
    const list = asElement(parent) ? parent[child] : undefined;
    return (Array.isArray(list) ? list : []).map((t) => scalar(asElement(t) ? t._ ?? "" : t));
  };
  return build(
    attrsOf(element),
    texts(children(element, "Prestazioni")[0], "CodicePrestazione"),
    texts(children(element, "Famiglia")[0], "ComposizioneFamiglia"),
  );
}

/** Checks a SINBA record's benefit codes against the table (R09). */
export function checkSinba(r: SinbaRecord, ctx: RuleContext): Violation[] {
  const [month, year] = r.DataPrimaSegnalazione.split("/");
  const date = `${year}-${month}-01`;
  return r.Prestazioni.filter((code) => !ctx.code(code, date)).map((code) => ({
    rule: "R09" as const,
    level: "scarto" as const,
    field: "Prestazioni",
    value: code,
    message: `Codice prestazione ${code} inesistente o non valido al ${month}/${year}.`,
  }));
}

/** The outcome of storing one SINBA record. */
export type SinbaOutcome = { ok: true; id: number } | { ok: false; violation: Violation };

/** R15 for SINBA: the case (pseudonym and month of first report) is already active. */
export function sinbaDuplicate(idBeneficiario: string): Violation {
  return {
    rule: "R15",
    level: "scarto",
    field: "IDBeneficiario",
    value: idBeneficiario,
    message:
      "Caso SINBA già presente e attivo per lo stesso beneficiario e mese di prima segnalazione.",
  };
}

const sinbaKey = (r: SinbaRecord) => `${r.IDBeneficiario}|${r.DataPrimaSegnalazione}`;

/** Storage of SINBA records, scoped by ente like the PS repository. */
export class SinbaRepo {
  /** Inserts records of `ente`; an active key (pseudonym and month of first report) is refused with R15. */
  async insert(
    tx: Queryable,
    ente: string,
    acquisizione: string,
    records: SinbaRecord[],
  ): Promise<SinbaOutcome[]> {
    const seen = new Set<string>();
    const fresh = records.filter((r) => !seen.has(sinbaKey(r)) && seen.add(sinbaKey(r)));
    const rows = fresh.map((r) => {
      const { Prestazioni, ComposizioneFamiglia, ...attributi } = r;
      return {
        ente_id: ente,
        acquisizione_id: acquisizione,
        id_beneficiario: r.IDBeneficiario,
        data_prima_segnalazione: r.DataPrimaSegnalazione,
        anno_nascita: r.AnnoNascita,
        fascia_eta: r.FasciaEtaBeneficiario,
        codice_nazione_residenza: r.CodiceNazioneResidenza,
        codice_regione_residenza: r.CodiceRegioneResidenza ?? null,
        attributi,
        prestazioni: Prestazioni,
        composizione_famiglia: ComposizioneFamiglia,
      };
    });
    const inserted = rows.length === 0 ? [] : await tx`
      insert into sinba_casi ${tx(rows)}
      on conflict (ente_id, id_beneficiario, data_prima_segnalazione) where stato = 'attiva' do nothing
      returning id, id_beneficiario || '|' || data_prima_segnalazione as key`;
    const ids = new Map(inserted.map((row) => [row.key as string, row.id as number]));
    const used = new Set<string>();
    return records.map((r) => {
      const id = ids.get(sinbaKey(r));
      if (id === undefined || used.has(sinbaKey(r))) {
        return { ok: false, violation: sinbaDuplicate(r.IDBeneficiario) };
      }
      used.add(sinbaKey(r));
      return { ok: true, id };
    });
  }

  /** Cancels an active record of `ente`; false when there is none with that id. */
  async cancel(tx: Queryable, ente: string, acquisizione: string, id: number): Promise<boolean> {
    const rows = await tx`
      update sinba_casi set stato = 'annullata', annullata_da = ${acquisizione}, annullata_at = now()
      where ente_id = ${ente} and id = ${id} and stato = 'attiva' returning id`;
    return rows.length === 1;
  }

  /** Replaces an active record of `ente` with a new version, atomically; undefined when not found. */
  async correct(
    tx: Queryable,
    ente: string,
    acquisizione: string,
    id: number,
    replacement: SinbaRecord,
  ): Promise<SinbaOutcome | undefined> {
    const [old] = await tx`
      update sinba_casi set stato = 'annullata', annullata_da = ${acquisizione}, annullata_at = now()
      where ente_id = ${ente} and id = ${id} and stato = 'attiva' returning versione`;
    if (!old) return undefined;
    const [outcome] = await this.insert(tx, ente, acquisizione, [replacement]);
    if (outcome.ok) {
      await tx`update sinba_casi set precedente_id = ${id}, versione = ${old.versione + 1}
               where ente_id = ${ente} and id = ${outcome.id}`;
    }
    return outcome;
  }
}
