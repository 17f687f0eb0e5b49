/**
 * Property test: no input crashes the parsers or the rules. Thousands of
 * seeded random and hostile values — very long strings, control characters,
 * lone surrogates, replacement characters, RTL marks, markup, SQL and CSV
 * injection, JSON, XML entities, odd numbers and dates, non-Latin digits —
 * go into every field of `fromFlatInput`, into `fromBeneficiarioElement` with
 * random tree shapes, into `parseCodeTableCsv`, and every record that parses
 * goes through `checkRecord` (with lookups that need no database). Nothing
 * may throw; every outcome is a record or a non-empty list of R01 violations
 * naming a field, with a string (or null) value and an Italian message.
 *
 * A failure lists each kind of problem once, with the smallest input that
 * shows it; the known ones also have their own test below.
 * @module
 */
import assert from "node:assert/strict";
import { parseStringPromise } from "xml2js";
import {
  BUNDLED_TABLE,
  CODE_TABLE_COLUMNS,
  parseCodeTableCsv,
} from "../../modules/prestazioni/code_table.ts";
import {
  CSV_COLUMNS,
  type FlatInput,
  fromBeneficiarioElement,
  fromFlatInput,
  type Parsed,
  SINA_FIELDS,
  type XmlElement,
} from "../../modules/prestazioni/record.ts";
import {
  checkRecord,
  type CodeInfo,
  type RuleContext,
  RULES,
} from "../../modules/prestazioni/rules.ts";
import { SINA_ATTRS, VALID_ROW } from "./_fixtures.ts";

const FLAT_INPUTS = 8_000;
const XML_TREES = 4_000;
const XML_DOCUMENTS = 400;
const CODE_TABLES = 1_500;

// ---- Seeded randomness ----

type Rnd = ReturnType<typeof prng>;

/** mulberry32: the same inputs on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}

// ---- Hostile values ----

const KB100 = 100_000;
const LONG = [
  "x".repeat(KB100),
  "9".repeat(KB100),
  "1" + "0".repeat(KB100),
  "|".repeat(KB100),
  "A1.04|".repeat(KB100 / 6),
  "\u{1F600}".repeat(KB100 / 2),
  " ".repeat(KB100) + "1",
  "1.234".repeat(KB100 / 5) + ",5",
  "2024-01-01".repeat(KB100 / 10),
  ";".repeat(KB100),
  '"'.repeat(KB100 + 1),
  "\n".repeat(KB100),
];

const HOSTILE = [
  "",
  " ",
  "\t\r\n",
  "\u0000",
  "RSSMRA80A01H501U\u0000",
  "\u0000\u0001\u0002\u001b[31m\u007f",
  "\uD800",
  "\uDFFF",
  "a\uDC00b",
  "\uDBFF\uDBFF",
  "\uFFFD\uFFFD",
  "\uFFFE\uFFFF",
  "\uFEFF1",
  "1\u00A0",
  "\u2028\u2029",
  "\u200B",
  "\u202Eabc\u202C",
  "\u200F1980",
  "\u061C2024",
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '"><svg/onload=alert(1)>',
  "'; DROP TABLE prestazioni; --",
  "1' OR '1'='1",
  "1; SELECT pg_sleep(10)",
  "=cmd|' /C calc'!A0",
  '=HYPERLINK("http://x")',
  "+SUM(1+1)",
  "-2+3",
  "@SUM(A1)",
  '{"a":1}',
  "[1,2,3]",
  '{"__proto__":{"x":1}}',
  "null",
  "undefined",
  "true",
  "&lt;&amp;&#0;&#x1F600;&#xD800;",
  "<!DOCTYPE x [<!ENTITY a 'b'>]>&a;",
  "<![CDATA[x]]>",
  "${7*7}{{7*7}}",
  "%s%n%x",
  "../../etc/passwd",
  "1e309",
  "-1e309",
  "1e-400",
  "NaN",
  "Infinity",
  "-Infinity",
  "-0",
  "+0",
  "0x1F",
  "0b11",
  "1_000",
  "١٢٣٤",
  "٢٠٢٤-٠١-٠١",
  "۱۹۸۰",
  "१९८०",
  "𝟙𝟡𝟠𝟘",
  "١٢٣٤٥٦٧٨٩٠١",
  "８００７８７５０５８７",
  "9999-99-99",
  "9999-12-31",
  "0000-01-01",
  "2024-02-30",
  "2024-13-01",
  "2024-00-10",
  "-2024-01-01",
  "99999-01-01",
  "02024-01-01",
  "2024-01-01Z",
  "2024-01-01+15:00",
  "2024-01-01T00:00:00",
  "31/02/2024",
  "99/99/9999",
  "1/1/0000",
  "00/00/0000",
  "1.234,56",
  "1.234.567,89",
  "1,2,3",
  ",5",
  "5.",
  ".",
  "-",
  "+",
  "--1",
  "1e3",
  " 1 2 ",
  "|",
  "||||",
  "1||2",
  "A1.04|A1.05",
  "ß",
  "ﬃ",
  "İ",
  "ǅ",
  "RSSMRA80A01H501U",
  "rssmra80a01h501u",
  "RSSMRA80A01H50MM",
  "80078750587",
  "80078750587     ",
  "000000000000",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
];

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  150,
  0.1 + 0.2,
  1e21,
  1e309,
  -1e309,
  NaN,
  5e-324,
  2 ** 53 + 1,
  1980,
  380,
  12,
];

/** A string of random UTF-16 code units, lone surrogates included. */
function randomUnits(rnd: Rnd, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) {
    const kind = rnd.int(0, 9);
    if (kind < 4) s += String.fromCharCode(rnd.int(0x20, 0x7e));
    else if (kind === 4) s += String.fromCharCode(rnd.int(0, 0x1f));
    else if (kind === 5) s += String.fromCharCode(rnd.int(0xd800, 0xdfff));
    else if (kind === 6) s += String.fromCodePoint(rnd.int(0x10000, 0x10ffff));
    else if (kind === 7) s += rnd.pick([..."0123456789|;,./-+ \"'<>&"]);
    else s += String.fromCharCode(rnd.int(0x80, 0xfffd));
  }
  return s;
}

