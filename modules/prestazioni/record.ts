/**
 * The canonical PS-PSA-SINA record — one benefit of one beneficiary, the unit
 * every channel stores — and its parsers from each input shape: a CSV row or
 * a form (SPEC §5 conventions), an XML `Beneficiario` element, a JSON body.
 * Every shape is first brought to the official attribute strings and judged
 * by the XSD-derived schemas of `schema_ps.ts`; a value they refuse becomes
 * a violation of rule R01 naming the field and the value.
 *
 * @example
 * ```ts
 * const parsed = fromFlatInput({ CodiceFiscale: "RSSMRA80A01H501U", ... });
 * if (parsed.ok) console.log(parsed.record.CodicePrestazione);
 * ```
 * @module
 */
import { type z, ZodOptional } from "zod";
import type { Violation } from "./rules.ts";
import { asElement, attrsOf, children, scalar } from "./_xml_nodes.ts";
import { FAIL, type FastCheck, fastCheck, outputOf, safeParseFast } from "./fast_schema.ts";
import {
  AnagraficaAttrs,
  BeneficiarioAttrs,
  IndirizzoAttrs,
  InvCiv,
  NecessitaCodice,
  PrestazioneAttrs,
  SinaAttrs,
} from "./schema_ps.ts";

/** A residence address. */
export type Indirizzo = z.output<typeof IndirizzoAttrs>;

/** The SINA assessment of a benefit. */
export type Sina = z.output<typeof SinaAttrs> & {
  NecessitaInterventiSociali: string[];
  InvCiv: string[];
};

/** One benefit of one beneficiary, with the official attribute names. */
export type PsRecord =
  & z.output<typeof BeneficiarioAttrs>
  & z.output<typeof AnagraficaAttrs>
  & { Indirizzi: Indirizzo[] }
  & Omit<z.output<typeof PrestazioneAttrs>, "TipoOperazione">
  & { TipoOperazione: "I" | "C"; SINA?: Sina };

/** The outcome of parsing one record. */
export type Parsed = { ok: true; record: PsRecord } | { ok: false; violations: Violation[] };

/** The beneficiary's columns, in the CSV order of SPEC §5. */
export const BENEFICIARY_FIELDS = [
  "CodiceFiscale",
  "Cognome",
  "Nome",
  "AnnoNascita",
  "LuogoNascita",
  "Genere",
  "CodiceCittadinanza",
  "CodiceSecondaCittadinanza",
] as const;

/** The address columns (one address per CSV row). */
export const ADDRESS_FIELDS = ["CodiceNazione", "CodiceRegione", "CodiceComune"] as const;

/** The benefit's columns, in the CSV order of SPEC §5. */
export const BENEFIT_FIELDS = [
  "TipoOperazione",
  "CodicePrestazione",
  "DenominazionePrestazione",
  "ProtocolloDomanda",
  "PresenzaProvaMezzi",
  "CaratterePrestazione",
  "NumeroProtocolloDSU",
  "AnnoProtocolloDSU",
  "DataDSU",
  "DataEvento",
  "DataInizioPrestazione",
  "DataFinePrestazione",
  "DataErogazionePrestazione",
  "PeriodoErogazione",
  "ImportoPrestazione",
  "ImportoMensile",
  "ImportoQuotaEnte",
  "ImportoQuotaUtente",
  "ImportoQuotaSSN",
  "ImportoQuotaRichiesta",
  "ImportoSogliaISEE",
  "OreServizioMensile",
  "PresaCarico",
  "AreaUtenza",
] as const;

/** The SINA columns; the two lists hold values separated by `|` in CSV. */
export const SINA_FIELDS = [
  "Mobilita",
  "AttivitaVitaQuotidiana",
  "DisturbiAreaCognitiva",
  "DisturbiComportamentali",
  "NecessitaCureSanitarie",
  "AreaReddituale",
  "AreaSupporto",
  "FonteDerivazioneValutazione",
  "StrumentoValutazione",
  "FonteDerivazioneInvalidita",
  "NecessitaInterventiSociali",
  "InvCiv",
] as const;

