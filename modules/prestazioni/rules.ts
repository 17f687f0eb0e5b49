/**
 * The business rules of SPEC §3.5 in one catalogue: code, level, field,
 * Italian message and the check. Every channel (form, flow, API, WaaS) calls
 * {@linkcode checkRecord}; R01 (layout), R13 and R14 (envelope and message)
 * are judged where documents are read, R15 and R16 where records are stored.
 *
 * @example
 * ```ts
 * const violations = checkRecord(record, { codes, places });
 * const rejected = violations.some((v) => v.level === "scarto");
 * ```
 * @module
 */
import { checkCodiceFiscale, decodeCodiceFiscale } from "./codice_fiscale.ts";
import type { PsRecord } from "./record.ts";

/** The rule codes. */
export type RuleCode =
  | "R01"
  | "R02"
  | "R03"
  | "R04"
  | "R05"
  | "R06"
  | "R07"
  | "R08"
  | "R09"
  | "R10"
  | "R11"
  | "R12"
  | "R13"
  | "R14"
  | "R15"
  | "R16"
  | "W01"
  | "W02"
  | "W03"
  | "W04";

/** A broken rule: `scarto` rejects the record (or the flow, for R01/R13/R14), `avviso` only warns. */
export interface Violation {
  rule: RuleCode;
  level: "scarto" | "avviso";
  field: string;
  value: string | null;
  message: string;
}

/** A rule of the catalogue, as published in Informazioni. */
export interface RuleInfo {
  code: RuleCode;
  level: "flusso" | "scarto" | "avviso";
  description: string;
}

/** The catalogue, in the words shown to operators. */
export const RULES: readonly RuleInfo[] = [
  {
    code: "R01",
    level: "flusso",
    description:
      "Documento conforme allo schema XSD ufficiale; per il CSV intestazione, colonne e formato di ogni valore conformi al tracciato.",
  },
  {
    code: "R02",
    level: "scarto",
    description:
      "Prestazione periodica: obbligatori DataInizioPrestazione e ImportoMensile (maggiore di zero).",
  },
  {
    code: "R03",
    level: "scarto",
    description:
      "Prestazione una tantum: obbligatori DataErogazionePrestazione e ImportoPrestazione (maggiore di zero).",
  },
  {
    code: "R04",
    level: "scarto",
    description: "DataFinePrestazione non precedente all'inizio e nello stesso anno solare.",
  },
  {
    code: "R05",
    level: "scarto",
    description:
      "Dati della DSU (numero, anno, data) tutti presenti o tutti assenti; l'anno coincide con quello del protocollo.",
  },
  {
    code: "R06",
    level: "scarto",
    description:
      "Se indicate, le quote (ente, utente, SSN) sommano all'importo mensile o all'importo della prestazione, con tolleranza di 0,01.",
  },
  {
    code: "R07",
    level: "scarto",
    description: "Con presa in carico (PresaCarico = 1) è obbligatoria l'area utenza.",
  },
  {
    code: "R08",
    level: "scarto",
    description:
      "Residenza in Italia (CodiceNazione = 380): obbligatori e esistenti i codici ISTAT di regione e comune.",
  },
  {
    code: "R09",
    level: "scarto",
    description: "Codice prestazione esistente nella tabella e valido alla data della prestazione.",
  },
  {
    code: "R10",
    level: "scarto",
    description: "I codici erogabili solo con presa in carico richiedono PresaCarico = 1.",
  },
  {
    code: "R11",
    level: "scarto",
    description: "I codici che lo richiedono (es. A1.05.01) vogliono la DataEvento.",
  },
  {
    code: "R12",
    level: "scarto",
    description:
      "Codice fiscale del beneficiario formalmente corretto, con carattere di controllo esatto.",
  },
  {
    code: "R13",
    level: "flusso",
    description:
      "Il codice ente del flusso è quello dell'ente che trasmette; CFOperatore è un codice fiscale valido.",
  },
  {
    code: "R14",
    level: "flusso",
    description:
      "Cooperazione applicativa: un solo beneficiario e una sola prestazione per messaggio.",
  },
  {
    code: "R15",
    level: "scarto",
    description: "Inserimento di una prestazione già presente e attiva (stessa chiave): duplicato.",
  },
  {
    code: "R16",
    level: "scarto",
    description: "Annullamento di una prestazione non presente o non attiva.",
  },
  {
    code: "W01",
    level: "avviso",
    description: "Prestazione condizionata all'ISEE (PresenzaProvaMezzi = 1) senza dati della DSU.",
  },
  {
    code: "W02",
    level: "avviso",
    description: "Anno di nascita, genere o luogo di nascita non coerenti con il codice fiscale.",
  },
  {
    code: "W03",
    level: "avviso",
    description:
      "Presa in carico per disabilità e non autosufficienza (AreaUtenza = 2) senza valutazione SINA.",
  },
  {
    code: "W04",
    level: "avviso",
    description:
      "Protocollo DSU non conosciuto dal sistema informativo ISEE (quando interrogabile).",
  },
];

