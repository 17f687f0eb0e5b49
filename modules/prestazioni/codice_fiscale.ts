/**
 * Codice fiscale: the 16-character code of a person (with omocodia, where
 * digits are replaced by letters to tell apart people with the same code)
 * and the 11-digit numeric code (temporary codes, legal entities).
 *
 * @example
 * ```ts
 * checkCodiceFiscale("RSSMRA80A01H501U"); // { ok: true, value: "RSSMRA80A01H501U" }
 * checkCodiceFiscale("RSSMRA80A01H501X").ok; // false: wrong check character
 * ```
 * @module
 */

/** The outcome of a check: the normalised code, or the Italian reason it is not valid. */
export type CodiceFiscaleCheck = { ok: true; value: string } | { ok: false; reason: string };

const PERSON =
  /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
const NUMERIC = /^[0-9]{11}$/;
const OMOCODIA = "LMNPQRSTUV"; // the letters standing for digits 0–9

// Values of characters in odd positions (1st, 3rd, …) for the check character, digits and letters alike.
const ODD = [
  1,
  0,
  5,
  7,
  9,
  13,
  15,
  17,
  19,
  21,
  2,
  4,
  18,
  20,
  11,
  3,
  6,
  8,
  12,
  14,
  16,
  10,
  22,
  25,
  24,
  23,
];

/** Validates and normalises (trim, upper case) a codice fiscale. */
export function checkCodiceFiscale(input: string): CodiceFiscaleCheck {
  const value = input.trim().toUpperCase();
  if (NUMERIC.test(value)) {
    return numericCheckDigit(value) === Number(value[10])
      ? { ok: true, value }
      : { ok: false, reason: "la cifra di controllo del codice numerico non è corretta" };
  }
  if (value.length !== 16) {
    return { ok: false, reason: "deve avere 16 caratteri (o 11 cifre)" };
  }
  if (!PERSON.test(value)) {
    return { ok: false, reason: "il formato non è quello di un codice fiscale" };
  }
  const day = Number(decodeDigits(value.slice(9, 11)));
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) {
    return { ok: false, reason: "il giorno di nascita non è valido" };
  }
  if (checkCharacter(value.slice(0, 15)) !== value[15]) {
    return { ok: false, reason: "il carattere di controllo non è corretto" };
  }
  return { ok: true, value };
}

/** The check character (16th) of the first 15 characters of a personal codice fiscale. */
export function checkCharacter(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const ch = first15.charCodeAt(i);
    const n = ch <= 57 ? ch - 48 : ch - 65; // a digit counts as the letter of the same rank
    sum += i % 2 === 0 ? ODD[n] : n;
  }
  return String.fromCharCode(65 + (sum % 26));
}

/** Replaces omocodia letters with the digits they stand for. */
export function decodeDigits(s: string): string {
  return s.replace(/[LMNPQRSTUV]/g, (l) => String(OMOCODIA.indexOf(l)));
}

function numericCheckDigit(code: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = Number(code[i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** What a personal codice fiscale says of its holder. */
export interface CodiceFiscaleData {
  /** The last two digits of the birth year. */
  yearDigits: string;
  genere: "1" | "2";
  /** Belfiore code of the birthplace (comune or foreign state). */
  luogo: string;
}

/** Decodes a valid 16-character codice fiscale (omocodia included); undefined for the numeric form. */
export function decodeCodiceFiscale(cf: string): CodiceFiscaleData | undefined {
  if (cf.length !== 16) return undefined;
  const day = Number(decodeDigits(cf.slice(9, 11)));
  return {
    yearDigits: decodeDigits(cf.slice(6, 8)),
    genere: day > 40 ? "2" : "1",
    luogo: cf[11] + decodeDigits(cf.slice(12, 15)),
  };
}