/** Random bytes decoded as UTF-8: invalid sequences become U+FFFD. */
function brokenUtf8(rnd: Rnd): string {
  const bytes = Uint8Array.from({ length: rnd.int(1, 24) }, () => rnd.int(0, 255));
  return new TextDecoder().decode(bytes);
}

/** A plausible value with something hostile inserted, or wrapped in odd white space. */
function damaged(rnd: Rnd, value: string): string {
  const at = rnd.int(0, value.length);
  const bit = rnd.chance(0.5) ? rnd.pick(HOSTILE) : randomUnits(rnd, rnd.int(1, 3));
  return rnd.chance(0.7)
    ? value.slice(0, at) + bit + value.slice(at)
    : `${rnd.pick(["\u00A0", "\uFEFF", "\t", "\u200F", ""])}${value}${
      rnd.pick(["\u00A0", "\u0000", " ", "\u202E", ""])
    }`;
}

function hostileString(rnd: Rnd, plausible?: string): string {
  const kind = rnd.int(0, 99);
  if (kind < 2) return rnd.pick(LONG);
  if (kind < 40) return rnd.pick(HOSTILE);
  if (kind < 60) return randomUnits(rnd, rnd.int(0, 40));
  if (kind < 70) return brokenUtf8(rnd);
  return damaged(rnd, plausible ?? rnd.pick(HOSTILE));
}

// ---- Flat inputs (CSV rows, forms, JSON bodies) ----

const SINA_ROW = {
  Mobilita: "2",
  AttivitaVitaQuotidiana: "1",
  DisturbiAreaCognitiva: "3",
  DisturbiComportamentali: "1",
  NecessitaCureSanitarie: "2",
  AreaReddituale: "1",
  AreaSupporto: "2",
  FonteDerivazioneValutazione: "1",
  StrumentoValutazione: "3",
  FonteDerivazioneInvalidita: "2",
  NecessitaInterventiSociali: "A1.11|A2.05",
  InvCiv: "1|3",
};

const DATES = [
  "01/02/2024",
  "2024-02-01",
  "2024-12-31",
  "2025-01-31",
  "2023-06-30",
  "29/02/2024",
  "1/3/2024",
  "2024-02-01+14:00",
  "2024-02-01Z",
  "12024-02-01",
  "-0001-01-01",
  "0001-01-01",
  undefined,
];
const AMOUNTS = [
  "150,00",
  "150",
  "50.00",
  "100",
  "0",
  "-0",
  "-10",
  "1.234,56",
  "50.005",
  ".5",
  "5.",
  "+1",
  "0.001",
  "9".repeat(400),
  "-" + "9".repeat(400),
  undefined,
];

/** Values that parse, chosen to reach every branch of the rules. */
const GOOD: Record<string, readonly (string | undefined)[]> = {
  CodiceFiscale: [
    "RSSMRA80A01H501U",
    "RSSMRA80A01H50MM",
    "rssmra80a01h501u",
    " RSSMRA80A01H501U ",
    "RSSMRA80A01H501X",
    "VRDLCU85M41H501G",
    "RSSMRA80A00H501X",
    "80078750587",
    "80078750587     ",
    "12345678901",
    "١٢٣٤٥٦٧٨٩٠١",
  ],
  Cognome: ["Rossi", "D'Angelo", "<b>x</b>", "=1+1", "\u202Eissor", "x".repeat(36)],
  Nome: ["Mario", "Maria Grazia", "'; --", "ǅ"],
  AnnoNascita: ["1980", "2024", "0000", "9999"],
  LuogoNascita: ["H501", "F205", "Z404", "h501", "XXXX", "\u{1F600}\u{1F600}\u{1F600}\u{1F600}"],
  Genere: ["1", "2"],
  CodiceCittadinanza: ["380", "404", "000"],
  CodiceSecondaCittadinanza: ["404", undefined],
  CodiceNazione: ["380", "404"],
  CodiceRegione: ["12", "03", "99", "00", undefined],
  CodiceComune: ["058091", "015146", "000000", undefined],
  TipoOperazione: ["I", "C", "i", "c", undefined],
  CodicePrestazione: ["A1.04", "A1.05.01", "A2.16", "A9.99", "ZZZZZ", "A1.04     "],
  DenominazionePrestazione: ["Contributi economici", "<script>alert(1)</script>"],
  ProtocolloDomanda: ["2024/001", "=cmd|' /C calc'!A0"],
  PresenzaProvaMezzi: ["1", "2", "3", "4"],
  CaratterePrestazione: ["1", "2", undefined],
  NumeroProtocolloDSU: [
    "INPS-ISEE-2024-00597381W-00",
    "INPS-ISEE-2024-00000000X-00",
    "INPS-ISEE-2023-00000000X-00",
    "-9999-",
    undefined,
  ],
  AnnoProtocolloDSU: ["2024", "2023", undefined],
  DataDSU: DATES,
  DataEvento: DATES,
  DataInizioPrestazione: DATES,
  DataFinePrestazione: DATES,
  DataErogazionePrestazione: DATES,
  PeriodoErogazione: ["1", "12", " 5 ", "+3", undefined],
  ImportoPrestazione: AMOUNTS,
  ImportoMensile: AMOUNTS,
  ImportoQuotaEnte: AMOUNTS,
  ImportoQuotaUtente: AMOUNTS,
  ImportoQuotaSSN: AMOUNTS,
  ImportoQuotaRichiesta: AMOUNTS,
  ImportoSogliaISEE: AMOUNTS,
  OreServizioMensile: AMOUNTS,
  PresaCarico: ["1", "2"],
  AreaUtenza: ["1", "2", "3", undefined],
  Mobilita: ["1", "2", "3"],
  AttivitaVitaQuotidiana: ["1", "2", "3"],
  DisturbiAreaCognitiva: ["1", "3", undefined],
  DisturbiComportamentali: ["1", "2"],
  NecessitaCureSanitarie: ["1", undefined],
  AreaReddituale: ["1", "2", "3"],
  AreaSupporto: ["1", "2", "3"],
  FonteDerivazioneValutazione: ["1", "4"],
  StrumentoValutazione: ["1", "7"],
  FonteDerivazioneInvalidita: ["1", "2", undefined],
  NecessitaInterventiSociali: ["A1.11|A2.05", "A1.11", "|", " | A3.01 |", undefined],
  InvCiv: ["1", "1|8", "||", undefined],
};