/** Every column of the PS-PSA-SINA CSV layout, in order. */
export const CSV_COLUMNS = [
  ...BENEFICIARY_FIELDS,
  ...ADDRESS_FIELDS,
  ...BENEFIT_FIELDS,
  ...SINA_FIELDS,
] as const;

const DATE_FIELDS = new Set([
  "DataDSU",
  "DataEvento",
  "DataInizioPrestazione",
  "DataFinePrestazione",
  "DataErogazionePrestazione",
]);
const DECIMAL_FIELDS = new Set([
  "ImportoPrestazione",
  "ImportoMensile",
  "ImportoQuotaEnte",
  "ImportoQuotaUtente",
  "ImportoQuotaSSN",
  "ImportoQuotaRichiesta",
  "ImportoSogliaISEE",
  "OreServizioMensile",
]);

/** A flat input: a CSV row, a submitted form or a JSON body, by official attribute name. */
export type FlatInput = Record<
  string,
  string | number | readonly (string | number)[] | null | undefined
>;

/**
 * A flat input read field by field: a CSV row by its columns, without an
 * object of sixty properties per row (which V8 keeps as a slow dictionary).
 */
export type FlatLookup = (name: string) => FlatInput[string];

/**
 * Parses a flat input (CSV row, form, JSON). Conventions of SPEC §5: dates
 * `AAAA-MM-GG` or `GG/MM/AAAA`; decimals with `.` or `,` (and `.` as thousands
 * separator when `,` is the decimal one: `1.234,56`); list values separated
 * by `|` or repeated; empty values are absent.
 */
export function fromFlatInput(input: FlatInput | FlatLookup): Parsed {
  const get: FlatLookup = typeof input === "function" ? input : (name) => input[name];
  // Without any SINA value the record may be read straight from its fields. (A list of
  // separators alone is no assessment either, and takes the long way to say so.)
  if (!hasSinaValue(get)) {
    const record = validFlatRecord(get);
    if (record) return { ok: true, record };
  }
  // The long way, part by part (its helpers made only here: most records never take it).
  const pick = (fields: readonly FlatField[]): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const f of fields) {
      const v = flatValue(get(f.name), f.kind);
      if (v !== undefined) out[f.name] = v;
    }
    return out;
  };
  const list = (name: string) =>
    flatValue(get(name), "text")?.split("|").map((s) => s.trim()).filter(Boolean) ?? [];
  const sinaAttrs = pick(FLAT_SINA_ATTRS);
  const lists = {
    NecessitaInterventiSociali: list("NecessitaInterventiSociali"),
    InvCiv: list("InvCiv"),
  };
  const hasSina = Object.keys(sinaAttrs).length > 0 ||
    lists.NecessitaInterventiSociali.length > 0 ||
    lists.InvCiv.length > 0;
  return build({
    beneficiario: pick(FLAT_BENEFICIARIO),
    anagrafica: pick(FLAT_ANAGRAFICA),
    indirizzi: [pick(FLAT_ADDRESS)],
    prestazione: pick(FLAT_BENEFIT),
    sina: hasSina ? { attrs: sinaAttrs, ...lists } : undefined,
  });
}

/** Whether a flat input holds any SINA value (checked before any object is made for it). */
function hasSinaValue(get: FlatLookup): boolean {
  for (const f of FLAT_SINA_ATTRS) if (flatValue(get(f.name), f.kind) !== undefined) return true;
  return flatValue(get("NecessitaInterventiSociali"), "text") !== undefined ||
    flatValue(get("InvCiv"), "text") !== undefined;
}

/** How a flat field is read: a date, an amount, a code in capitals, or text as it is. */
type FlatKind = "date" | "decimal" | "upper" | "text";

