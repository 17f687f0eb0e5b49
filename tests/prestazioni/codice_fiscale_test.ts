/**
 * Our codice fiscale code checked against an independent implementation, the
 * npm package `codice-fiscale-js` (used only here): thousands of seeded
 * random persons, every omocodia variant of each, random single-character
 * mutations, random well-formed codes, and the 11-digit numeric form.
 * @module
 */
import assert from "node:assert/strict";
import CodiceFiscaleExport from "codice-fiscale-js";
import {
  checkCharacter,
  checkCodiceFiscale,
  type CodiceFiscaleData,
  decodeCodiceFiscale,
} from "../../modules/prestazioni/codice_fiscale.ts";

// The package's types declare an ES default export, but its CommonJS bundle sets
// `module.exports.CodiceFiscale`: the class is there.
type LibraryClass = typeof CodiceFiscaleExport.default;
const Library = (CodiceFiscaleExport as unknown as { CodiceFiscale: LibraryClass }).CodiceFiscale;

const PERSONS = 5_000;
const RANDOM_CODES = 20_000;
const RANDOM_NUMERIC = 10_000;

/** A seeded PRNG (mulberry32): the same persons on every run. */
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
  return { next, int, pick };
}

// Belfiore codes of real comuni (current and merged) and foreign states, all known to the library.
const BIRTHPLACES = [
  "H501", // Roma
  "F205", // Milano
  "L219", // Torino
  "A944", // Bologna
  "F839", // Napoli
  "G273", // Palermo
  "D612", // Firenze
  "C351", // Catania
  "L736", // Venezia
  "A662", // Bari
  "B354", // Cagliari
  "H703", // Salerno
  "E506", // Lecce
  "I452", // Sassari
  "M297", // Fiumicino
  "M399", // Treppo Ligosullo
  "Z100", // Albania
  "Z110", // Francia
  "Z112", // Germania
  "Z114", // Regno Unito
  "Z126", // Paesi Bassi
  "Z129", // Romania
  "Z131", // Spagna
  "Z133", // Svizzera
  "Z138", // Ucraina
  "Z154", // Federazione Russa
  "Z209", // Sri Lanka
  "Z222", // India
  "Z253", // Azerbaigian
  "Z301", // Algeria
  "Z330", // Marocco
  "Z336", // Egitto
  "Z352", // Tunisia
  "Z355", // Zambia
  "Z401", // Canada
  "Z404", // Stati Uniti d'America
  "Z503", // Costa Rica
  "Z600", // Argentina
  "Z602", // Brasile
  "Z700", // Australia
] as const;

const SURNAMES = [
  "Rossi",
  "Russo",
  "Ferrari",
  "Esposito",
  "Bianchi",
  "Romano",
  "Colombo",
  "Ricci",
  "Marino",
  "Greco",
  "D'Angelo",
  "De Luca",
  "Lo Bianco",
  "Dell'Acqua",
  "Bo",
  "Fo",
  "Ai",
  "Oe",
  "Xu",
  "Yang",
  "Zhou",
  "Müller",
  "Nguyen",
  "Schwarzkopf",
];
const NAMES = [
  "Mario",
  "Anna",
  "Giuseppe",
  "Maria Grazia",
  "Francesca",
  "Gianfranco",
  "Luca",
  "Ugo",
  "Ada",
  "Eva",
  "Io",
  "Al",
  "Pier Paolo",
  "Christian",
  "Aurora",
  "Ioana",
  "Mohamed",
  "Li",
];
const CONSONANTS = "BCDFGHJKLMNPQRSTVWXYZ";
const VOWELS = "AEIOU";

function randomWord(rnd: ReturnType<typeof prng>): string {
  let word = "";
  for (let i = rnd.int(1, 5); i > 0; i--) {
    word += (rnd.next() < 0.8 ? rnd.pick([...CONSONANTS]) : "") + rnd.pick([...VOWELS]);
  }
  return word[0] + word.slice(1).toLowerCase();
}

interface Person {
  name: string;
  surname: string;
  gender: "M" | "F";
  day: number;
  month: number;
  year: number;
  birthplace: string;
}