type FlatValue = FlatInput[string];

function hostileValue(rnd: Rnd, plausible?: string): FlatValue {
  const kind = rnd.int(0, 99);
  if (kind < 72) return hostileString(rnd, plausible);
  if (kind < 82) return rnd.pick(NUMBERS);
  if (kind < 86) return null;
  if (kind < 88) return undefined;
  return Array.from(
    { length: rnd.int(0, 4) },
    () => rnd.chance(0.8) ? hostileString(rnd, plausible) : rnd.pick(NUMBERS),
  );
}

/** What a JSON body may hold beyond the declared type: booleans, objects, nested arrays. */
function jsonValue(rnd: Rnd, depth = 0): unknown {
  const kind = rnd.int(0, depth > 2 ? 3 : 6);
  if (kind === 0) return rnd.chance(0.5);
  if (kind === 1) return null;
  if (kind === 2) return rnd.pick(NUMBERS.filter(Number.isFinite));
  if (kind === 3) return hostileString(rnd);
  if (kind === 4) return Array.from({ length: rnd.int(0, 3) }, () => jsonValue(rnd, depth + 1));
  return Object.fromEntries(
    Array.from({ length: rnd.int(0, 3) }, () => [hostileString(rnd), jsonValue(rnd, depth + 1)]),
  );
}

function flatInput(rnd: Rnd): FlatInput {
  const mode = rnd.int(0, 9);
  const base: Record<string, FlatValue> = { ...VALID_ROW, ...(rnd.chance(0.3) ? SINA_ROW : {}) };
  if (mode < 4) {
    // Plausible values that reach the rules, and now and then one hostile field.
    for (const f of CSV_COLUMNS) if (rnd.chance(0.4)) base[f] = rnd.pick(GOOD[f]);
    if (rnd.chance(0.3)) base[rnd.pick(CSV_COLUMNS)] = hostileValue(rnd);
    return base;
  }
  if (mode < 7) {
    for (let n = rnd.int(1, 3); n > 0; n--) {
      const f = rnd.pick(CSV_COLUMNS);
      base[f] = hostileValue(rnd, typeof base[f] === "string" ? base[f] : undefined);
    }
    return base;
  }
  if (mode === 7) {
    const all: Record<string, FlatValue> = {};
    for (const f of CSV_COLUMNS) if (rnd.chance(0.8)) all[f] = hostileValue(rnd);
    return all;
  }
  if (mode === 8) {
    // Unknown keys, prototype names among them, on an object with or without a prototype.
    const target: Record<string, FlatValue> = rnd.chance(0.5) ? base : Object.create(null);
    if (target !== base) Object.assign(target, base);
    for (let n = rnd.int(1, 4); n > 0; n--) {
      Object.defineProperty(target, hostileString(rnd), {
        value: hostileValue(rnd),
        enumerable: true,
        configurable: true,
        writable: true,
      });
    }
    return target;
  }
  // A JSON body: whatever JSON can hold, in any field.
  const body = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  for (let n = rnd.int(1, 4); n > 0; n--) body[rnd.pick(CSV_COLUMNS)] = jsonValue(rnd);
  return body as FlatInput;
}

// ---- XML elements in the xml2js shape ----

function benefitAttrs(row: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  const keys = [
    "TipoOperazione",
    "CodicePrestazione",
    "DenominazionePrestazione",
    "ProtocolloDomanda",
    "PresenzaProvaMezzi",
    "CaratterePrestazione",
    "NumeroProtocolloDSU",
    "AnnoProtocolloDSU",
    "DataDSU",
    "DataInizioPrestazione",
    "DataFinePrestazione",
    "ImportoMensile",
    "ImportoQuotaEnte",
    "ImportoQuotaUtente",
    "PresaCarico",
    "AreaUtenza",
  ];
  for (const k of keys) if (row[k] !== undefined) out[k] = row[k]!;
  return out;
}

/** A valid `Beneficiario` element as xml2js gives it. */
function validElement(withSina: boolean): XmlElement {
  const r = VALID_ROW;
  return {
    $: { CodiceFiscale: r.CodiceFiscale },
    Anagrafica: [{
      $: {
        Cognome: r.Cognome,
        Nome: r.Nome,
        AnnoNascita: r.AnnoNascita,
        LuogoNascita: r.LuogoNascita,
        Genere: r.Genere,
        CodiceCittadinanza: r.CodiceCittadinanza,
      },
    }],
    Indirizzo: [{
      $: { CodiceNazione: "380", CodiceRegione: "12", CodiceComune: "058091" },
    }],
    PrestazioniSociali: [{
      $: benefitAttrs({
        ...r,
        DataDSU: "2024-01-10",
        DataInizioPrestazione: "2024-02-01",
        DataFinePrestazione: "2024-12-31",
        ImportoMensile: "150.00",
        ...(withSina ? { PresaCarico: "1", AreaUtenza: "2" } : {}),
      }),
      ...(withSina
        ? {
          SINA: [{
            $: { ...SINA_ATTRS },
            NecessitaInterventiSociali: [{ CodicePrestazione: ["A1.11", { _: "A2.05" }] }],
            InvaliditaCivile: [{ InvCiv: ["1", { _: "3", $: { x: "y" } }] }],
          }],
        }
        : {}),
    }],
  };
}