/** A row of the benefit-code table, as R09–R11 need it. */
export interface CodeInfo {
  codice: string;
  validoDal: string;
  validoAl: string | null;
  soloPresaInCarico: boolean;
  richiedeDataEvento: boolean;
}

/** Lookups the rules need, loaded once per flow (never a query per record). */
export interface RuleContext {
  /** The code as the table version valid at `date` has it, if the code exists there. */
  code(codice: string, date: string | undefined): CodeInfo | undefined;
  /** Whether an ISTAT comune code exists and lies in the region given. */
  comuneInRegione(istat: string, regione: string): boolean;
  /** Whether a region ISTAT code exists. */
  regioneExists(regione: string): boolean;
  /** Whether a Belfiore code is a comune (current or ceased) or a foreign state. */
  birthplaceExists(belfiore: string): boolean;
  /** Whether the ISEE information system knows a DSU protocol; undefined when it cannot be asked. */
  dsuKnown?(protocollo: string): boolean | undefined;
}

/** The date that places a benefit in time: start (periodic) or payment (one-off). */
export function referenceDate(r: PsRecord): string | undefined {
  return r.CaratterePrestazione === "2"
    ? r.DataErogazionePrestazione ?? r.DataInizioPrestazione
    : r.DataInizioPrestazione ?? r.DataErogazionePrestazione;
}

/** Amounts in cents, exact: a decimal string never goes through binary floating point. */
export function cents(decimal: string): number {
  const [whole, frac = ""] = decimal.replace(/^\+/, "").split(".");
  const sign = whole.startsWith("-") ? -1 : 1;
  const units = Number(whole.replace("-", "") || "0");
  const fraction = Number((frac + "000").slice(0, 3)) / 10; // tenths of a cent are kept for the tolerance
  return sign * (units * 100 + fraction);
}

const DSU_FIELDS = ["NumeroProtocolloDSU", "AnnoProtocolloDSU", "DataDSU"] as const;
const QUOTAS = ["ImportoQuotaEnte", "ImportoQuotaUtente", "ImportoQuotaSSN"] as const;
// Amounts that cannot be negative (R06).
const AMOUNTS = [
  ...QUOTAS,
  "ImportoQuotaRichiesta",
  "ImportoSogliaISEE",
  "OreServizioMensile",
] as const;

