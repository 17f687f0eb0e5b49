/**
 * Realistic generated benefit records for the benchmarks: many beneficiaries,
 * periodic and one-off benefits, some with DSU, some with SINA.
 * @module
 */
import { checkCharacter } from "../../modules/prestazioni/codice_fiscale.ts";

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
];
const NAMES = [
  "Giuseppe",
  "Maria",
  "Giovanni",
  "Anna",
  "Antonio",
  "Rosa",
  "Mario",
  "Lucia",
  "Luigi",
  "Giulia",
];
const MONTHS = "ABCDEHLMPRST";
const CODES: [string, string, boolean][] = [
  ["A1.04", "Contributi economici a integrazione del reddito familiare", true],
  ["A1.06", "Buoni spesa o buoni pasto", false],
  ["A1.11", "Assegnazioni economiche per il sostegno della domiciliarità", true],
  ["A2.01", "Servizio sociale professionale e segretariato sociale", true],
  ["A1.14", "Contributi e integrazioni a rette per accesso a servizi residenziali", true],
];

/** The `i`-th generated record as a flat row (CSV / form shape). */
export function flatRecord(i: number): Record<string, string> {
  const male = i % 2 === 0;
  const year = 1940 + (i % 70);
  const day = 1 + (i % 28);
  const month = 1 + (i % 12);
  const base = `${"RSSMRAVRDLCUBNCGPP".slice((i % 3) * 6, (i % 3) * 6 + 6)}${
    String(year).slice(2)
  }${MONTHS[month - 1]}${String(male ? day : day + 40).padStart(2, "0")}H501`;
  const cf = base + checkCharacter(base);
  const [code, name, periodic] = CODES[i % CODES.length];
  const withDsu = i % 3 === 0;
  const row: Record<string, string> = {
    CodiceFiscale: cf,
    Cognome: SURNAMES[i % 10],
    Nome: NAMES[(i >> 3) % 10],
    AnnoNascita: String(year),
    LuogoNascita: "H501",
    Genere: male ? "1" : "2",
    CodiceCittadinanza: "380",
    CodiceNazione: "380",
    CodiceRegione: "12",
    CodiceComune: "058091",
    CodicePrestazione: code,
    DenominazionePrestazione: name,
    ProtocolloDomanda: `2024/${String(i).padStart(7, "0")}`,
    PresenzaProvaMezzi: withDsu ? "1" : "4",
    CaratterePrestazione: periodic ? "1" : "2",
    PresaCarico: i % 5 === 0 ? "1" : "2",
  };
  if (row.PresaCarico === "1") row.AreaUtenza = i % 10 === 0 ? "2" : "3";
  if (withDsu) {
    Object.assign(row, {
      NumeroProtocolloDSU: `INPS-ISEE-2024-${String(i).padStart(8, "0")}W-00`,
      AnnoProtocolloDSU: "2024",
      DataDSU: "15/01/2024",
    });
  }
  if (periodic) {
    Object.assign(row, {
      DataInizioPrestazione: `2024-${String(month).padStart(2, "0")}-01`,
      DataFinePrestazione: "2024-12-31",
      ImportoMensile: `${100 + (i % 400)},50`,
    });
  } else {
    Object.assign(row, {
      DataErogazionePrestazione: `${String(day).padStart(2, "0")}/${
        String(month).padStart(2, "0")
      }/2024`,
      ImportoPrestazione: String(50 + (i % 950)),
    });
  }
  if (row.AreaUtenza === "2") {
    Object.assign(row, {
      Mobilita: "2",
      AttivitaVitaQuotidiana: "2",
      DisturbiComportamentali: "1",
      AreaReddituale: "2",
      AreaSupporto: "3",
      FonteDerivazioneValutazione: "1",
      StrumentoValutazione: "2",
      InvCiv: "1",
    });
  }
  return row;
}