const CHILD_NAMES = [
  "$",
  "_",
  "Anagrafica",
  "Indirizzo",
  "PrestazioniSociali",
  "SINA",
  "NecessitaInterventiSociali",
  "CodicePrestazione",
  "InvaliditaCivile",
  "InvCiv",
  "__proto__",
  "constructor",
  "Altro",
];
const ATTR_NAMES = [
  ...CSV_COLUMNS,
  "__proto__",
  "constructor",
  "toString",
  "xmlns",
  "xsi:type",
];

/** Any shape, including those xml2js never makes. */
function randomShape(rnd: Rnd, depth = 0): unknown {
  const kind = rnd.int(0, depth > 3 ? 6 : 12);
  switch (kind) {
    case 0:
      return undefined;
    case 1:
      return null;
    case 2:
      return hostileString(rnd);
    case 3:
      return rnd.pick(NUMBERS);
    case 4:
      return rnd.chance(0.5);
    case 5:
      return {};
    case 6:
      return [];
    case 7:
      return [null];
    case 8:
      return Array.from({ length: rnd.int(1, 3) }, () => randomShape(rnd, depth + 1));
    case 9:
      return { $: randomAttrs(rnd, depth + 1) };
    case 10:
      return { _: randomShape(rnd, depth + 1), $: randomAttrs(rnd, depth + 1) };
    case 11:
      return Object.fromEntries(
        Array.from(
          { length: rnd.int(1, 3) },
          () => [rnd.pick(CHILD_NAMES), randomShape(rnd, depth + 1)],
        ),
      );
    default:
      return Array.from({ length: rnd.int(0, 40) }, () => ({}));
  }
}

/** Attributes: strings mostly, sometimes anything else, sometimes not an object at all. */
function randomAttrs(rnd: Rnd, depth = 0): unknown {
  if (rnd.chance(0.15)) return randomShape(rnd, depth + 1);
  return Object.fromEntries(
    Array.from({ length: rnd.int(0, 6) }, () => [
      rnd.pick(ATTR_NAMES),
      rnd.chance(0.75) ? hostileString(rnd) : randomShape(rnd, depth + 1),
    ]),
  );
}

/** Every place in a tree where something can be put: [container, key]. */
function slots(node: unknown, out: [Record<string, unknown>, string][] = []) {
  if (node === null || typeof node !== "object") return out;
  for (const key of Object.keys(node)) {
    out.push([node as Record<string, unknown>, key]);
    slots((node as Record<string, unknown>)[key], out);
  }
  return out;
}

/** Removes a key, or an array item without leaving a hole (JSON and xml2js make none). */
function remove(container: Record<string, unknown>, key: string) {
  if (Array.isArray(container)) container.splice(Number(key), 1);
  else delete container[key];
}

/** A valid element with 1–4 random places replaced by anything, removed or added to. */
function anyTree(rnd: Rnd): XmlElement {
  const tree = validElement(rnd.chance(0.5));
  for (let n = rnd.int(1, 4); n > 0; n--) {
    const [container, key] = rnd.pick(slots(tree));
    const action = rnd.int(0, 9);
    if (action === 0) remove(container, key);
    else if (action === 1 && !Array.isArray(container)) {
      container[rnd.pick(["", ...CHILD_NAMES])] = randomShape(rnd);
    } else container[key] = randomShape(rnd);
  }
  return tree;
}

/** The elements (objects with attributes and children) of an xml2js tree. */
function elements(node: unknown, out: Record<string, unknown>[] = []) {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return out;
  out.push(node as Record<string, unknown>);
  for (const [key, children] of Object.entries(node)) {
    if (key !== "$" && key !== "_" && Array.isArray(children)) {
      for (const child of children) elements(child, out);
    }
  }
  return out;
}

/** An element as xml2js makes it: text, or attributes (strings) and children (arrays). */
function xml2jsElement(rnd: Rnd, depth = 0): unknown {
  const kind = rnd.int(0, depth > 2 ? 2 : 4);
  if (kind === 0) return "";
  if (kind === 1) return hostileString(rnd);
  if (kind === 2) {
    return { _: hostileString(rnd), $: { [rnd.pick(ATTR_NAMES)]: hostileString(rnd) } };
  }
  const element: Record<string, unknown> = {};
  if (rnd.chance(0.7)) {
    element.$ = Object.fromEntries(
      Array.from({ length: rnd.int(1, 4) }, () => [rnd.pick(ATTR_NAMES), hostileString(rnd)]),
    );
  }
  for (let n = rnd.int(0, 2); n > 0; n--) {
    element[rnd.pick(CHILD_NAMES.slice(2))] = Array.from(
      { length: rnd.int(1, 3) },
      () => xml2jsElement(rnd, depth + 1),
    );
  }
  return element;
}

