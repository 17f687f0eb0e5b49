/**
 * The published CSV layouts of the PS-PSA-SINA and SINBA flows (SPEC §5):
 * each column's format and when it is required, a template and a worked
 * example. The
 * parser (`record.ts`) and the rules (`rules.ts`) are what actually judge a
 * file; this text describes them for operators.
 * @module
 */
import { stringify } from "csv/sync";
import { parseStringPromise } from "xml2js";
import type { z } from "zod";
import { officialExampleFlows } from "./official.ts";
import { CSV_COLUMNS, type XmlElement } from "./record.ts";
import { SinbaAttrs } from "./schema_sinba.ts";
import { fromSinbaElement, SINBA_CSV_COLUMNS } from "./sinba.ts";

/** A column of the layout. */
export interface LayoutColumn {
  name: (typeof CSV_COLUMNS)[number];
  required: string;
  format: string;
}

const LAYOUT: Record<(typeof CSV_COLUMNS)[number], [string, string]> = {
  CodiceFiscale: ["sì", "16 caratteri, o 11 cifre; carattere di controllo corretto (R12)"],
  Cognome: ["sì", "da 1 a 36 caratteri"],
  Nome: ["sì", "da 1 a 36 caratteri"],
  AnnoNascita: ["sì", "AAAA"],
  LuogoNascita: ["sì", "codice catastale del comune o dello stato estero (Z…), 4 caratteri"],
  Genere: ["sì", "1 maschio, 2 femmina"],
  CodiceCittadinanza: ["sì", "3 cifre ISO 3166 (380 Italia, 990 non disponibile)"],
  CodiceSecondaCittadinanza: ["no", "3 cifre"],
  CodiceNazione: ["sì", "3 cifre (380 Italia)"],
  CodiceRegione: ["se residente in Italia", "2 cifre ISTAT (R08)"],
  CodiceComune: ["se residente in Italia", "6 cifre ISTAT (R08)"],
  TipoOperazione: ["no", "I inserimento (predefinito), C annullamento"],
  CodicePrestazione: ["sì", "codice della tabella valido alla data della prestazione (R09)"],
  DenominazionePrestazione: ["sì", "da 10 a 200 caratteri"],
  ProtocolloDomanda: ["sì", "da 1 a 32 caratteri: protocollo della domanda presso l'ente"],
  PresenzaProvaMezzi: ["sì", "1 ISEE, 2 altra prova dei mezzi, 3 esente ISEE, 4 nessuna"],
  CaratterePrestazione: ["sì", "1 periodica, 2 una tantum"],
  NumeroProtocolloDSU: [
    "DSU: tutti o nessuno (R05)",
    "fino a 30 caratteri, es. INPS-ISEE-2024-00597381W-00",
  ],
  AnnoProtocolloDSU: ["DSU: tutti o nessuno (R05)", "AAAA, uguale all'anno nel protocollo"],
  DataDSU: ["DSU: tutti o nessuno (R05)", "data"],
  DataEvento: ["per i codici che lo richiedono (R11)", "data"],
  DataInizioPrestazione: ["se periodica (R02)", "data"],
  DataFinePrestazione: ["no", "data, nello stesso anno dell'inizio (R04)"],
  DataErogazionePrestazione: ["se una tantum (R03)", "data"],
  PeriodoErogazione: ["no", "mesi, da 1 a 12"],
  ImportoPrestazione: ["se una tantum (R03)", "importo maggiore di zero"],
  ImportoMensile: ["se periodica (R02)", "importo maggiore di zero"],
  ImportoQuotaEnte: ["no", "importo ≥ 0; le quote sommano all'importo (R06)"],
  ImportoQuotaUtente: ["no", "importo ≥ 0 (R06)"],
  ImportoQuotaSSN: ["no", "importo ≥ 0 (R06)"],
  ImportoQuotaRichiesta: ["no", "importo ≥ 0, statistico"],
  ImportoSogliaISEE: ["no", "importo ≥ 0, statistico"],
  OreServizioMensile: ["no", "numero ≥ 0"],
  PresaCarico: ["sì", "1 sì, 2 no"],
  AreaUtenza: [
    "con presa in carico (R07)",
    "1 famiglie e minori, 2 disabilità e non autosufficienza, 3 povertà ed esclusione",
  ],
  Mobilita: ["con SINA", "1–3"],
  AttivitaVitaQuotidiana: ["con SINA", "1–3"],
  DisturbiAreaCognitiva: ["no", "1–3"],
  DisturbiComportamentali: ["con SINA", "1–2"],
  NecessitaCureSanitarie: ["no", "1–3"],
  AreaReddituale: ["con SINA", "1–3"],
  AreaSupporto: ["con SINA", "1–3"],
  FonteDerivazioneValutazione: ["con SINA", "1–4"],
  StrumentoValutazione: ["con SINA", "1–7"],
  FonteDerivazioneInvalidita: ["no", "1–2"],
  NecessitaInterventiSociali: ["no", "codici prestazione separati da |"],
  InvCiv: ["no", "valori 1–8 separati da |"],
};

/** The columns in order, with when they are required and their format. */
export const PS_LAYOUT: readonly LayoutColumn[] = CSV_COLUMNS.map((name) => ({
  name,
  required: LAYOUT[name][0],
  format: LAYOUT[name][1],
}));

