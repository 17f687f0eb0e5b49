/**
 * A generated corpus of SINBA documents, valid and mutated, as trees in the
 * xml2js shape (attributes under `$`, children as arrays): each is judged by
 * the official XSD and by the zod schemas, which must agree. The codes and
 * formats here are read off SINBA.xsd by hand, not taken from the schema
 * under test, so that a mistake there shows up as a disagreement.
 * @module
 */
import { random } from "./_corpus_ps.ts";

export { random };

type Tree = Record<string, unknown>;
type Attrs = Record<string, string>;
type Rng = ReturnType<typeof random>;

const NS = "http://inps.it/Casellario";
const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const D = "0123456789";

/** How many codes (1…n) each coded `SINBA` attribute has in SINBA.xsd. */
const REQUIRED_CODES: Record<string, number> = {
  MinoreStranieroNoAcc: 2,
  CondizioneMinore: 5,
  LuogoVita: 8,
  ScuolaFrequentata: 8,
  CondizioneLavoro: 4,
  Disabilita: 2,
  FonteSegnalazione: 14,
  ValutazioneMinore: 13,
  ValutazioneFamigliaMinore: 13,
  SegnalazioneAutoritaGiudiziaria: 2,
  ProvvedimentoGiudiziario: 2,
  FasciaEtaBeneficiario: 6,
};
const OPTIONAL_CODES: Record<string, number> = {
  TipoDisabilita: 4,
  InvCivCertificazioni: 5,
  TitoloStudioPadre: 6,
  TitoloStudioMadre: 6,
  OccupazionePadre: 8,
  OccupazioneMadre: 8,
  AutoritaProvvedimento: 4,
  PotestaTutela: 5,
  TipoProvvedimentoGiudiziario: 8,
  FormaInterventoAffido: 2,
  TipoInterventoAffido: 2,
  DurataAffido: 2,
  CarattereAffido: 2,
  EsitoAffido: 9,
  CarattereInserimentoResidenziale: 10,
  FormaInserimentoResidenziale: 2,
  TipoInserimentoResidenziale: 2,
  EsitoInserimentoStruttura: 9,
  MotivazioneChiusuraCarico: 9,
  SituazioneChiusuraCarico: 8,
  CollaborazioniInterventi: 9,
  FasciaISEEBeneficiario: 8,
};
const COMPOSIZIONE_FAMIGLIA = 6;

const meseAnno = (r: Rng) => `${String(r.int(1, 12)).padStart(2, "0")}/${r.int(1990, 2026)}`;
const pseudonym = (r: Rng) =>
  r.str("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./ àèéìòù", r.int(1, 20));
const codicePrestazione = (r: Rng) => r.pick(["A1.02", "A2.06", "A1.04", "A2.01.01", "A3.02"]);

function sinba(r: Rng): Tree {
  const attrs: Attrs = {
    IDBeneficiario: pseudonym(r),
    DataPrimaSegnalazione: meseAnno(r),
    AnnoNascita: String(r.int(2006, 2025)),
    CodiceNazioneResidenza: r.pick(["380", "404", "250", "990"]),
  };
  for (const [name, n] of Object.entries(REQUIRED_CODES)) attrs[name] = String(r.int(1, n));
  const maybe = (name: string, value: () => string) => {
    if (r.chance(0.5)) attrs[name] = value();
  };
  for (const [name, n] of Object.entries(OPTIONAL_CODES)) maybe(name, () => String(r.int(1, n)));
  maybe("CodiceCittadinanzaPadre", () => r.str(D, 3));
  maybe("CodiceCittadinanzaMadre", () => r.str(D, 3));
  maybe("CodiceRegioneResidenzaPadre", () => r.str(D, 2));
  maybe("CodiceRegioneResidenzaMadre", () => r.str(D, 2));
  maybe("CodiceRegioneResidenza", () => r.str(D, 2));
  maybe("DataSegnalazione", () => meseAnno(r));
  maybe("DataProvvedimentoGiudiziario", () => meseAnno(r));
  maybe("NumeroComponentiISEE", () => String(r.int(1, 9)));
  return {
    $: attrs,
    Prestazioni: [{
      CodicePrestazione: Array.from({ length: r.int(1, 3) }, () => codicePrestazione(r)),
    }],
    Famiglia: [{
      ComposizioneFamiglia: Array.from(
        { length: r.int(1, 4) },
        () => String(r.int(1, COMPOSIZIONE_FAMIGLIA)),
      ),
    }],
  };
}