/** A valid element with 1–4 changes of the kinds xml2js can show: never a non-string attribute, never a lone child. */
function xml2jsTree(rnd: Rnd): XmlElement {
  const tree = validElement(rnd.chance(0.5));
  for (let n = rnd.int(1, 4); n > 0; n--) {
    const element = rnd.pick(elements(tree));
    const children = Object.keys(element).filter((k) => k !== "$" && k !== "_");
    const action = rnd.int(0, 6);
    if (action <= 1) {
      const attrs = (element.$ ?? {}) as Record<string, string>;
      const name = rnd.chance(0.7) && Object.keys(attrs).length
        ? rnd.pick(Object.keys(attrs))
        : rnd.pick(ATTR_NAMES);
      const current = Object.hasOwn(attrs, name) ? attrs[name] : undefined;
      element.$ = { ...attrs, [name]: hostileString(rnd, current) };
    } else if (action === 2) delete element.$;
    else if (action === 3 && children.length) delete element[rnd.pick(children)];
    else if (action === 4 && children.length) {
      element[rnd.pick(children)] = Array.from(
        { length: rnd.int(1, 3) },
        () => xml2jsElement(rnd),
      );
    } else if (action === 5) {
      element[rnd.pick(CHILD_NAMES.slice(2))] = Array.from(
        { length: rnd.int(1, 3) },
        () => xml2jsElement(rnd),
      );
    } else element._ = hostileString(rnd);
  }
  return tree;
}

// ---- Code-table CSV ----

function codeTableCsv(rnd: Rnd, bundled: string[]): string {
  if (rnd.chance(0.15)) return rnd.chance(0.5) ? hostileString(rnd) : randomUnits(rnd, 200);
  const columns: string[] = [...CODE_TABLE_COLUMNS];
  if (rnd.chance(0.3)) columns.push("condizionata_isee");
  if (rnd.chance(0.1)) columns.splice(rnd.int(0, columns.length - 1), 1);
  if (rnd.chance(0.1)) columns.push(rnd.pick(columns));
  if (rnd.chance(0.2)) columns.sort(() => rnd.next() - 0.5);
  const quote = (cell: string) =>
    rnd.chance(0.1) ? `"${cell.replaceAll('"', rnd.chance(0.8) ? '""' : '"')}"` : cell;
  const lines = [columns.join(";")];
  for (let n = rnd.int(0, 12); n > 0; n--) {
    if (rnd.chance(0.3)) {
      lines.push(rnd.pick(bundled));
      continue;
    }
    const plausible: Record<string, string> = {
      codice: rnd.pick(["A1.04", "A2.16", "A1.05.01", "A3", "B1.01", "A1.04.01.01"]),
      denominazione: rnd.pick(["Contributi economici", "Breve", "x".repeat(201)]),
      macro_area: rnd.pick(["A1", "A2", "A3", "a1", "A4"]),
      valido_dal: rnd.pick(["2015-01-01", "2024-02-29", "2023-02-29", "9999-99-99", "2024-13-01"]),
      valido_al: rnd.pick(["", "2030-12-31", "2014-12-31", "2024-00-10", "0000-00-00"]),
      solo_presa_in_carico: rnd.pick(["S", "N", "s", " n ", "X"]),
      richiede_data_evento: rnd.pick(["S", "N", ""]),
      condizionata_isee: rnd.pick(["S", "N", "", "?"]),
      fonte: rnd.pick(["", "DM 206/2014", "y".repeat(201)]),
    };
    const cells = columns.map((c) => {
      const value = plausible[c] ?? "";
      return quote(rnd.chance(0.15) ? hostileString(rnd, value) : value);
    });
    if (rnd.chance(0.05)) cells.pop();
    lines.push(cells.join(rnd.chance(0.97) ? ";" : rnd.pick([",", "\t", ";;"])));
  }
  const text = lines.join(rnd.pick(["\n", "\r\n", "\r"]));
  return (rnd.chance(0.1) ? "\uFEFF" : "") + text + (rnd.chance(0.5) ? "\n" : "");
}

// ---- Contracts ----

const ENGLISH =
  /\b(Invalid|[Ee]xpected|received|Required|Unrecognized|Too (big|small)|must|should|String|Number)\b/;
const RULE_CODES = new Set<string>(RULES.map((r) => r.code));

/** The problems with one violation, as short category names. */
function violationProblems(v: unknown, rules: (code: string) => boolean): string[] {
  const out: string[] = [];
  const x = v as Record<string, unknown>;
  if (x === null || typeof x !== "object") return ["violation is not an object"];
  if (typeof x.rule !== "string" || !rules(x.rule)) out.push(`rule ${String(x.rule)}`);
  if (x.level !== "scarto" && x.level !== "avviso") out.push(`level ${String(x.level)}`);
  if (typeof x.field !== "string" || x.field === "") {
    out.push(`field name ${JSON.stringify(x.field)}`);
  }
  if (x.value !== null && typeof x.value !== "string") {
    out.push(`value of type ${Array.isArray(x.value) ? "array" : typeof x.value}`);
  }
  if (typeof x.message !== "string" || x.message.trim() === "") out.push("no message");
  else if (ENGLISH.test(x.message)) {
    const general = x.message.replace(/^[^:]*: /, "‹field›: ").replace(
      /received [-\w]+/,
      "received ‹type›",
    );
    out.push(`message not in Italian: "${general.slice(0, 80)}"`);
  }
  return out;
}

function parsedProblems(p: unknown): string[] {
  const x = p as Parsed;
  if (x === null || typeof x !== "object") return ["result is not an object"];
  if (x.ok === true) {
    return x.record && typeof x.record === "object" ? [] : ["ok without a record"];
  }
  if (x.ok !== false || !Array.isArray(x.violations)) return ["neither ok nor violations"];
  if (x.violations.length === 0) return ["refused with no violation"];
  return x.violations.flatMap((v) =>
    violationProblems(v, (r) => r === "R01").map((s) => `R01 violation: ${s}`)
  );
}