function daysIn(month: number, year: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function randomPerson(rnd: ReturnType<typeof prng>): Person {
  const year = rnd.int(1920, 2025);
  const month = rnd.int(1, 12);
  return {
    name: rnd.next() < 0.5 ? rnd.pick(NAMES) : randomWord(rnd),
    surname: rnd.next() < 0.5 ? rnd.pick(SURNAMES) : randomWord(rnd),
    gender: rnd.next() < 0.5 ? "M" : "F",
    day: rnd.int(1, daysIn(month, year)),
    month,
    year,
    birthplace: rnd.pick(BIRTHPLACES),
  };
}

type LibraryCf = InstanceType<LibraryClass>;

let persons: { p: Person; lib: LibraryCf }[] | undefined;

/** The seeded persons and their codes as the library computes them (built once: it is slow). */
function population(): { p: Person; lib: LibraryCf }[] {
  if (!persons) {
    const rnd = prng(20240601);
    persons = Array.from({ length: PERSONS }, () => {
      const p = randomPerson(rnd);
      return { p, lib: new Library({ ...p, birthplaceProvincia: "" }) };
    });
  }
  return persons;
}

function same(decoded: CodiceFiscaleData | undefined, expected: CodiceFiscaleData): boolean {
  return decoded !== undefined && decoded.yearDigits === expected.yearDigits &&
    decoded.genere === expected.genere && decoded.luogo === expected.luogo;
}

/** Collects failures so that a run reports how many and a few examples, not just the first. */
function failures() {
  const list: string[] = [];
  let count = 0;
  return {
    expect(ok: boolean, message: () => string) {
      if (ok) return;
      count++;
      if (list.length < 15) list.push(message());
    },
    assertNone(what: string) {
      assert.equal(count, 0, `${count} ${what}, e.g.:\n${list.join("\n")}`);
    },
  };
}

Deno.test("codice fiscale: random persons and all their omocodia variants agree with codice-fiscale-js", () => {
  const rnd = prng(3);
  const f = failures();
  let variants = 0;
  for (const { p, lib } of population()) {
    const inverse = rnd.int(0, 126);
    const cf = lib.cf;
    const expected: CodiceFiscaleData = {
      yearDigits: String(p.year % 100).padStart(2, "0"),
      genere: p.gender === "M" ? "1" : "2",
      luogo: p.birthplace,
    };
    const where = () => `${JSON.stringify(p)} → ${cf}`;
    f.expect(Library.check(cf), () => `library refuses its own code ${where()}`);
    const ours = checkCodiceFiscale(cf);
    f.expect(
      ours.ok && ours.value === cf,
      () => `ours refuses ${where()}: ${JSON.stringify(ours)}`,
    );
    f.expect(
      checkCharacter(cf.slice(0, 15)) === cf[15],
      () => `check character ${checkCharacter(cf.slice(0, 15))} for ${where()}`,
    );
    const decoded = decodeCodiceFiscale(cf);
    f.expect(same(decoded, expected), () => `decoded ${JSON.stringify(decoded)} for ${where()}`);
    // Lower case and surrounding spaces are normalised, and still the same code.
    const sloppy = checkCodiceFiscale(` ${cf.toLowerCase()}\t`);
    f.expect(sloppy.ok && sloppy.value === cf, () => `ours refuses lower case ${where()}`);

    const omocodie = lib.omocodie();
    f.expect(omocodie.length === 127, () => `${omocodie.length} omocodie for ${where()}`);
    for (const [j, variant] of omocodie.entries()) {
      variants++;
      f.expect(Library.check(variant), () => `library refuses its omocodia ${variant} of ${cf}`);
      const v = checkCodiceFiscale(variant);
      f.expect(v.ok, () => `ours refuses omocodia ${variant} of ${cf}: ${JSON.stringify(v)}`);
      f.expect(
        checkCharacter(variant.slice(0, 15)) === variant[15],
        () => `check character of omocodia ${variant} of ${cf}`,
      );
      f.expect(
        same(decodeCodiceFiscale(variant), expected),
        () =>
          `omocodia ${variant} of ${cf} decodes as ${JSON.stringify(decodeCodiceFiscale(variant))}`,
      );
      if (j === inverse) {
        // The library's own decoding of the variant gives back the same person.
        const back = new Library(variant);
        f.expect(
          back.gender === p.gender && back.day === p.day && back.month === p.month &&
            back.year % 100 === p.year % 100 && back.birthplace.cc === p.birthplace,
          () => `library decodes omocodia ${variant} of ${cf} as ${JSON.stringify(back)}`,
        );
      }
    }
  }
  f.assertNone("disagreements");
  assert.equal(variants, PERSONS * 127);
});

const NUMERIC_POSITIONS = [6, 7, 9, 10, 12, 13, 14];

/** A random omocodia variant (at least one digit replaced), its check character by the library. */
function omocodia(cf: string, rnd: ReturnType<typeof prng>): string {
  const chars = [...cf.slice(0, 15)];
  const positions = NUMERIC_POSITIONS.filter(() => rnd.next() < 0.5);
  if (positions.length === 0) positions.push(rnd.pick(NUMERIC_POSITIONS));
  for (const at of positions) chars[at] = "LMNPQRSTUV"[Number(chars[at])];
  const first15 = chars.join("");
  return first15 + Library.getCheckCode(first15);
}

const ALPHABET = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", ..."abcxyz", " ", "-", "À", "\u0000"];

Deno.test("codice fiscale: single-character mutations get the same verdict from ours and the library", () => {
  const rnd = prng(7);
  const f = failures();
  let mutations = 0;
  let brokenCheck = 0;
  for (const { lib } of population()) {
    for (const cf of [lib.cf, omocodia(lib.cf, rnd)]) {
      const at = rnd.int(0, 15);
      let ch = rnd.pick(ALPHABET);
      while (ch === cf[at]) ch = rnd.pick(ALPHABET);
      const mutated = cf.slice(0, at) + ch + cf.slice(at + 1);
      mutations++;
      const ours = checkCodiceFiscale(mutated).ok;
      const theirs = Library.check(mutated);
      f.expect(
        ours === theirs,
        () => `${cf} → ${JSON.stringify(mutated)}: ours ${ours}, library ${theirs}`,
      );
      const upper = mutated.toUpperCase();
      if (Library.getCheckCode(upper.slice(0, 15)) !== upper[15]) {
        brokenCheck++;
        f.expect(!ours && !theirs, () => `broken check character accepted: ${mutated}`);
      }
    }
  }
  f.assertNone("different verdicts");
  assert.equal(mutations, 2 * PERSONS);
  assert.ok(brokenCheck > mutations * 0.9, `${brokenCheck} of ${mutations} break the check`);
});

const DIGIT_OR_OMOCODIA = "0123456789LMNPQRSTUV";
const MONTHS = "ABCDEHLMPRST";

Deno.test("codice fiscale: random well-formed codes — same check character; ours also refuses impossible days", () => {
  const rnd = prng(99);
  const f = failures();
  const letter = () => String.fromCharCode(65 + rnd.int(0, 25));
  const digit = () => rnd.pick([...DIGIT_OR_OMOCODIA]);
  let impossibleDays = 0;
  for (let i = 0; i < RANDOM_CODES; i++) {
    const first15 = [
      ...Array.from({ length: 6 }, letter),
      digit(),
      digit(),
      rnd.pick([...MONTHS]),
      digit(),
      digit(),
      letter(),
      digit(),
      digit(),
      digit(),
    ].join("");
    const expected = Library.getCheckCode(first15);
    f.expect(
      checkCharacter(first15) === expected,
      () => `${first15}: ours ${checkCharacter(first15)}, library ${expected}`,
    );
    const cf = first15 + expected;
    const day = Number(cf.slice(9, 11).replace(/[L-V]/g, (l) => String("LMNPQRSTUV".indexOf(l))));
    const possibleDay = (day >= 1 && day <= 31) || (day >= 41 && day <= 71);
    if (!possibleDay) impossibleDays++;
    f.expect(Library.check(cf), () => `library refuses ${cf}`);
    // The library does not look at the day; we refuse days 00, 32–40 and 72–99.
    const ours = checkCodiceFiscale(cf);
    f.expect(
      ours.ok === possibleDay &&
        (ours.ok || ours.reason === "il giorno di nascita non è valido"),
      () => `${cf} (day ${day}): ours ${JSON.stringify(ours)}`,
    );
    const wrong = first15 + String.fromCharCode(65 + (expected.charCodeAt(0) - 65 + 1) % 26);
    f.expect(
      !checkCodiceFiscale(wrong).ok && !Library.check(wrong),
      () => `wrong check character accepted: ${wrong}`,
    );
  }
  f.assertNone("disagreements");
  assert.ok(impossibleDays > 0);
});

Deno.test("codice fiscale: the library accepts impossible birth days, ours does not", () => {
  for (
    const [day, expected] of [
      ["00", false],
      ["32", false],
      ["40", false],
      ["72", false],
      [
        "99",
        false,
      ],
      ["31", true],
      ["41", true],
      ["71", true],
    ] as const
  ) {
    const first15 = `RSSMRA80A${day}H501`;
    const cf = first15 + Library.getCheckCode(first15);
    assert.equal(Library.check(cf), true, cf);
    assert.equal(checkCodiceFiscale(cf).ok, expected, cf);
  }
});

/** The check digit of the numeric code, as the Agenzia delle Entrate specifies it. */
function referenceNumericValid(code: string): boolean {
  if (!/^[0-9]{11}$/.test(code)) return false;
  const d = [...code].map(Number);
  let odd = 0;
  let even = 0;
  for (let i = 0; i < 10; i += 2) odd += d[i];
  for (let i = 1; i < 10; i += 2) even += d[i] * 2 > 9 ? d[i] * 2 - 9 : d[i] * 2;
  return (10 - ((odd + even) % 10)) % 10 === d[10];
}

// Published codici fiscali numerici and partite IVA.
const KNOWN_NUMERIC = [
  "80078750587", // INPS
  "01165400589", // INAIL
  "06363391001", // Agenzia delle Entrate
  "80415740580", // Ministero dell'Economia e delle Finanze
  "80188230587", // Presidenza del Consiglio dei Ministri
  "80185250588", // Ministero degli Affari Esteri
  "80111810588", // ISTAT
  "80143490581", // Regione Lazio
  "02438750586", // Roma Capitale
  "00950501007", // Banca d'Italia
  "97103880585", // Poste Italiane (codice fiscale)
  "01114601006", // Poste Italiane (partita IVA)
  "00484960588", // Eni (codice fiscale)
  "00905811006", // Eni (partita IVA)
  "00488410010", // Telecom Italia
];

Deno.test("codice fiscale: the 11-digit numeric form", () => {
  let mutations = 0;
  for (const code of KNOWN_NUMERIC) {
    assert.ok(referenceNumericValid(code), code);
    assert.deepEqual(checkCodiceFiscale(code), { ok: true, value: code });
    // The XSD allows up to 5 trailing spaces; they are trimmed.
    assert.deepEqual(checkCodiceFiscale(`${code}     `), { ok: true, value: code });
    assert.equal(decodeCodiceFiscale(code), undefined);
    assert.equal(Library.check(code), false, "the library knows only the personal form");
    for (let at = 0; at < 11; at++) {
      for (let digit = 0; digit <= 9; digit++) {
        if (String(digit) === code[at]) continue;
        const mutated = code.slice(0, at) + digit + code.slice(at + 1);
        mutations++;
        const result = checkCodiceFiscale(mutated);
        assert.deepEqual(result, {
          ok: false,
          reason: "la cifra di controllo del codice numerico non è corretta",
        }, mutated);
      }
      if (at < 10 && code[at] !== code[at + 1]) {
        const swapped = code.slice(0, at) + code[at + 1] + code[at] + code.slice(at + 2);
        assert.equal(checkCodiceFiscale(swapped).ok, referenceNumericValid(swapped), swapped);
      }
    }
    const arabicIndic = code.replace(/[0-9]/g, (d) => String.fromCharCode(0x660 + Number(d)));
    assert.equal(checkCodiceFiscale(arabicIndic).ok, false, arabicIndic);
    assert.equal(checkCodiceFiscale(code.slice(0, 10)).ok, false);
    assert.equal(checkCodiceFiscale(`${code}0`).ok, false);
  }
  assert.equal(mutations, KNOWN_NUMERIC.length * 11 * 9);

  const rnd = prng(11);
  let valid = 0;
  for (let i = 0; i < RANDOM_NUMERIC; i++) {
    const code = Array.from({ length: 11 }, () => rnd.int(0, 9)).join("");
    const expected = referenceNumericValid(code);
    if (expected) valid++;
    assert.equal(checkCodiceFiscale(code).ok, expected, code);
  }
  assert.ok(valid > RANDOM_NUMERIC * 0.08 && valid < RANDOM_NUMERIC * 0.12, `${valid} valid`);
});