/** A valid document; some roots carry `xmlns:xsi` and `xsi:schemaLocation`, as INPS's examples do. */
export function validDocument(r: Rng): Tree {
  return {
    Flusso: {
      $: r.chance(0.3) ? { xmlns: NS, "xmlns:xsi": XSI, "xsi:schemaLocation": NS } : { xmlns: NS },
      IdentificazioneFlusso: [{
        $: { Nome: `H501.SINBA.2024${r.str(D, 4)}.${r.str(D, 7)}` },
        Ente: [{
          $: {
            Codice: "H501",
            Indirizzo: "H501",
            CFOperatore: r.chance(0.8) ? "RSSMRA80A01H501U" : r.str(D, 11),
            ...(r.chance(0.5) ? { Denominazione: "Comune di Roma" } : {}),
          },
        }],
      }],
      SINBA: Array.from({ length: r.int(1, 3) }, () => sinba(r)),
    },
  };
}

// Values that break (or look like they break, but do not) each kind of attribute.
const TRICKY = [
  // empty, blank, too long (IDBeneficiario 20, Nome 50, Denominazione 100, codes 10)
  "",
  " ",
  "    ",
  "x".repeat(20),
  "x".repeat(21),
  "x".repeat(50),
  "x".repeat(51),
  "x".repeat(101),
  "😀".repeat(20),
  "😀".repeat(21),
  // around every enumeration's bounds (the largest has 14 codes)
  ...Array.from({ length: 16 }, (_, i) => String(i)),
  "01",
  "1 ",
  " 1",
  "+1",
  "1.0",
  "-1",
  "١",
  "I",
  // xs:int with maxInclusive 9
  " 9 ",
  "\t9\n",
  "+9",
  "09",
  "-0",
  "-9",
  "9.0",
  "1e1",
  "٩",
  "\u00A09",
  "\uFEFF9",
  "9\u2003",
  "000000000000000000000000009",
  "-2147483648",
  "-2147483649",
  "2147483647",
  "2147483648",
  // DataMeseAnnoType (MM/AAAA, 1900–2099)
  "01/2010",
  "12/2099",
  "01/1900",
  "12/1899",
  "01/2100",
  "1/2010",
  "00/2010",
  "13/2010",
  "01-2010",
  "2010-01",
  "2010-01-01",
  "01/10",
  "01/20100",
  "01//2010",
  " 01/2010",
  "01/2010 ",
  "٠١/٢٠١٠",
  // AnnoNascita and the 2- and 3-digit codes
  "2005",
  "205",
  "20050",
  "٢٠٠٥",
  "380",
  "38",
  "3800",
  "38O",
  "٣٨٠",
  "1٢",
  // Ente: Belfiore code and codice fiscale of the operator
  "H501",
  "H50",
  "H5011",
  "12345678901",
  "12345678901     ",
  "12345678901      ",
  "RSSMRA80A01H501U",
  "rssmra80a01h501u",
  "RSSMRA8LA01H501U",
  "RSSMRA٨٠A٠١H٥٠١U",
  // benefit codes (5–10 characters)
  "A1.0",
  "A1.02",
  "A1.04.01.9",
  "A1.04.01.99",
  'ID <di> & "x"',
  "Müller-Lüdenscheidt",
];

/** A document with every optional attribute present, once. */
export function fullDocument(r: Rng): Tree {
  const doc = validDocument(r) as { Flusso: Tree & { SINBA: Tree[] } };
  doc.Flusso.$ = { xmlns: NS };
  const ente = ((doc.Flusso.IdentificazioneFlusso as Tree[])[0].Ente as Tree[])[0];
  ente.$ = { ...(ente.$ as Attrs), Denominazione: "Comune di Roma" };
  const attrs: Attrs = {
    IDBeneficiario: "MIN-2024-000123",
    DataPrimaSegnalazione: "01/2010",
    AnnoNascita: "2008",
    CodiceNazioneResidenza: "380",
    CodiceCittadinanzaPadre: "380",
    CodiceCittadinanzaMadre: "404",
    CodiceRegioneResidenzaPadre: "12",
    CodiceRegioneResidenzaMadre: "03",
    CodiceRegioneResidenza: "12",
    DataSegnalazione: "06/2016",
    DataProvvedimentoGiudiziario: "03/2017",
    NumeroComponentiISEE: "4",
  };
  for (const [name, n] of Object.entries({ ...REQUIRED_CODES, ...OPTIONAL_CODES })) {
    attrs[name] = String(r.int(1, n));
  }
  doc.Flusso.SINBA = [{
    $: attrs,
    Prestazioni: [{ CodicePrestazione: ["A1.02", "A2.06"] }],
    Famiglia: [{ ComposizioneFamiglia: ["1", "2", "3"] }],
  }];
  return doc;
}

