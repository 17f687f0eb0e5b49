/**
 * A generated corpus of PS-PSA-SINA documents, valid and mutated, as trees in
 * the xml2js shape (attributes under `$`, children as arrays): each is judged
 * by the official XSD and by the zod schemas, which must agree.
 * @module
 */

type Tree = Record<string, unknown>;
type Attrs = Record<string, string>;

/** A small deterministic random generator (mulberry32), so that a failure can be replayed. */
export function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];
  const chance = (p: number) => next() < p;
  const str = (alphabet: string, n: number) =>
    Array.from({ length: n }, () => pick([...alphabet])).join("");
  return { next, int, pick, chance, str };
}

type Rng = ReturnType<typeof random>;
const L = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const D = "0123456789";

const date = (r: Rng) =>
  `${r.int(2015, 2026)}-${String(r.int(1, 12)).padStart(2, "0")}-${
    String(r.int(1, 28)).padStart(2, "0")
  }`;
const decimal = (r: Rng) =>
  r.pick([`${r.int(0, 5000)}.${r.str(D, 2)}`, String(r.int(1, 900)), `${r.int(0, 9)}.5`]);
const cf = (r: Rng) =>
  r.chance(0.9)
    ? `${r.str(L, 6)}${r.str(D, 2)}${r.str(L, 1)}${r.str(D, 2)}${r.str(L, 1)}${r.str(L + D, 3)}${
      r.str(L, 1)
    }`
    : r.str(D, 11);
const text = (r: Rng, min: number, max: number) =>
  r.str("abcdefghijklmnopqrstuvwxyzàèéìòù ABCDEF'-.", r.int(min, max)).replace(/^ | $/g, "x");

function prestazione(r: Rng): Tree {
  const attrs: Attrs = {
    PresenzaProvaMezzi: r.pick(["1", "2", "3", "4"]),
    CodicePrestazione: r.pick(["A1.01", "A1.04", "A1.05.01", "A2.01", "A3.02"]),
    DenominazionePrestazione: text(r, 10, 60),
    ProtocolloDomanda: r.str(L + D + "/-", r.int(1, 32)),
    PresaCarico: r.pick(["1", "2"]),
  };
  const maybe = (name: string, value: () => string) => {
    if (r.chance(0.5)) attrs[name] = value();
  };
  maybe("TipoOperazione", () => r.pick(["I", "C"]));
  maybe("CaratterePrestazione", () => r.pick(["1", "2"]));
  maybe("NumeroProtocolloDSU", () => `INPS-ISEE-${r.int(2015, 2026)}-${r.str(D, 8)}W-00`);
  maybe("AnnoProtocolloDSU", () => String(r.int(2015, 2026)));
  for (
    const d of [
      "DataDSU",
      "DataEvento",
      "DataInizioPrestazione",
      "DataFinePrestazione",
      "DataErogazionePrestazione",
    ]
  ) {
    maybe(d, () => date(r));
  }
  maybe("PeriodoErogazione", () => String(r.int(1, 12)));
  for (
    const a of [
      "ImportoPrestazione",
      "ImportoMensile",
      "ImportoQuotaEnte",
      "ImportoQuotaUtente",
      "ImportoQuotaSSN",
    ]
  ) {
    maybe(a, () => decimal(r));
  }
  for (const a of ["ImportoQuotaRichiesta", "ImportoSogliaISEE", "OreServizioMensile"]) {
    maybe(a, () => decimal(r));
  }
  maybe("AreaUtenza", () => r.pick(["1", "2", "3"]));
  const element: Tree = { $: attrs };
  if (r.chance(0.3)) {
    const sina: Tree = {
      $: {
        Mobilita: r.pick(["1", "2", "3"]),
        AttivitaVitaQuotidiana: r.pick(["1", "2", "3"]),
        DisturbiComportamentali: r.pick(["1", "2"]),
        AreaReddituale: r.pick(["1", "2", "3"]),
        AreaSupporto: r.pick(["1", "2", "3"]),
        FonteDerivazioneValutazione: r.pick(["1", "2", "3", "4"]),
        StrumentoValutazione: String(r.int(1, 7)),
        ...(r.chance(0.5) ? { DisturbiAreaCognitiva: r.pick(["1", "2", "3"]) } : {}),
        ...(r.chance(0.5) ? { NecessitaCureSanitarie: r.pick(["1", "2", "3"]) } : {}),
        ...(r.chance(0.5) ? { FonteDerivazioneInvalidita: r.pick(["1", "2"]) } : {}),
      },
    };
    if (r.chance(0.5)) {
      sina.NecessitaInterventiSociali = [{
        CodicePrestazione: Array.from(
          { length: r.int(1, 3) },
          () => r.pick(["A1.11", "A2.05", "A3.01"]),
        ),
      }];
    }
    if (r.chance(0.5)) {
      sina.InvaliditaCivile = [{
        InvCiv: Array.from({ length: r.int(1, 3) }, () => String(r.int(1, 8))),
      }];
    }
    element.SINA = [sina];
  }
  return element;
}