/** Checks one record against R02–R12 and W01–W04. */
export function checkRecord(r: PsRecord, ctx: RuleContext): Violation[] {
  const out: Violation[] = [];
  const reject = (
    rule: RuleCode,
    field: string,
    value: string | null | undefined,
    message: string,
  ) => out.push({ rule, level: "scarto", field, value: value ?? null, message });
  const warn = (rule: RuleCode, field: string, value: string | null | undefined, message: string) =>
    out.push({ rule, level: "avviso", field, value: value ?? null, message });

  const cf = checkCodiceFiscale(r.CodiceFiscale);
  if (!cf.ok) {
    reject("R12", "CodiceFiscale", r.CodiceFiscale, `Codice fiscale non valido: ${cf.reason}.`);
  }

  // A cancellation names an existing record by its key: only the key has to be right.
  if (r.TipoOperazione === "C") {
    if (!referenceDate(r)) {
      reject(
        "R16",
        "DataInizioPrestazione",
        null,
        "Per annullare indicare la data di inizio o di erogazione della prestazione.",
      );
    }
    return out;
  }

  if (r.CaratterePrestazione === undefined) {
    reject(
      "R02",
      "CaratterePrestazione",
      null,
      "Indicare il carattere della prestazione: 1 periodica, 2 una tantum.",
    );
  } else if (r.CaratterePrestazione === "1") {
    if (!r.DataInizioPrestazione) {
      reject(
        "R02",
        "DataInizioPrestazione",
        null,
        "Prestazione periodica: indicare la data di inizio.",
      );
    }
    if (!r.ImportoMensile) {
      reject("R02", "ImportoMensile", null, "Prestazione periodica: indicare l'importo mensile.");
    } else if (cents(r.ImportoMensile) <= 0) {
      reject(
        "R02",
        "ImportoMensile",
        r.ImportoMensile,
        "L'importo mensile deve essere maggiore di zero.",
      );
    }
  } else {
    if (!r.DataErogazionePrestazione) {
      reject(
        "R03",
        "DataErogazionePrestazione",
        null,
        "Prestazione una tantum: indicare la data di erogazione.",
      );
    }
    if (!r.ImportoPrestazione) {
      reject("R03", "ImportoPrestazione", null, "Prestazione una tantum: indicare l'importo.");
    } else if (cents(r.ImportoPrestazione) <= 0) {
      reject(
        "R03",
        "ImportoPrestazione",
        r.ImportoPrestazione,
        "L'importo della prestazione deve essere maggiore di zero.",
      );
    }
  }

  if (r.DataFinePrestazione) {
    const start = r.DataInizioPrestazione;
    if (start && r.DataFinePrestazione < start) {
      reject(
        "R04",
        "DataFinePrestazione",
        r.DataFinePrestazione,
        "La data di fine precede la data di inizio.",
      );
    } else if (start && r.DataFinePrestazione.slice(0, 4) !== start.slice(0, 4)) {
      reject(
        "R04",
        "DataFinePrestazione",
        r.DataFinePrestazione,
        "La data di fine deve cadere nello stesso anno della data di inizio.",
      );
    }
  }

  // Counted without an array: this runs for every record of a flow.
  const dsuGiven = (r.NumeroProtocolloDSU ? 1 : 0) + (r.AnnoProtocolloDSU ? 1 : 0) +
    (r.DataDSU ? 1 : 0);
  if (dsuGiven > 0 && dsuGiven < 3) {
    const dsu = [r.NumeroProtocolloDSU, r.AnnoProtocolloDSU, r.DataDSU];
    const missing = DSU_FIELDS.filter((_, i) => !dsu[i]);
    reject("R05", missing[0], null, `Dati della DSU incompleti: manca ${missing.join(", ")}.`);
  } else if (dsuGiven === 3) {
    const year = /-(\d{4})-/.exec(r.NumeroProtocolloDSU!)?.[1];
    if (year && year !== r.AnnoProtocolloDSU) {
      reject(
        "R05",
        "AnnoProtocolloDSU",
        r.AnnoProtocolloDSU,
        `L'anno della DSU non coincide con quello del protocollo (${year}).`,
      );
    }
  }

  for (const q of AMOUNTS) {
    if (r[q] !== undefined && cents(r[q]!) < 0) {
      reject("R06", q, r[q], `${q} non può essere negativo.`);
    }
  }
  const total = r.CaratterePrestazione === "1" ? r.ImportoMensile : r.ImportoPrestazione;
  // The quotas given: their sum, and the first of them (which the rejection names).
  let first: (typeof QUOTAS)[number] | undefined;
  let sum = 0;
  for (const q of QUOTAS) {
    if (r[q] === undefined) continue;
    first ??= q;
    sum += cents(r[q]!);
  }
  if (first !== undefined && total !== undefined && Math.abs(sum - cents(total)) > 1) {
    reject(
      "R06",
      first,
      r[first],
      `La somma delle quote (${(sum / 100).toFixed(2)}) differisce dall'importo (${
        (cents(total) / 100).toFixed(2)
      }).`,
    );
  }

  if (r.PresaCarico === "1" && !r.AreaUtenza) {
    reject("R07", "AreaUtenza", null, "Con presa in carico indicare l'area utenza.");
  }

  for (let i = 0; i < r.Indirizzi.length; i++) {
    const a = r.Indirizzi[i];
    if (a.CodiceNazione !== "380") continue;
    const where = r.Indirizzi.length > 1 ? ` (indirizzo ${i + 1})` : "";
    if (!a.CodiceRegione) {
      reject("R08", "CodiceRegione", null, `Residenza in Italia: indicare la regione${where}.`);
    } else if (!ctx.regioneExists(a.CodiceRegione)) {
      reject(
        "R08",
        "CodiceRegione",
        a.CodiceRegione,
        `Regione ${a.CodiceRegione} inesistente${where}.`,
      );
    }
    if (!a.CodiceComune) {
      reject("R08", "CodiceComune", null, `Residenza in Italia: indicare il comune${where}.`);
    } else if (
      a.CodiceRegione && ctx.regioneExists(a.CodiceRegione) &&
      !ctx.comuneInRegione(a.CodiceComune, a.CodiceRegione)
    ) {
      reject(
        "R08",
        "CodiceComune",
        a.CodiceComune,
        `Comune ${a.CodiceComune} inesistente nella regione ${a.CodiceRegione}${where}.`,
      );
    }
  }

  const date = referenceDate(r);
  const code = ctx.code(r.CodicePrestazione, date);
  if (!code) {
    reject(
      "R09",
      "CodicePrestazione",
      r.CodicePrestazione,
      `Codice prestazione ${r.CodicePrestazione} inesistente o non valido${
        date ? ` al ${italian(date)}` : ""
      }.`,
    );
  } else {
    if (code.soloPresaInCarico && r.PresaCarico !== "1") {
      reject(
        "R10",
        "PresaCarico",
        r.PresaCarico,
        `Il codice ${code.codice} è erogabile solo con presa in carico.`,
      );
    }
    if (code.richiedeDataEvento && !r.DataEvento) {
      reject("R11", "DataEvento", null, `Il codice ${code.codice} richiede la data dell'evento.`);
    }
  }

  if (r.PresenzaProvaMezzi === "1" && dsuGiven === 0) {
    warn(
      "W01",
      "NumeroProtocolloDSU",
      null,
      "Prestazione condizionata all'ISEE senza dati della DSU.",
    );
  }
  const holder = cf.ok ? decodeCodiceFiscale(cf.value) : undefined;
  if (holder) {
    if (holder.yearDigits !== r.AnnoNascita.slice(2)) {
      warn(
        "W02",
        "AnnoNascita",
        r.AnnoNascita,
        "L'anno di nascita non è coerente con il codice fiscale.",
      );
    }
    if (holder.genere !== r.Genere) {
      warn("W02", "Genere", r.Genere, "Il genere non è coerente con il codice fiscale.");
    }
    if (holder.luogo !== r.LuogoNascita.toUpperCase()) {
      warn(
        "W02",
        "LuogoNascita",
        r.LuogoNascita,
        "Il luogo di nascita non è coerente con il codice fiscale.",
      );
    }
  }
  if (!ctx.birthplaceExists(r.LuogoNascita.toUpperCase())) {
    warn("W02", "LuogoNascita", r.LuogoNascita, `Luogo di nascita ${r.LuogoNascita} sconosciuto.`);
  }
  if (r.PresaCarico === "1" && r.AreaUtenza === "2" && !r.SINA) {
    warn(
      "W03",
      "AreaUtenza",
      r.AreaUtenza,
      "Presa in carico per disabilità senza valutazione SINA.",
    );
  }
  if (dsuGiven === 3 && ctx.dsuKnown?.(r.NumeroProtocolloDSU!) === false) {
    warn(
      "W04",
      "NumeroProtocolloDSU",
      r.NumeroProtocolloDSU,
      "Protocollo DSU non conosciuto dal sistema informativo ISEE.",
    );
  }
  return out;
}