function crash(error: unknown): string {
  const e = error as Error;
  const frame = e?.stack?.split("\n").find((l) => l.includes("/modules/")) ?? "";
  const where = frame.replace(/^.*\/(modules\/[^)]*?):(\d+):\d+\)?$/, "$1:$2");
  return `throws ${e?.name}: ${e?.message} at ${where}`;
}

/** Shows an input for a report: long strings are shortened, non-JSON values named. */
function show(input: unknown): string {
  return JSON.stringify(input, (_, v) => {
    if (typeof v === "string" && v.length > 120) return `${v.slice(0, 24)}…(${v.length} chars)`;
    if (v === undefined) return "‹undefined›";
    if (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))) return `‹${v}›`;
    return v;
  }) ?? String(input);
}

/** Problems by kind, each with the smallest input that shows it. */
function catalogue() {
  const found = new Map<string, { input: string; count: number }>();
  return {
    add(problems: string[], input: unknown) {
      for (const p of problems) {
        const shown = show(input);
        const prev = found.get(p);
        if (!prev) found.set(p, { input: shown, count: 1 });
        else {
          prev.count++;
          if (shown.length < prev.input.length) prev.input = shown;
        }
      }
    },
    assertNone(what: string) {
      const lines = [...found].map(([p, { input, count }]) =>
        `• ${p} (${count}×)\n  input: ${input}`
      );
      assert.equal(found.size, 0, `${what}:\n${lines.join("\n")}`);
    },
  };
}

// ---- Rules without a database ----

function places(): Omit<RuleContext, "code"> {
  const comuni = new Map([["058091", "12"], ["015146", "03"]]);
  return {
    comuneInRegione: (istat, regione) => comuni.get(istat) === regione,
    regioneExists: (r) => /^(0[1-9]|1\d|20)$/.test(r),
    birthplaceExists: (b) => ["H501", "F205", "Z404"].includes(b),
    dsuKnown: (p) => (p.length % 3 === 0 ? false : p.length % 3 === 1 ? true : undefined),
  };
}

const CONTEXTS: RuleContext[] = [
  { ...places(), code: () => undefined },
  {
    ...places(),
    dsuKnown: undefined,
    code: (codice, date): CodeInfo => ({
      codice,
      validoDal: "2015-01-01",
      validoAl: date && date > "2030" ? "2030-12-31" : null,
      soloPresaInCarico: codice.length % 2 === 0,
      richiedeDataEvento: codice.includes("05"),
    }),
  },
];

/** Runs the rules on a parsed record; returns the problems. */
function rulesProblems(parsed: Parsed): string[] {
  if (!parsed.ok) return [];
  const out: string[] = [];
  for (const ctx of CONTEXTS) {
    let violations: unknown;
    try {
      violations = checkRecord(parsed.record, ctx);
    } catch (error) {
      out.push(`checkRecord ${crash(error)}`);
      continue;
    }
    if (!Array.isArray(violations)) out.push("checkRecord result is not an array");
    else {
      for (const v of violations) {
        out.push(
          ...violationProblems(v, (r) => RULE_CODES.has(r) && r !== "R01").map((s) =>
            `checkRecord violation: ${s}`
          ),
        );
      }
    }
  }
  return out;
}

// ---- The properties ----

Deno.test("fuzz: a record without SINA read straight from its fields is the one its checks give", () => {
  const rnd = prng(7);
  let compared = 0;
  for (let i = 0; i < FLAT_INPUTS; i++) {
    const input = flatInput(rnd);
    for (const name of SINA_FIELDS) delete input[name];
    // A SINA list of separators alone is no assessment, but it keeps the input off the direct
    // reading: the record is then made part by part, by the schemas' checks.
    const checked = fromFlatInput({ ...input, InvCiv: "|" });
    assert.deepEqual(fromFlatInput(input), checked, JSON.stringify(input));
    if (checked.ok) compared++;
  }
  assert.ok(compared > FLAT_INPUTS * 0.15, `only ${compared} valid records compared`);
});

Deno.test("fuzz: fromFlatInput and checkRecord never throw, and answer in the contract", () => {
  const rnd = prng(1);
  const problems = catalogue();
  let parsedOk = 0;
  for (let i = 0; i < FLAT_INPUTS; i++) {
    const input = flatInput(rnd);
    let parsed: Parsed;
    try {
      parsed = fromFlatInput(input);
    } catch (error) {
      problems.add([`fromFlatInput ${crash(error)}`], input);
      continue;
    }
    problems.add(parsedProblems(parsed), input);
    if (parsed.ok) parsedOk++;
    problems.add(rulesProblems(parsed), input);
  }
  problems.assertNone(`fromFlatInput/checkRecord: problems in ${FLAT_INPUTS} inputs`);
  // The generator must reach the rules, and must also produce refusals.
  assert.ok(parsedOk > FLAT_INPUTS * 0.15, `only ${parsedOk} records parsed`);
  assert.ok(parsedOk < FLAT_INPUTS * 0.85, `${parsedOk} records parsed: too few refusals`);
});

function checkElement(element: unknown, problems: ReturnType<typeof catalogue>): number {
  let results: Parsed[];
  try {
    results = fromBeneficiarioElement(element as XmlElement);
  } catch (error) {
    problems.add([`fromBeneficiarioElement ${crash(error)}`], element);
    return 0;
  }
  if (!Array.isArray(results)) {
    problems.add(["fromBeneficiarioElement result is not an array"], element);
    return 0;
  }
  for (const parsed of results) {
    const wrong = parsedProblems(parsed);
    problems.add(wrong, element);
    if (wrong.length === 0) problems.add(rulesProblems(parsed), element);
  }
  return results.filter((r) => r.ok).length;
}