interface FlatField {
  name: string;
  kind: FlatKind;
}

// Each field's kind is decided once, not looked up for every record of a flow.
const flatFields = (names: readonly string[]): FlatField[] =>
  names.map((name) => ({
    name,
    kind: DATE_FIELDS.has(name)
      ? "date"
      : DECIMAL_FIELDS.has(name)
      ? "decimal"
      : name === "CodiceFiscale" || name === "TipoOperazione"
      ? "upper"
      : "text",
  }));

const FLAT_BENEFICIARIO = flatFields(["CodiceFiscale"]);
const FLAT_ANAGRAFICA = flatFields(BENEFICIARY_FIELDS.slice(1));
const FLAT_ADDRESS = flatFields(ADDRESS_FIELDS);
const FLAT_BENEFIT = flatFields(BENEFIT_FIELDS);
const FLAT_SINA_ATTRS = flatFields(SINA_FIELDS.slice(0, 10));

/** A field of the record read straight from a flat input, with its check (see below). */
interface DirectField extends FlatField {
  check: FastCheck;
  required: boolean;
}

const directFields = (fields: readonly FlatField[], shape: Record<string, z.ZodType>) =>
  fields.map((f): DirectField => {
    const check = fastCheck(shape[f.name]);
    if (!check) throw new Error(`${f.name}: schema senza verifica diretta`);
    return { ...f, check, required: !(shape[f.name] instanceof ZodOptional) };
  });

// The fields of a record without SINA, by part, with the checks of their XSD schemas.
const DIRECT_MAIN = directFields(
  [...FLAT_BENEFICIARIO, ...FLAT_ANAGRAFICA, ...FLAT_BENEFIT],
  { ...BeneficiarioAttrs.shape, ...AnagraficaAttrs.shape, ...PrestazioneAttrs.shape },
);
const DIRECT_ADDRESS = directFields(FLAT_ADDRESS, IndirizzoAttrs.shape);

/**
 * The record of a flat input without SINA, when every field passes its
 * check: the record {@linkcode build} gives, without the parts it checks
 * one by one and then merges (most of a CSV record's cost). Undefined
 * otherwise, and `build` says what is wrong.
 */
function validFlatRecord(get: FlatLookup): PsRecord | undefined {
  const read = (fields: readonly DirectField[]) => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const v = flatValue(get(f.name), f.kind);
      if (v === undefined) {
        if (f.required) return undefined;
        continue;
      }
      const parsed = f.check(v);
      if (parsed === FAIL) return undefined;
      out[f.name] = parsed;
    }
    return out;
  };
  const record = read(DIRECT_MAIN);
  const address = record && read(DIRECT_ADDRESS);
  if (!record || !address) return undefined;
  record.Indirizzi = [address];
  record.TipoOperazione ??= "I";
  return record as unknown as PsRecord;
}

/** A flat input's value as the schemas read it; undefined when empty. */
function flatValue(raw: FlatInput[string], kind: FlatKind): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const text = typeof raw === "string"
    ? raw
    : Array.isArray(raw)
    ? raw.map(scalar).join("|")
    : scalar(raw);
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (kind === "date") return italianDate(trimmed);
  if (kind === "decimal") return italianDecimal(trimmed);
  return kind === "upper" ? trimmed.toUpperCase() : trimmed;
}

/** An XML element in the xml2js shape: attributes under `$`, children as arrays. */
export interface XmlElement {
  $?: Record<string, string>;
  [child: string]: unknown;
}

/**
 * Parses a `Beneficiario` element into one record per `PrestazioniSociali`.
 * With `validated`, the element is one the XSD's schema (`BeneficiarioElement`)
 * already accepted — a flow's file is checked whole at upload, and read again
 * as it was stored — and its attributes are not checked again, only brought
 * to their output (collapsed dates and amounts, numbers).
 */
