/**
 * Records shared by the domain tests.
 * @module
 */

/** A periodic PSA benefit with DSU that breaks no rule. */
export const VALID_ROW = {
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
  ImportoMensile: "150,00",
  ImportoQuotaEnte: "100",
  ImportoQuotaUtente: "50.00",
  PresaCarico: "2",
};

/** The attributes of a SINA assessment that breaks no rule, as a CSV row or an element gives them. */
export const SINA_ATTRS = {
  Mobilita: "2",
  AttivitaVitaQuotidiana: "1",
  DisturbiComportamentali: "1",
  AreaReddituale: "1",
  AreaSupporto: "2",
  FonteDerivazioneValutazione: "1",
  StrumentoValutazione: "3",
};