Deno.test("fuzz: fromBeneficiarioElement on trees xml2js can produce never throws", () => {
  const rnd = prng(2);
  const problems = catalogue();
  let parsedOk = 0;
  for (let i = 0; i < XML_TREES; i++) parsedOk += checkElement(xml2jsTree(rnd), problems);
  problems.assertNone(`fromBeneficiarioElement: problems in ${XML_TREES} xml2js-shaped trees`);
  assert.ok(parsedOk > 0, "no tree parsed");
});

Deno.test("fuzz: fromBeneficiarioElement on trees of any shape never throws", () => {
  const rnd = prng(3);
  const problems = catalogue();
  for (let i = 0; i < XML_TREES; i++) checkElement(anyTree(rnd), problems);
  problems.assertNone(`fromBeneficiarioElement: problems in ${XML_TREES} trees of any shape`);
});

const VALID_XML = `<Beneficiario CodiceFiscale="RSSMRA80A01H501U">
  <Anagrafica Cognome="Rossi" Nome="Mario" AnnoNascita="1980" LuogoNascita="H501" Genere="1" CodiceCittadinanza="380"/>
  <Indirizzo CodiceNazione="380" CodiceRegione="12" CodiceComune="058091"/>
  <PrestazioniSociali CodicePrestazione="A1.11" DenominazionePrestazione="Assegnazioni economiche" ProtocolloDomanda="2024/003" PresenzaProvaMezzi="3" CaratterePrestazione="1" DataInizioPrestazione="2024-01-01" ImportoMensile="400" PresaCarico="1" AreaUtenza="2">
    <SINA Mobilita="2" AttivitaVitaQuotidiana="2" DisturbiComportamentali="1" AreaReddituale="2" AreaSupporto="3" FonteDerivazioneValutazione="1" StrumentoValutazione="2">
      <NecessitaInterventiSociali><CodicePrestazione>A2.05</CodicePrestazione></NecessitaInterventiSociali>
      <InvaliditaCivile><InvCiv>1</InvCiv></InvaliditaCivile>
    </SINA>
  </PrestazioniSociali>
</Beneficiario>`;

const ELEMENT_SNIPPETS = [
  "<__proto__/>",
  '<__proto__ CodiceFiscale="x"/>',
  "<constructor/>",
  "<toString>1</toString>",
  '<Indirizzo CodiceNazione="380"/>',
  "<Indirizzo/>",
  "<Anagrafica/>",
  "<PrestazioniSociali/>",
  "<PrestazioniSociali>text</PrestazioniSociali>",
  '<PrestazioniSociali __proto__="1"><SINA/></PrestazioniSociali>',
  "<SINA/>",
  "<SINA>t</SINA>",
  "<InvaliditaCivile><InvCiv><_/>x</InvCiv><InvCiv/></InvaliditaCivile>",
  "<NecessitaInterventiSociali>t</NecessitaInterventiSociali>",
  "<NecessitaInterventiSociali><CodicePrestazione a='1'/></NecessitaInterventiSociali>",
  "<InvCiv a='1'/>",
  "<_>x</_>",
  "&amp;&#x1F600;&lt;&#x202E;",
  "<![CDATA[<Anagrafica/>]]>",
  "<!-- -->",
  "<?pi x?>",
];
const ATTRIBUTE_SNIPPETS = [
  ' __proto__="x"',
  ' constructor="y"',
  ' toString="z"',
  ' xmlns:x="urn:x" x:Cognome="a"',
  ' TipoOperazione="C"',
  ' InvCiv="1"',
];