export function fromBeneficiarioElement(
  element: XmlElement,
  { validated = false }: { validated?: boolean } = {},
): Parsed[] {
  // A tree the XSD's schema accepted has the shape it gives: it is read directly. Any other
  // (a JSON body's, say) is read defensively, node by node.
  const attrs = validated ? acceptedAttrs : attrsOf;
  const kids = validated ? acceptedChildren : children;
  const beneficiario = attrs(element);
  const anagrafica = attrs(kids(element, "Anagrafica")[0]);
  const indirizzi = kids(element, "Indirizzo").map(attrs);
  const prestazioni = kids(element, "PrestazioniSociali");
  if (prestazioni.length === 0) {
    return [{
      ok: false,
      violations: [{
        rule: "R01",
        level: "scarto",
        field: "PrestazioniSociali",
        value: null,
        message: "PrestazioniSociali: almeno una prestazione per beneficiario",
      }],
    }];
  }
  return prestazioni.map((p) => {
    const sina = kids(p, "SINA")[0];
    // Text-only children: xml2js gives a string, or `{ _: text }` when the element has attributes.
    const texts = (parent: XmlElement | undefined, child: string) => {
      const list = asElement(parent) ? parent[child] : undefined;
      return (Array.isArray(list) ? list : []).map((t) => scalar(asElement(t) ? t._ ?? "" : t));
    };
    return build({
      validated,
      beneficiario,
      anagrafica,
      indirizzi,
      prestazione: attrs(p),
      sina: sina && {
        attrs: attrs(sina),
        NecessitaInterventiSociali: texts(
          kids(sina, "NecessitaInterventiSociali")[0],
          "CodicePrestazione",
        ),
        InvCiv: texts(kids(sina, "InvaliditaCivile")[0], "InvCiv"),
      },
    });
  });
}

/** The attributes of a node of an accepted tree (every attribute the reader's text). */
function acceptedAttrs(node: unknown): Record<string, string> {
  return (typeof node === "object" && node !== null && (node as XmlElement).$) || {};
}

/** The children named `name` of a node of an accepted tree, as the reader listed them. */
function acceptedChildren(node: unknown, name: string): XmlElement[] {
  const list = typeof node === "object" && node !== null ? (node as XmlElement)[name] : undefined;
  return Array.isArray(list) ? list : [];
}

interface RawParts {
  /** Attributes already accepted by their schemas (see {@linkcode fromBeneficiarioElement}). */
  validated?: boolean;
  beneficiario: Record<string, string>;
  anagrafica: Record<string, string>;
  indirizzi: Record<string, string>[];
  prestazione: Record<string, string>;
  sina?: { attrs: Record<string, string>; NecessitaInterventiSociali: string[]; InvCiv: string[] };
}