/** Roots the XSD accepts or refuses for their namespace declarations and xsi hints. */
const ROOTS: { $: Attrs | undefined; what: string }[] = [
  { $: undefined, what: "senza xmlns" },
  { $: { xmlns: "" }, what: 'xmlns=""' },
  { $: { xmlns: "http://inps.it/casellario" }, what: "xmlns in minuscolo" },
  { $: { xmlns: `${NS} ` }, what: "xmlns con spazio finale" },
  { $: { xmlns: NS, "xmlns:xsi": XSI, "xsi:schemaLocation": NS }, what: "come l'esempio INPS" },
  { $: { xmlns: NS, "xmlns:xsi": XSI, "xsi:schemaLocation": `${NS} SINBA.xsd` }, what: "xsd" },
  { $: { xmlns: NS, "xmlns:xsi": XSI, "xsi:schemaLocation": "" }, what: "schemaLocation vuoto" },
  {
    $: { xmlns: NS, "xmlns:xsi": XSI, "xsi:noNamespaceSchemaLocation": "SINBA.xsd" },
    what: "nNSL",
  },
  { $: { xmlns: NS, "xmlns:i": XSI, "i:schemaLocation": `${NS} x` }, what: "prefisso i" },
  { $: { xmlns: NS, "xsi:schemaLocation": NS }, what: "xsi non dichiarato" },
  { $: { xmlns: NS, "xmlns:xsi": "urn:x", "xsi:schemaLocation": NS }, what: "xsi su urn:x" },
  { $: { xmlns: NS, "xmlns:xsi": XSI, "xsi:nil": "false" }, what: "xsi:nil" },
  { $: { xmlns: NS, "xmlns:xsi": XSI, "xsi:foo": "1" }, what: "xsi:foo" },
  { $: { xmlns: NS, "xmlns:xsi": XSI, "xsi:type": "FlussoType" }, what: "xsi:type" },
  { $: { xmlns: NS, "xmlns:xsi": XSI, "xsi:type": " FlussoType" }, what: "xsi:type spazio" },
  { $: { xmlns: NS, "xmlns:xsi": XSI, "xsi:type": "SinbaType" }, what: "xsi:type SinbaType" },
  { $: { xmlns: NS, "xmlns:xsi": XSI, "xsi:type": "c:FlussoType" }, what: "xsi:type c: libero" },
  {
    $: { xmlns: NS, "xmlns:xsi": XSI, "xmlns:c": NS, "xsi:type": "c:FlussoType" },
    what: "xsi:type c:",
  },
  {
    $: { xmlns: NS, "xmlns:xsi": XSI, "xmlns:xsd": "http://www.w3.org/2001/XMLSchema" },
    what: "come .NET",
  },
  { $: { xmlns: NS, "xmlns:c": NS }, what: "xmlns:c" },
  { $: { xmlns: NS, "xmlns:c": NS, "c:IDBeneficiario": "x" }, what: "attributo qualificato" },
  { $: { xmlns: NS, "xmlns:a": "urn:a", "a:b": "1" }, what: "attributo estraneo" },
  { $: { xmlns: NS, "xml:lang": "it" }, what: "xml:lang" },
  { $: { xmlns: NS, "xmlns:xml": "http://www.w3.org/XML/1998/namespace" }, what: "xmlns:xml" },
  { $: { xmlns: NS, "xmlns:xml": "urn:a" }, what: "xmlns:xml sbagliato" },
  { $: { xmlns: NS, "xmlns:xmlns": "urn:a" }, what: "xmlns:xmlns" },
  { $: { xmlns: NS, "xmlns:a": "http://www.w3.org/XML/1998/namespace" }, what: "ns di xml" },
  { $: { xmlns: NS, "xmlns:a": "http://www.w3.org/2000/xmlns/" }, what: "ns di xmlns" },
  { $: { xmlns: NS, AttributoIgnoto: "1" }, what: "AttributoIgnoto" },
  ...[
    "urn:a",
    "a",
    "#",
    "?",
    "//x",
    "/a",
    "a/b:c",
    "1a:b",
    ":",
    "::",
    "x:",
    "mailto:a@b",
    "http://u:p@x:8080/a/./b?c=d&e#f",
    "http://[::1]/",
    "http://x/%41",
    "http://x/%zz",
    "http://x/%",
    "http://x/#a#b",
    "http://x/[",
    "http://x/y z",
    "http://x/é",
    "",
    " ",
    "urn:a ",
    "\\",
    "{",
    "|",
    "^",
    "<",
    '"',
  ].map((uri) => ({ $: { xmlns: NS, "xmlns:a": uri }, what: `xmlns:a=${JSON.stringify(uri)}` })),
];