/** A string as XML 1.0 can carry it, escaped for an attribute or for text. */
function xmlText(s: string): string {
  return s
    // deno-lint-ignore no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")
    .replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** The offsets just after each match of `re` in `text`. */
function offsets(text: string, re: RegExp): number[] {
  return [...text.matchAll(re)].map((m) => m.index! + m[0].length);
}

/** The valid document with 1–3 changes: attribute values, attributes, elements or text. */
function damagedXml(rnd: Rnd): string {
  let text = VALID_XML;
  for (let n = rnd.int(1, 3); n > 0; n--) {
    const action = rnd.int(0, 9);
    if (action < 4) {
      const values = [...text.matchAll(/="([^"]*)"/g)];
      const m = rnd.pick(values);
      const at = m.index! + 2;
      text = text.slice(0, at) + xmlText(hostileString(rnd, m[1])) + text.slice(at + m[1].length);
    } else if (action < 6) {
      const at = rnd.pick(offsets(text, /<[A-Za-z]+/g));
      text = text.slice(0, at) + rnd.pick(ATTRIBUTE_SNIPPETS) + text.slice(at);
    } else if (action < 8) {
      const at = rnd.pick(offsets(text, />/g).slice(0, -1));
      text = text.slice(0, at) + rnd.pick(ELEMENT_SNIPPETS) + text.slice(at);
    } else if (action === 8) {
      const at = rnd.pick(offsets(text, />/g).slice(0, -1));
      text = text.slice(0, at) + xmlText(hostileString(rnd)) + text.slice(at);
    } else {
      // Raw damage: most of these are not XML any more.
      const at = rnd.int(0, text.length);
      text = text.slice(0, at) + hostileString(rnd) + text.slice(at + rnd.int(0, 20));
    }
  }
  return text;
}

Deno.test("fuzz: fromBeneficiarioElement on damaged XML documents parsed by xml2js", async () => {
  const rnd = prng(4);
  const problems = catalogue();
  let parsedDocs = 0;
  for (let i = 0; i < XML_DOCUMENTS; i++) {
    const text = damagedXml(rnd);
    let tree: { Beneficiario?: unknown };
    try {
      tree = await parseStringPromise(text);
    } catch {
      continue; // not XML: xml2js refuses it before our parser sees it
    }
    if (!tree?.Beneficiario) continue;
    parsedDocs++;
    checkElement(tree.Beneficiario, problems);
  }
  problems.assertNone(`fromBeneficiarioElement: problems in ${parsedDocs} XML documents`);
  assert.ok(parsedDocs > XML_DOCUMENTS / 2, `only ${parsedDocs} documents were XML`);
});

Deno.test("fuzz: parseCodeTableCsv never throws and reports in Italian", async () => {
  const rnd = prng(5);
  const problems = catalogue();
  const bundled = (await Deno.readTextFile(BUNDLED_TABLE)).split("\n").slice(1).filter(Boolean);
  let accepted = 0;
  for (let i = 0; i < CODE_TABLES; i++) {
    const text = codeTableCsv(rnd, bundled);
    let result: ReturnType<typeof parseCodeTableCsv>;
    try {
      result = parseCodeTableCsv(text);
    } catch (error) {
      problems.add([`parseCodeTableCsv ${crash(error)}`], text);
      continue;
    }
    if (result.ok) {
      accepted++;
      if (!Array.isArray(result.rows) || result.rows.length === 0) {
        problems.add(["accepted without rows"], text);
      }
    } else if (!Array.isArray(result.errors) || result.errors.length === 0) {
      problems.add(["refused with no error"], text);
    } else {
      for (const e of result.errors) {
        if (
          typeof e !== "string" || !/^(Riga \d+: |File non leggibile come CSV: |Il file )/.test(e)
        ) {
          problems.add([`error not in the expected form: ${String(e).slice(0, 60)}`], text);
        } else if (ENGLISH.test(e) && !e.startsWith("File non leggibile")) {
          problems.add([`error not in Italian: ${e.slice(0, 80)}`], text);
        }
      }
    }
  }
  problems.assertNone(`parseCodeTableCsv: problems in ${CODE_TABLES} files`);
  assert.ok(accepted > 0, "no table accepted");
});

// ---- What the fuzzing found: each input on its own (these fail until the parsers are fixed) ----

const ROW_ELEMENT = { $: { CodiceFiscale: VALID_ROW.CodiceFiscale } };

/** Inputs a JSON body can carry; `fromBeneficiarioElement` is given JSON-shaped trees too. */
const ELEMENT_REPRODUCERS: [string, unknown][] = [
  ["Indirizzo is an object, not an array", {
    ...ROW_ELEMENT,
    Indirizzo: {},
    PrestazioniSociali: [{}],
  }],
  ["Indirizzo holds null", { ...ROW_ELEMENT, Indirizzo: [null], PrestazioniSociali: [{}] }],
  ["PrestazioniSociali is an object, not an array", { ...ROW_ELEMENT, PrestazioniSociali: {} }],
  ["PrestazioniSociali holds null", { ...ROW_ELEMENT, PrestazioniSociali: [null] }],
  [
    "NecessitaInterventiSociali/CodicePrestazione is a string, not an array",
    {
      ...ROW_ELEMENT,
      PrestazioniSociali: [{
        SINA: [{ NecessitaInterventiSociali: [{ CodicePrestazione: "A1.11" }] }],
      }],
    },
  ],
  [
    "InvaliditaCivile/InvCiv holds null",
    {
      ...ROW_ELEMENT,
      PrestazioniSociali: [{ SINA: [{ InvaliditaCivile: [{ InvCiv: [null] }] }] }],
    },
  ],
  [
    "an attribute that is not a string (value must be a string or null, message in Italian)",
    { $: { CodiceFiscale: 80078750587 }, PrestazioniSociali: [{}] },
  ],
  ["`$` that is not an object (a violation must name a field)", {
    ...ROW_ELEMENT,
    PrestazioniSociali: [{ $: "x" }],
  }],
];

Deno.test("parsers: inputs found by fuzzing — fromBeneficiarioElement", async (t) => {
  for (const [name, element] of ELEMENT_REPRODUCERS) {
    await t.step(`${name}: ${show(element)}`, () => {
      const results = fromBeneficiarioElement(element as XmlElement);
      assert.deepEqual(results.flatMap(parsedProblems), []);
    });
  }
});

Deno.test("parsers: inputs found by fuzzing — fromFlatInput with a JSON body", async (t) => {
  // String() of an object whose toString is not a function throws.
  for (const [field, json] of [["Cognome", '{"toString":1}'], ["InvCiv", '[{"toString":1}]']]) {
    await t.step(`${field}: ${json}`, () => {
      const input = { ...VALID_ROW, [field]: JSON.parse(json) } as FlatInput;
      assert.deepEqual(parsedProblems(fromFlatInput(input)), []);
    });
  }
});

Deno.test("parsers: a SINA list given as a number in a JSON body is judged, not dropped", () => {
  for (const field of ["InvCiv", "NecessitaInterventiSociali"]) {
    const parsed = fromFlatInput({ ...VALID_ROW, [field]: 0 });
    assert.ok(!parsed.ok && parsed.violations.some((v) => v.field === field), field);
  }
});

Deno.test("parsers: inputs found by fuzzing — parseCodeTableCsv with impossible dates", async (t) => {
  const header = CODE_TABLE_COLUMNS.join(";");
  for (
    const [dal, al] of [["9999-99-99", ""], ["2024-13-01", ""], ["2024-00-10", ""], [
      "2015-01-01",
      "2024-13-01",
    ]]
  ) {
    const text = `${header}\nA1.04;Contributi economici;A1;${dal};${al};N;N;\n`;
    await t.step(JSON.stringify(text), () => {
      const result = parseCodeTableCsv(text);
      assert.equal(result.ok, false);
      assert.match(
        result.ok ? "" : result.errors.join("\n"),
        /^Riga 2: valido_(dal|al): data non valida/,
      );
    });
  }
});