function build(raw: RawParts): Parsed {
  const violations: Violation[] = [];
  const parse = raw.validated ? outputOf : safeParseFast;
  const check = <S extends z.ZodType>(schema: S, attrs: Record<string, string>) => {
    const result = parse(schema, attrs);
    if (result.success) return result.data as z.output<S>;
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? "");
      const unknown = issue.code === "unrecognized_keys";
      const fields = unknown ? issue.keys.map((k) => k || "(senza nome)") : [field];
      for (const f of fields) {
        violations.push({
          rule: "R01",
          level: "scarto",
          field: f,
          value: attrs[f] ?? null,
          message: unknown
            ? `${f}: campo non previsto dal tracciato`
            : attrs[f] === undefined
            ? `${f}: campo obbligatorio`
            : `${f}: ${issue.message}`,
        });
      }
    }
    return undefined;
  };
  const beneficiario = check(BeneficiarioAttrs, raw.beneficiario);
  const anagrafica = check(AnagraficaAttrs, raw.anagrafica);
  const indirizzi = raw.indirizzi.map((i) => check(IndirizzoAttrs, i));
  if (raw.indirizzi.length === 0 || raw.indirizzi.length > 5) {
    violations.push({
      rule: "R01",
      level: "scarto",
      field: "CodiceNazione",
      value: null,
      message: "Indirizzo: da 1 a 5 indirizzi di residenza",
    });
  }
  const prestazione = check(PrestazioneAttrs, raw.prestazione);
  let sina: Sina | undefined;
  if (raw.sina) {
    const attrs = check(SinaAttrs, raw.sina.attrs);
    const lists = {
      NecessitaInterventiSociali: raw.sina.NecessitaInterventiSociali.filter((v) =>
        raw.validated || listValue(v, NecessitaCodice, "NecessitaInterventiSociali", violations)
      ),
      InvCiv: raw.sina.InvCiv.filter((v) =>
        raw.validated || listValue(v, InvCiv, "InvCiv", violations)
      ),
    };
    if (attrs) sina = { ...attrs, ...lists };
  }
  if (violations.length > 0 || !beneficiario || !anagrafica || !prestazione) {
    return { ok: false, violations };
  }
  return {
    ok: true,
    record: {
      ...beneficiario,
      ...anagrafica,
      Indirizzi: indirizzi as Indirizzo[],
      ...prestazione,
      TipoOperazione: prestazione.TipoOperazione ?? "I",
      ...(sina ? { SINA: sina } : {}),
    },
  };
}

function listValue(v: string, schema: z.ZodType, field: string, violations: Violation[]): boolean {
  if (safeParseFast(schema, v).success) return true;
  violations.push({
    rule: "R01",
    level: "scarto",
    field,
    value: v,
    message: `${field}: valore ${v} non ammesso`,
  });
  return false;
}

/** `GG/MM/AAAA` becomes `AAAA-MM-GG`; anything else is left for the date check to judge. */
function italianDate(v: string): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  return m ? `${m[3]}-${m[2].padStart(2, "0")}-${m[1].padStart(2, "0")}` : v;
}

/** `1.234,56` and `1234,56` become `1234.56`; `1234.56` stays (a lone `.` is the decimal point). */
function italianDecimal(v: string): string {
  if (/^[+-]?\d{1,3}(\.\d{3})+,\d+$/.test(v)) return v.replaceAll(".", "").replace(",", ".");
  return /^[+-]?\d*,\d+$/.test(v) ? v.replace(",", ".") : v;
}

/** The `Beneficiario` element of one record, in the xml2js shape (the inverse of {@linkcode fromBeneficiarioElement}). */
export function toBeneficiarioElement(r: PsRecord): XmlElement {
  const pick = (fields: readonly string[]) => {
    const out: Record<string, string> = {};
    for (const f of fields) {
      const v = (r as unknown as Record<string, unknown>)[f];
      if (v !== undefined) out[f] = String(v);
    }
    return out;
  };
  const prestazione: XmlElement = { $: pick(BENEFIT_FIELDS) };
  if (r.SINA) {
    const s = r.SINA;
    const sina: XmlElement = {
      $: Object.fromEntries(
        SINA_FIELDS.slice(0, 10).flatMap((f) => {
          const v = (s as Record<string, unknown>)[f];
          return v === undefined ? [] : [[f, String(v)]];
        }),
      ),
    };
    if (s.NecessitaInterventiSociali.length) {
      sina.NecessitaInterventiSociali = [{ CodicePrestazione: s.NecessitaInterventiSociali }];
    }
    if (s.InvCiv.length) sina.InvaliditaCivile = [{ InvCiv: s.InvCiv }];
    prestazione.SINA = [sina];
  }
  return {
    $: { CodiceFiscale: r.CodiceFiscale },
    Anagrafica: [{ $: pick(BENEFICIARY_FIELDS.slice(1)) }],
    Indirizzo: r.Indirizzi.map((a) => ({
      $: Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)),
    })),
    PrestazioniSociali: [prestazione],
  };
}
