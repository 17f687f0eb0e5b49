/**
 * The PS-PSA-SINA flow of the official XSD `PS_PSA_SINA201812.xsd`
 * (namespace `http://inps.it/Casellario`) as zod schemas: every attribute,
 * length, pattern and enumeration, with the XSD's names verbatim. Each
 * element's attributes are a strict object of strings, as they appear in XML
 * and in the CSV layout; the document schema adds the elements' structure.
 *
 * @example
 * ```ts
 * AnagraficaAttrs.safeParse({ Cognome: "Rossi", Nome: "Mario", AnnoNascita: "1980",
 *   LuogoNascita: "H501", Genere: "1", CodiceCittadinanza: "380" }).success; // true
 * ```
 * @module
 */
import { z } from "zod";
import { xsDate, xsDecimal, xsEnum, xsInt, xsString } from "./xsd_types.ts";
import { element, FlussoRootAttrs, one, textElement } from "./xml_tree.ts";

export { NAMESPACE } from "./xml_tree.ts";

/** The codice fiscale pattern of the XSD (16 characters, or 11 digits and up to 5 spaces). */
export const CF_PATTERN =
  "([A-Za-z]{6}\\d{2}[A-Za-z]\\d{2}[A-Za-z][A-Za-z0-9]{3}[A-Za-z])|(\\d{11} {0,5})";

const codiceFiscale = () => xsString({ pattern: CF_PATTERN });
const threeDigits = () => xsString({ pattern: "([0-9]{3})" });
const year = () => xsString({ pattern: "([0-9]{4})" });
const codicePrestazione = () => xsString({ minLength: 5, maxLength: 10 });
const optional = <T extends z.ZodType>(s: T) => s.optional();

/** `IdentificazioneFlusso` attributes. */
export const IdentificazioneFlussoAttrs = z.object({
  Nome: xsString({ maxLength: 50 }),
}).strict();

/** `Ente` attributes. */
export const EnteAttrs = z.object({
  Codice: xsString({ minLength: 1, maxLength: 32 }),
  Denominazione: optional(xsString({ minLength: 1, maxLength: 100 })),
  Indirizzo: xsString({ minLength: 4, maxLength: 4 }),
  CFOperatore: codiceFiscale(),
}).strict();

/** `Beneficiario` attributes. */
export const BeneficiarioAttrs = z.object({
  CodiceFiscale: codiceFiscale(),
}).strict();

/** `Anagrafica` attributes. */
export const AnagraficaAttrs = z.object({
  Cognome: xsString({ minLength: 1, maxLength: 36 }),
  Nome: xsString({ minLength: 1, maxLength: 36 }),
  AnnoNascita: year(),
  LuogoNascita: xsString({ length: 4 }),
  Genere: xsEnum(["1", "2"]),
  CodiceCittadinanza: threeDigits(),
  CodiceSecondaCittadinanza: optional(threeDigits()),
}).strict();

/** `Indirizzo` attributes. */
export const IndirizzoAttrs = z.object({
  CodiceRegione: optional(xsString({ pattern: "([0-9]{2})" })),
  CodiceComune: optional(xsString({ pattern: "([0-9]{6})" })),
  CodiceNazione: threeDigits(),
}).strict();

/** `PrestazioniSociali` attributes. */
export const PrestazioneAttrs = z.object({
  TipoOperazione: optional(xsEnum(["I", "C"])),
  PresenzaProvaMezzi: xsEnum(["1", "2", "3", "4"]),
  CaratterePrestazione: optional(xsEnum(["1", "2"])),
  NumeroProtocolloDSU: optional(xsString({ minLength: 0, maxLength: 30 })),
  AnnoProtocolloDSU: optional(year()),
  DataDSU: optional(xsDate()),
  CodicePrestazione: codicePrestazione(),
  DenominazionePrestazione: xsString({ minLength: 10, maxLength: 200 }),
  ProtocolloDomanda: xsString({ minLength: 1, maxLength: 32 }),
  DataEvento: optional(xsDate()),
  DataInizioPrestazione: optional(xsDate()),
  DataFinePrestazione: optional(xsDate()),
  DataErogazionePrestazione: optional(xsDate()),
  ImportoPrestazione: optional(xsDecimal()),
  PeriodoErogazione: optional(xsInt({ min: 1, max: 12 })),
  ImportoMensile: optional(xsDecimal()),
  ImportoQuotaEnte: optional(xsDecimal()),
  ImportoQuotaUtente: optional(xsDecimal()),
  ImportoQuotaSSN: optional(xsDecimal()),
  ImportoQuotaRichiesta: optional(xsDecimal()),
  ImportoSogliaISEE: optional(xsDecimal()),
  OreServizioMensile: optional(xsDecimal()),
  PresaCarico: xsEnum(["1", "2"]),
  AreaUtenza: optional(xsEnum(["1", "2", "3"])),
}).strict();

/** `SINA` attributes. */
export const SinaAttrs = z.object({
  Mobilita: xsEnum(["1", "2", "3"]),
  AttivitaVitaQuotidiana: xsEnum(["1", "2", "3"]),
  DisturbiAreaCognitiva: optional(xsEnum(["1", "2", "3"])),
  DisturbiComportamentali: xsEnum(["1", "2"]),
  NecessitaCureSanitarie: optional(xsEnum(["1", "2", "3"])),
  AreaReddituale: xsEnum(["1", "2", "3"]),
  AreaSupporto: xsEnum(["1", "2", "3"]),
  FonteDerivazioneValutazione: xsEnum(["1", "2", "3", "4"]),
  StrumentoValutazione: xsEnum(["1", "2", "3", "4", "5", "6", "7"]),
  FonteDerivazioneInvalidita: optional(xsEnum(["1", "2"])),
}).strict();

/** Values of `InvaliditaCivile/InvCiv`. */
export const InvCiv = xsEnum(["1", "2", "3", "4", "5", "6", "7", "8"]);

/** A `NecessitaInterventiSociali/CodicePrestazione`. */
export const NecessitaCodice = codicePrestazione();

// ---- The document, as a tree of elements (attributes under `$`, children by name) ----

/** The `SINA` element. */
export const SinaElement = element(SinaAttrs, {
  NecessitaInterventiSociali: one(
    z.object({ CodicePrestazione: z.array(textElement(NecessitaCodice)).min(1) }).strict(),
  )
    .optional(),
  InvaliditaCivile: one(z.object({ InvCiv: z.array(textElement(InvCiv)).min(1) }).strict())
    .optional(),
});

/** The `PrestazioniSociali` element. */
export const PrestazioneElement = element(PrestazioneAttrs, { SINA: one(SinaElement).optional() });

/** The `Beneficiario` element. */
export const BeneficiarioElement = element(BeneficiarioAttrs, {
  Anagrafica: one(z.object({ $: AnagraficaAttrs }).strict()),
  Indirizzo: z.array(z.object({ $: IndirizzoAttrs }).strict()).min(1).max(5),
  PrestazioniSociali: z.array(PrestazioneElement).min(1),
});

/** The whole `Flusso` document. */
export const FlussoDocument = z.object({
  Flusso: z.object({
    $: FlussoRootAttrs,
    IdentificazioneFlusso: one(
      element(IdentificazioneFlussoAttrs, { Ente: one(z.object({ $: EnteAttrs }).strict()) }),
    ),
    Beneficiario: z.array(BeneficiarioElement).min(1),
  }).strict(),
}).strict();