function beneficiario(r: Rng): Tree {
  const anagrafica: Attrs = {
    Cognome: text(r, 1, 36),
    Nome: text(r, 1, 36),
    AnnoNascita: String(r.int(1920, 2025)),
    LuogoNascita: r.pick(["H501", "F205", "L219", "Z404"]),
    Genere: r.pick(["1", "2"]),
    CodiceCittadinanza: r.pick(["380", "990", "404"]),
  };
  if (r.chance(0.2)) anagrafica.CodiceSecondaCittadinanza = "250";
  return {
    $: { CodiceFiscale: cf(r) },
    Anagrafica: [{ $: anagrafica }],
    Indirizzo: Array.from({ length: r.int(1, 2) }, () => ({
      $: r.chance(0.8)
        ? { CodiceNazione: "380", CodiceRegione: "12", CodiceComune: "058091" }
        : { CodiceNazione: "404" },
    })),
    PrestazioniSociali: Array.from({ length: r.int(1, 3) }, () => prestazione(r)),
  };
}

/** A valid document. */
export function validDocument(r: Rng): Tree {
  return {
    Flusso: {
      $: { xmlns: "http://inps.it/Casellario" },
      IdentificazioneFlusso: [{
        $: { Nome: `H501.PS.2024${r.str(D, 4)}.${r.str(D, 7)}` },
        Ente: [{
          $: {
            Codice: "H501",
            Indirizzo: "H501",
            CFOperatore: cf(r),
            Denominazione: "Comune di Roma",
          },
        }],
      }],
      Beneficiario: Array.from({ length: r.int(1, 2) }, () => beneficiario(r)),
    },
  };
}

// Values that break (or look like they break, but do not) each kind of attribute.
const TRICKY = [
  "",
  " ",
  "x".repeat(201),
  "1,5",
  "1.",
  ".5",
  "+3",
  "-1",
  " 7 ",
  "0",
  "13",
  "abc",
  "2023-02-29",
  "2024-02-29",
  "2024-13-01",
  "2024-1-01",
  "24-01-01",
  "2024-01-01Z",
  "2024-01-01+01:00",
  "0000-01-01",
  "١٢٣٤",
  "٣٨٠",
  "١٢٣٤٥٦٧٨٩٠١",
  "RSSMRA٨٠A٠١H٥٠١U",
  "H50",
  "H5011",
  "12345678901",
  "12345678901     ",
  "12345678901      ",
  "RSSMRA80A01H501U",
  "rssmra80a01h501u",
  "RSSMRA8LA01H501U",
  "RSSMRA80A01H50MU",
  "I",
  "C",
  "X",
  "3",
  "4",
  "8",
  "9",
  "A1.04",
  "A1.04.01.99.9",
  'Comune <di> Roma & "altri"',
  "Müller-Lüdenscheidt",
];