/**
 * Every single mutation of `doc`: each attribute of each element set to each
 * tricky value, removed, an unknown attribute added (among them a codice
 * fiscale and a name on `SINBA`, which must never be accepted), each text
 * element set to each tricky value, wrong element counts, and each root.
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
    const unknown = label.endsWith("SINBA")
      ? ["AttributoIgnoto", "CodiceFiscale", "Cognome", "Nome"]
      : ["AttributoIgnoto"];
    for (const name of unknown) {
      const copy = structuredClone(doc);
      (at(copy, path).$ as Attrs)[name] = name === "CodiceFiscale" ? "RSSMRA80A01H501U" : "1";
      out.push({ doc: copy, what: `${label}/@${name}` });
    }
  }
  const sinba = (d: Tree) => (d as { Flusso: { SINBA: Tree[] } }).Flusso.SINBA[0];
  const prestazioni = (d: Tree) => (sinba(d).Prestazioni as Tree[])[0];
  const famiglia = (d: Tree) => (sinba(d).Famiglia as Tree[])[0];
  for (const value of TRICKY) {
    for (
      const [list, parent] of [["CodicePrestazione", prestazioni], [
        "ComposizioneFamiglia",
        famiglia,
      ]] as const
    ) {
      const copy = structuredClone(doc);
      (parent(copy)[list] as string[])[0] = value;
      out.push({ doc: copy, what: `${list}=${JSON.stringify(value)}` });
    }
  }
  const flusso = (d: Tree) => (d as { Flusso: Tree }).Flusso;
  const changes: [string, (d: Tree) => void][] = [
    ["nessun SINBA", (d) => flusso(d).SINBA = []],
    ["3 SINBA", (d) => flusso(d).SINBA = [sinba(d), sinba(d), sinba(d)]],
    ["nessuna IdentificazioneFlusso", (d) => delete flusso(d).IdentificazioneFlusso],
    ["2 IdentificazioneFlusso", (d) => {
      const f = flusso(d);
      f.IdentificazioneFlusso = [
        ...(f.IdentificazioneFlusso as Tree[]),
        ...(f.IdentificazioneFlusso as Tree[]),
      ];
    }],
    ["nessun Ente", (d) => delete (flusso(d).IdentificazioneFlusso as Tree[])[0].Ente],
    ["2 Ente", (d) => {
      const i = (flusso(d).IdentificazioneFlusso as Tree[])[0];
      i.Ente = [...(i.Ente as Tree[]), ...(i.Ente as Tree[])];
    }],
    ["Ente senza attributi", (d) => (flusso(d).IdentificazioneFlusso as Tree[])[0].Ente = [""]],
    ["nessuna Prestazioni", (d) => delete sinba(d).Prestazioni],
    ["2 Prestazioni", (d) => sinba(d).Prestazioni = [prestazioni(d), prestazioni(d)]],
    ["Prestazioni vuota", (d) => sinba(d).Prestazioni = [""]],
    ["12 CodicePrestazione", (d) => prestazioni(d).CodicePrestazione = Array(12).fill("A1.02")],
    ["nessuna Famiglia", (d) => delete sinba(d).Famiglia],
    ["2 Famiglia", (d) => sinba(d).Famiglia = [famiglia(d), famiglia(d)]],
    ["Famiglia vuota", (d) => sinba(d).Famiglia = [""]],
    ["12 ComposizioneFamiglia", (d) => famiglia(d).ComposizioneFamiglia = Array(12).fill("6")],
    ["testo in Prestazioni", (d) => prestazioni(d)._ = "A1.02"],
    ["testo in SINBA", (d) => sinba(d)._ = "x"],
    ["elemento in Famiglia", (d) => famiglia(d).Padre = ["1"]],
    [
      "elemento in ComposizioneFamiglia",
      (d) => famiglia(d).ComposizioneFamiglia = [{ Tipo: ["1"] }],
    ],
    [
      "attributo su ComposizioneFamiglia",
      (d) => famiglia(d).ComposizioneFamiglia = [{ _: "1", $: { Tipo: "1" } }],
    ],
    [
      "elemento Anagrafica in SINBA",
      (d) => sinba(d).Anagrafica = [{ $: { Cognome: "Rossi", Nome: "Mario" } }],
    ],
    ["elemento CodiceFiscale in SINBA", (d) => sinba(d).CodiceFiscale = ["RSSMRA80A01H501U"]],
    ["Beneficiario al posto di SINBA", (d) => {
      flusso(d).Beneficiario = flusso(d).SINBA;
      delete flusso(d).SINBA;
    }],
  ];
  for (const [what, change] of changes) {
    const copy = structuredClone(doc);
    change(copy);
    out.push({ doc: copy, what });
  }
  for (const { $, what } of ROOTS) {
    const copy = structuredClone(doc);
    if ($) flusso(copy).$ = $;
    else delete flusso(copy).$;
    out.push({ doc: copy, what: `Flusso ${what}` });
  }
  return out;
}