const EXAMPLE: Record<string, string>[] = [
  {
    CodiceFiscale: "RSSMRA80A01H501U",
    Cognome: "Rossi",
    Nome: "Mario",
    AnnoNascita: "1980",
    LuogoNascita: "H501",
    Genere: "1",
    CodiceCittadinanza: "380",
    CodiceNazione: "380",
    CodiceRegione: "12",
    CodiceComune: "058091",
    CodicePrestazione: "A1.04",
    DenominazionePrestazione: "Contributi economici a integrazione del reddito familiare",
    ProtocolloDomanda: "2024/001",
    PresenzaProvaMezzi: "1",
    CaratterePrestazione: "1",
    NumeroProtocolloDSU: "INPS-ISEE-2024-00597381W-00",
    AnnoProtocolloDSU: "2024",
    DataDSU: "10/01/2024",
    DataInizioPrestazione: "01/02/2024",
    DataFinePrestazione: "31/12/2024",
    PeriodoErogazione: "11",
    ImportoMensile: "150,00",
    ImportoQuotaEnte: "150,00",
    PresaCarico: "2",
  },
  {
    CodiceFiscale: "VRDLCU85M41H501G",
    Cognome: "Verdi",
    Nome: "Lucia",
    AnnoNascita: "1985",
    LuogoNascita: "H501",
    Genere: "2",
    CodiceCittadinanza: "380",
    CodiceNazione: "380",
    CodiceRegione: "12",
    CodiceComune: "058091",
    CodicePrestazione: "A1.06",
    DenominazionePrestazione: "Buoni spesa o buoni pasto",
    ProtocolloDomanda: "2024/002",
    PresenzaProvaMezzi: "4",
    CaratterePrestazione: "2",
    DataErogazionePrestazione: "2024-03-15",
    ImportoPrestazione: "300",
    PresaCarico: "2",
  },
  {
    CodiceFiscale: "BNCGPP80A01H501E",
    Cognome: "Bianco",
    Nome: "Giuseppe",
    AnnoNascita: "1980",
    LuogoNascita: "H501",
    Genere: "1",
    CodiceCittadinanza: "380",
    CodiceNazione: "380",
    CodiceRegione: "12",
    CodiceComune: "058091",
    CodicePrestazione: "A1.11",
    DenominazionePrestazione: "Assegnazioni economiche per il sostegno della domiciliarità",
    ProtocolloDomanda: "2024/003",
    PresenzaProvaMezzi: "3",
    CaratterePrestazione: "1",
    DataInizioPrestazione: "2024-01-01",
    ImportoMensile: "400",
    PresaCarico: "1",
    AreaUtenza: "2",
    Mobilita: "2",
    AttivitaVitaQuotidiana: "2",
    DisturbiComportamentali: "1",
    AreaReddituale: "2",
    AreaSupporto: "3",
    FonteDerivazioneValutazione: "1",
    StrumentoValutazione: "2",
    NecessitaInterventiSociali: "A2.05|A3.01",
    InvCiv: "1",
  },
];

/** The template: the header row alone. */
export function templateCsv(): string {
  return stringify([CSV_COLUMNS as unknown as string[]], { delimiter: ";" });
}

/** A worked example: a periodic PSA benefit with DSU, a one-off PS benefit, a benefit with SINA. */
export function exampleCsv(): string {
  return stringify(EXAMPLE, {
    delimiter: ";",
    header: true,
    columns: CSV_COLUMNS as unknown as string[],
  });
}

/** The SINBA CSV layout: each column, whether it is required, and its format or allowed values. */
export function sinbaLayout(): { name: string; required: string; format: string }[] {
  const shape = SinbaAttrs.shape as Record<string, z.ZodType>;
  const formats: [RegExp, string][] = [
    [
      /^IDBeneficiario$/,
      "pseudonimo stabile assegnato dall'ente, da 1 a 20 caratteri; mai il codice fiscale",
    ],
    [/^Data/, "MM/AAAA"],
    [/^AnnoNascita$/, "AAAA"],
    [/^CodiceCittadinanza/, "3 cifre ISO 3166"],
    [/^CodiceRegione/, "2 cifre ISTAT"],
    [/^CodiceNazione/, "3 cifre (380 Italia)"],
    [/^NumeroComponentiISEE$/, "numero intero, al massimo 9"],
  ];
  const columns = Object.entries(shape).map(([name, schema]) => {
    const known = formats.find(([re]) => re.test(name))?.[1];
    // The allowed codes are read off the schema itself, so this page cannot drift from it.
    const codes = Array.from({ length: 30 }, (_, i) => String(i)).filter((v) =>
      schema.safeParse(v).success
    );
    return {
      name,
      required: schema.safeParse(undefined).success ? "no" : "sì",
      format: known ?? `valori ${codes.join(", ")}`,
    };
  });
  return [
    ...columns,
    { name: "Prestazioni", required: "sì", format: "codici prestazione separati da |" },
    { name: "ComposizioneFamiglia", required: "sì", format: "valori 1–6 separati da |" },
  ];
}

/** The SINBA template: the header row alone. */
export function sinbaTemplateCsv(): string {
  return stringify([SINBA_CSV_COLUMNS], { delimiter: ";" });
}

/** The SINBA worked example: INPS's own example flow (in `api-comuni.yaml`) as CSV rows. */
export async function sinbaExampleCsv(): Promise<string> {
  const [xml] = await officialExampleFlows("SINBA");
  const doc = await parseStringPromise(xml);
  const rows = (doc.Flusso.SINBA as XmlElement[]).map(fromSinbaElement).flatMap((p) =>
    p.ok
      ? [{
        ...p.record,
        Prestazioni: p.record.Prestazioni.join("|"),
        ComposizioneFamiglia: p.record.ComposizioneFamiglia.join("|"),
      }]
      : []
  );
  return stringify(rows, { delimiter: ";", header: true, columns: SINBA_CSV_COLUMNS });
}