function italian(date: string): string {
  const [y, m, d] = date.split("-");
  return `${d}/${m}/${y}`;
}

/** R13: the flow's `Ente/@Codice` is the sending ente, and `CFOperatore` is a valid codice fiscale. */
export function checkEnvelope(
  ente: { Codice: string; CFOperatore: string },
  senderEnte: string,
): Violation[] {
  const out: Violation[] = [];
  if (ente.Codice.trim().toUpperCase() !== senderEnte.toUpperCase()) {
    out.push({
      rule: "R13",
      level: "scarto",
      field: "Codice",
      value: ente.Codice,
      message:
        `Il codice ente del flusso (${ente.Codice}) non è quello dell'ente che trasmette (${senderEnte}).`,
    });
  }
  const cf = checkCodiceFiscale(ente.CFOperatore.trim());
  if (!cf.ok) {
    out.push({
      rule: "R13",
      level: "scarto",
      field: "CFOperatore",
      value: ente.CFOperatore,
      message: `Codice fiscale dell'operatore non valido: ${cf.reason}.`,
    });
  }
  return out;
}

/**
 * R14: a cooperation message carries exactly one `Beneficiario` with exactly
 * one `PrestazioniSociali` (one record per message, per the XSD annotations).
 */
export function checkSingleRecordMessage(
  beneficiari: { PrestazioniSociali?: unknown[] }[],
): Violation[] {
  const benefits = beneficiari.reduce((n, b) => n + (b.PrestazioniSociali?.length ?? 0), 0);
  if (beneficiari.length === 1 && benefits === 1) return [];
  return [{
    rule: "R14",
    level: "scarto",
    field: beneficiari.length === 1 ? "PrestazioniSociali" : "Beneficiario",
    value: null,
    message:
      `In cooperazione applicativa ogni messaggio contiene un solo beneficiario e una sola prestazione (ricevuti ${beneficiari.length} beneficiari e ${benefits} prestazioni).`,
  }];
}