/** A document with every optional attribute and element present, once. */
export function fullDocument(r: Rng): Tree {
  const doc = validDocument(r) as { Flusso: { Beneficiario: Tree[] } };
  const b = doc.Flusso.Beneficiario[0];
  (b.Anagrafica as Tree[])[0].$ = {
    ...((b.Anagrafica as Tree[])[0].$ as Attrs),
    CodiceSecondaCittadinanza: "250",
  };
  b.Indirizzo = [{ $: { CodiceNazione: "380", CodiceRegione: "12", CodiceComune: "058091" } }];
  b.PrestazioniSociali = [{
    $: {
      TipoOperazione: "I",
      PresenzaProvaMezzi: "1",
      CaratterePrestazione: "1",
      NumeroProtocolloDSU: "INPS-ISEE-2024-00597381W-00",
      AnnoProtocolloDSU: "2024",
      DataDSU: "2024-01-10",
      CodicePrestazione: "A1.05.01",
      DenominazionePrestazione: "Contributi per affitti",
      ProtocolloDomanda: "2024/123",
      DataEvento: "2024-01-05",
      DataInizioPrestazione: "2024-02-01",
      DataFinePrestazione: "2024-12-31",
      DataErogazionePrestazione: "2024-02-15",
      ImportoPrestazione: "1200.00",
      PeriodoErogazione: "12",
      ImportoMensile: "100.00",
      ImportoQuotaEnte: "80.00",
      ImportoQuotaUtente: "20.00",
      ImportoQuotaSSN: "0",
      ImportoQuotaRichiesta: "100",
      ImportoSogliaISEE: "9360.00",
      OreServizioMensile: "10.5",
      PresaCarico: "1",
      AreaUtenza: "2",
    },
    SINA: [{
      $: {
        Mobilita: "2",
        AttivitaVitaQuotidiana: "2",
        DisturbiAreaCognitiva: "1",
        DisturbiComportamentali: "1",
        NecessitaCureSanitarie: "2",
        AreaReddituale: "1",
        AreaSupporto: "3",
        FonteDerivazioneValutazione: "4",
        StrumentoValutazione: "7",
        FonteDerivazioneInvalidita: "2",
      },
      NecessitaInterventiSociali: [{ CodicePrestazione: ["A1.11", "A2.05"] }],
      InvaliditaCivile: [{ InvCiv: ["1", "8"] }],
    }],
  }];
  return doc;
}

/**
 * Every single mutation of `doc`: each attribute of each element set to each
 * tricky value, removed, an unknown attribute added, and wrong element counts.
 */
export function allMutations(doc: Tree): { doc: Tree; what: string }[] {
  const out: { doc: Tree; what: string }[] = [];
  const paths: string[][] = [];
  const walk = (node: unknown, path: string[]) => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, [...path, String(i)]));
    else if (node && typeof node === "object") {
      const t = node as Tree;
      if (t.$ && path.length > 1) paths.push(path);
      for (const [k, v] of Object.entries(t)) if (k !== "$") walk(v, [...path, k]);
    }
  };
  walk(doc, []);
  const at = (root: Tree, path: string[]) =>
    path.reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], root) as Tree;
  for (const path of paths) {
    const label = path.filter((k) => !/^\d+$/.test(k)).join("/");
    for (const name of Object.keys(at(doc, path).$ as Attrs)) {
      for (const value of TRICKY) {
        const copy = structuredClone(doc);
        (at(copy, path).$ as Attrs)[name] = value;
        out.push({ doc: copy, what: `${label}/@${name}=${JSON.stringify(value)}` });
      }
      const copy = structuredClone(doc);
      delete (at(copy, path).$ as Attrs)[name];
      out.push({ doc: copy, what: `${label} senza @${name}` });
    }
    const copy = structuredClone(doc);
    (at(copy, path).$ as Attrs).AttributoIgnoto = "1";
    out.push({ doc: copy, what: `${label}/@AttributoIgnoto` });
  }
  const beneficiary = (d: Tree) =>
    (d as { Flusso: { Beneficiario: Tree[] } }).Flusso.Beneficiario[0];
  const counts: [string, (b: Tree) => void][] = [
    [
      "6 Indirizzo",
      (b) => b.Indirizzo = Array.from({ length: 6 }, () => (b.Indirizzo as Tree[])[0]),
    ],
    [
      "5 Indirizzo",
      (b) => b.Indirizzo = Array.from({ length: 5 }, () => (b.Indirizzo as Tree[])[0]),
    ],
    ["nessuna PrestazioniSociali", (b) => b.PrestazioniSociali = []],
    [
      "2 Anagrafica",
      (b) => b.Anagrafica = [...(b.Anagrafica as Tree[]), ...(b.Anagrafica as Tree[])],
    ],
    ["nessuna Anagrafica", (b) => delete b.Anagrafica],
    ["2 SINA", (b) => {
      const p = (b.PrestazioniSociali as Tree[])[0];
      p.SINA = [...(p.SINA as Tree[]), ...(p.SINA as Tree[])];
    }],
    ["InvCiv 9", (b) => {
      const sina = ((b.PrestazioniSociali as Tree[])[0].SINA as Tree[])[0];
      sina.InvaliditaCivile = [{ InvCiv: ["9"] }];
    }],
    ["NecessitaInterventiSociali vuota", (b) => {
      const sina = ((b.PrestazioniSociali as Tree[])[0].SINA as Tree[])[0];
      sina.NecessitaInterventiSociali = [{ CodicePrestazione: ["A1"] }];
    }],
  ];
  for (const [what, change] of counts) {
    const copy = structuredClone(doc);
    change(beneficiary(copy));
    out.push({ doc: copy, what });
  }
  return out;
}
