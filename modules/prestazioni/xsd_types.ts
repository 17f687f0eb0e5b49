/**
 * XML Schema datatypes as zod schemas, with the XSD's own lexical rules, so
 * that a value is accepted here exactly when the official XSD accepts it:
 * lengths count characters (code points), `\d` in a pattern is any Unicode
 * digit, and `xs:date`, `xs:decimal`, `xs:int` collapse white space first.
 *
 * @example
 * ```ts
 * xsString({ pattern: "([0-9]{4})" }).safeParse("2024").success; // true
 * xsDate().safeParse("2024-02-30").success; // false
 * ```
 * @module
 */
import { z } from "zod";
import { FAIL, withFastPath } from "./fast_schema.ts";

/** Facets of an `xs:string` restriction. */
export interface StringFacets {
  minLength?: number;
  maxLength?: number;
  length?: number;
  /** The XSD pattern, unanchored as written in the XSD (XSD patterns match the whole value). */
  pattern?: string;
}

// A value holding none of these characters is the common case: its length is its number of
// code points, and it holds no character XML forbids. One test of this (without the `u` flag,
// cheaper) decides it; the rare rest is judged code point by code point.
// deno-lint-ignore no-control-regex
const UNCOMMON = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Translates an XSD regular expression to a whole-value JavaScript one. */
export function xsdPattern(pattern: string): RegExp {
  // XSD's \d is any Unicode decimal digit; its patterns are implicitly anchored.
  return new RegExp(`^(?:${pattern.replaceAll("\\d", "\\p{Nd}")})$`, "u");
}

/** A character outside the XML 1.0 `Char` production (lone surrogates included): no XML
 * document can carry it. Matching control characters is the point here. */
// deno-lint-ignore no-control-regex
export const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/u;

/** An `xs:string` restricted by `facets`; white space is kept, as the XSD keeps it. */
export function xsString(facets: StringFacets = {}) {
  const re = facets.pattern ? xsdPattern(facets.pattern) : undefined;
  // The first facet the value breaks, in Italian, or undefined.
  const problem = (v: string): string | undefined => {
    const uncommon = UNCOMMON.test(v);
    const n = uncommon ? [...v].length : v.length;
    if (uncommon && NOT_XML_CHAR.test(v)) {
      // No XML document can carry it: the form and the CSV must not store what XML cannot send.
      return "contiene un carattere di controllo non ammesso";
    } else if (facets.length !== undefined && n !== facets.length) {
      return `deve avere esattamente ${facets.length} caratteri`;
    } else if (facets.minLength !== undefined && n < facets.minLength) {
      return facets.minLength === 1
        ? "non può essere vuoto"
        : `deve avere almeno ${facets.minLength} caratteri`;
    } else if (facets.maxLength !== undefined && n > facets.maxLength) {
      return `può avere al massimo ${facets.maxLength} caratteri`;
    } else if (re && !re.test(v)) {
      return "non è nel formato previsto";
    }
  };
  return withFastPath(
    z.string().superRefine((v, ctx) => {
      const message = problem(v);
      if (message) ctx.addIssue({ code: "custom", message });
    }),
    (v) => (typeof v === "string" && problem(v) === undefined ? v : FAIL),
  );
}

/** An enumeration on `xs:string`: the value must be one of `values`, exactly. */
export function xsEnum<const T extends readonly [string, ...string[]]>(values: T) {
  // The values stay readable on the schema, so that a form offers exactly what it accepts.
  const allowed = new Set<unknown>(values);
  return withFastPath(
    Object.assign(
      z.string().refine(
        (v): v is T[number] => allowed.has(v),
        `valori ammessi: ${values.join(", ")}`,
      ),
      { values },
    ),
    (v) => (allowed.has(v) ? v : FAIL),
  );
}

/** The values of an enumeration built by {@linkcode xsEnum}, optional or not. */
export function enumValues(schema: z.ZodType): readonly string[] {
  const inner = schema instanceof z.ZodOptional ? schema.unwrap() : schema;
  const values = (inner as { values?: readonly string[] }).values;
  if (!values) throw new Error("lo schema non è un'enumerazione");
  return values;
}

// The XSD "collapse" rule works on XML white space only (space, tab, CR, LF): a
// no-break space or a BOM is not white space to the XSD, so it must stay and fail.
const WHITE = /[ \t\r\n]/;
const collapse = (v: string) =>
  WHITE.test(v) ? v.replace(/[ \t\r\n]+/g, " ").replace(/^ | $/g, "") : v;

const DATE = /^(-?)(\d{4,})-(\d{2})-(\d{2})(Z|[+-](\d{2}):(\d{2}))?$/;

// The days of each month of a common year (every date of every flow is checked against them).
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether `y-m-d` is a day of the proleptic Gregorian calendar. */
function dayExists(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : MONTH_DAYS[month - 1]);
}

const DASH = 45;

/** The number the ASCII digits `v[from…to)` write, or -1 if one is not a digit. */
function digits(v: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Whether a collapsed value is an `xs:date`. */
function isDate(v: string): boolean {
  // The form of nearly every date, AAAA-MM-GG, read without a match and its strings.
  if (v.length === 10 && v.charCodeAt(4) === DASH && v.charCodeAt(7) === DASH) {
    const y = digits(v, 0, 4), mo = digits(v, 5, 7), d = digits(v, 8, 10);
    if (y >= 0 && mo >= 0 && d >= 0) return y !== 0 && dayExists(y, mo, d);
  }
  const m = DATE.exec(v);
  if (!m) return false;
  const [, , y, mo, d, tz, tzh, tzm] = m;
  if (y.length > 4 && y.startsWith("0")) return false;
  if (Number(y) === 0) return false;
  if (
    tz && tz !== "Z" &&
    (Number(tzh) > 14 || Number(tzm) > 59 || (Number(tzh) === 14 && tzm !== "00"))
  ) {
    return false;
  }
  return dayExists(Number(y), Number(mo), Number(d));
}

/** A datatype whose value is collapsed first, then judged by `ok` (the output is collapsed). */
function collapsed(ok: (v: string) => boolean, message: string) {
  return withFastPath(
    z.string().transform(collapse).refine(ok, message),
    (v) => {
      if (typeof v !== "string") return FAIL;
      const c = collapse(v);
      return ok(c) ? c : FAIL;
    },
    (v) => collapse(v as string),
  );
}

/** An `xs:date` (`AAAA-MM-GG`, optionally with a time zone); the output is collapsed. */
export function xsDate() {
  return collapsed(isDate, "non è una data valida (AAAA-MM-GG)");
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** An `xs:decimal`; the output is collapsed. */
export function xsDecimal() {
  return collapsed((v) => DECIMAL.test(v), "non è un numero decimale valido");
}

const INT = /^[+-]?\d+$/;

/** An `xs:int` within `[min, max]`; the output is the number. */
export function xsInt(facets: { min?: number; max?: number } = {}) {
  const min = Math.max(facets.min ?? -2147483648, -2147483648);
  const max = Math.min(facets.max ?? 2147483647, 2147483647);
  return withFastPath(
    z.string().transform(collapse).refine((v) => INT.test(v), "non è un numero intero")
      .transform(Number).refine((n) => n >= min && n <= max, `deve essere tra ${min} e ${max}`),
    (v) => {
      if (typeof v !== "string") return FAIL;
      const c = collapse(v);
      if (!INT.test(c)) return FAIL;
      const n = Number(c);
      return n >= min && n <= max ? n : FAIL;
    },
    (v) => Number(collapse(v as string)),
  );
}
