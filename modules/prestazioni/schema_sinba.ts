/**
 * The SINBA flow of the official XSD `SINBA.xsd` (namespace
 * `http://inps.it/Casellario`, the same as PS-PSA-SINA) as zod schemas: every
 * element, attribute, length, pattern and enumeration, with the XSD's names
 * verbatim, built like `schema_ps.ts` so that both flows are checked alike.
 *
 * A minor is known only by the pseudonym `IDBeneficiario`: the XSD has no
 * codice fiscale and no name, and neither has this module, so such a field in
 * a SINBA record is an unknown attribute and is refused.
 *
 * The document schema works on the xml2js tree, which cannot show the order of
 * sibling elements, and sees prefixed element names and namespace declarations
 * below the root as foreign: those stay the XSD's to check (R01). The root's
 * declarations are checked, because INPS's own flows put `xmlns:xsi` there.
 *
 * @example
 * ```ts
 * SinbaAttrs.shape.DataPrimaSegnalazione.safeParse("01/2010").success; // true
 * SinbaAttrs.shape.DataPrimaSegnalazione.safeParse("2010-01").success; // false
 * ```
 * @module
 */
import { z } from "zod";
import { EnteAttrs, IdentificazioneFlussoAttrs, NAMESPACE } from "./schema_ps.ts";
import { xsEnum, xsInt, xsString } from "./xsd_types.ts";
import { element, FlussoRootAttrs, one, textElement } from "./xml_tree.ts";

// SINBA.xsd defines IdentificazioneFlusso and Ente exactly as PS_PSA_SINA201812.xsd
// does (only an annotation and a commented-out attribute differ), so the envelope is shared.
export { EnteAttrs, IdentificazioneFlussoAttrs, NAMESPACE };

/**
 * The enumerations of SINBA.xsd, by XSD type name: the CSV layout and the forms
 * offer these codes, and attributes sharing a type share its list.
 */
export const SINBA_ENUMERATIONS = {
  ComposizioneFamigliaType: ["1", "2", "3", "4", "5", "6"],
  MinoreStranieroNoAccType: ["1", "2"],
  CondizioneMinoreType: ["1", "2", "3", "4", "5"],
  LuogoVitaType: ["1", "2", "3", "4", "5", "6", "7", "8"],
  ScuolaFrequentataType: ["1", "2", "3", "4", "5", "6", "7", "8"],
  CondizioneLavoroType: ["1", "2", "3", "4"],
  DisabilitaType: ["1", "2"],
  TipoDisabilitaType: ["1", "2", "3", "4"],
  InvCivCertificazioniType: ["1", "2", "3", "4", "5"],
  TitoloStudioType: ["1", "2", "3", "4", "5", "6"],
  OccupazioneType: ["1", "2", "3", "4", "5", "6", "7", "8"],
  FonteSegnalazioneType: [
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11",
    "12",
    "13",
    "14",
  ],
  ValutazioneMinoreType: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13"],
  ValutazioneFamigliaMinoreType: [
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11",
    "12",
    "13",
  ],
  SegnalazioneAutoritaGiudiziariaType: ["1", "2"],
  ProvvedimentoGiudiziarioType: ["1", "2"],
  AutoritaProvvedimentoType: ["1", "2", "3", "4"],
  PotestaTutelaType: ["1", "2", "3", "4", "5"],
  TipoProvvedimentoGiudiziarioType: ["1", "2", "3", "4", "5", "6", "7", "8"],
  FormaInterventoAffidoType: ["1", "2"],
  TipoInterventoAffidoType: ["1", "2"],
  DurataAffidoType: ["1", "2"],
  CarattereAffidoType: ["1", "2"],
  EsitoAffidoType: ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
  CarattereInserimentoResidenzialeType: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
  FormaInserimentoResidenzialeType: ["1", "2"],
  TipoInserimentoResidenzialeType: ["1", "2"],
  EsitoInserimentoStrutturaType: ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
  MotivazioneChiusuraCaricoType: ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
  SituazioneChiusuraCaricoType: ["1", "2", "3", "4", "5", "6", "7", "8"],
  CollaborazioniInterventiType: ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
  FasciaEtaBeneficiarioType: ["1", "2", "3", "4", "5", "6"],
  FasciaISEEBeneficiarioType: ["1", "2", "3", "4", "5", "6", "7", "8"],
} as const;

/**
 * The XSD's `DataMeseAnnoType`: a plain `xs:string` pattern `MM/AAAA` (years
 * 1900–2099), not an `xs:gYearMonth`, so no white space is trimmed.
 */
export const DATA_MESE_ANNO_PATTERN = "((0[1-9])|(1[0-2]))[/](19|20)[0-9]{2}";

const code = (type: keyof typeof SINBA_ENUMERATIONS) => xsEnum(SINBA_ENUMERATIONS[type]);
const dataMeseAnno = () => xsString({ pattern: DATA_MESE_ANNO_PATTERN });
const twoDigits = () => xsString({ pattern: "([0-9]{2})" });
const threeDigits = () => xsString({ pattern: "([0-9]{3})" });
const optional = <T extends z.ZodType>(s: T) => s.optional();

/** `SINBA` attributes: one minor taken in charge, never with a codice fiscale or name. */
export const SinbaAttrs = z.object({
  IDBeneficiario: xsString({ minLength: 1, maxLength: 20 }),
  MinoreStranieroNoAcc: code("MinoreStranieroNoAccType"),
  CondizioneMinore: code("CondizioneMinoreType"),
  LuogoVita: code("LuogoVitaType"),
  ScuolaFrequentata: code("ScuolaFrequentataType"),
  CondizioneLavoro: code("CondizioneLavoroType"),
  Disabilita: code("DisabilitaType"),
  TipoDisabilita: optional(code("TipoDisabilitaType")),
  InvCivCertificazioni: optional(code("InvCivCertificazioniType")),
  CodiceCittadinanzaPadre: optional(threeDigits()),
  CodiceCittadinanzaMadre: optional(threeDigits()),
  CodiceRegioneResidenzaPadre: optional(twoDigits()),
  CodiceRegioneResidenzaMadre: optional(twoDigits()),
  TitoloStudioPadre: optional(code("TitoloStudioType")),
  TitoloStudioMadre: optional(code("TitoloStudioType")),
  OccupazionePadre: optional(code("OccupazioneType")),
  OccupazioneMadre: optional(code("OccupazioneType")),
  DataPrimaSegnalazione: dataMeseAnno(),
  FonteSegnalazione: code("FonteSegnalazioneType"),
  ValutazioneMinore: code("ValutazioneMinoreType"),
  ValutazioneFamigliaMinore: code("ValutazioneFamigliaMinoreType"),
  SegnalazioneAutoritaGiudiziaria: code("SegnalazioneAutoritaGiudiziariaType"),
  DataSegnalazione: optional(dataMeseAnno()),
  ProvvedimentoGiudiziario: code("ProvvedimentoGiudiziarioType"),
  DataProvvedimentoGiudiziario: optional(dataMeseAnno()),
  AutoritaProvvedimento: optional(code("AutoritaProvvedimentoType")),
  PotestaTutela: optional(code("PotestaTutelaType")),
  TipoProvvedimentoGiudiziario: optional(code("TipoProvvedimentoGiudiziarioType")),
  FormaInterventoAffido: optional(code("FormaInterventoAffidoType")),
  TipoInterventoAffido: optional(code("TipoInterventoAffidoType")),
  DurataAffido: optional(code("DurataAffidoType")),
  CarattereAffido: optional(code("CarattereAffidoType")),
  EsitoAffido: optional(code("EsitoAffidoType")),
  CarattereInserimentoResidenziale: optional(code("CarattereInserimentoResidenzialeType")),
  FormaInserimentoResidenziale: optional(code("FormaInserimentoResidenzialeType")),
  TipoInserimentoResidenziale: optional(code("TipoInserimentoResidenzialeType")),
  EsitoInserimentoStruttura: optional(code("EsitoInserimentoStrutturaType")),
  MotivazioneChiusuraCarico: optional(code("MotivazioneChiusuraCaricoType")),
  SituazioneChiusuraCarico: optional(code("SituazioneChiusuraCaricoType")),
  CollaborazioniInterventi: optional(code("CollaborazioniInterventiType")),
  // Only a maximum in the XSD: 0 and negative counts are valid xs:int values.
  NumeroComponentiISEE: optional(xsInt({ max: 9 })),
  FasciaEtaBeneficiario: code("FasciaEtaBeneficiarioType"),
  FasciaISEEBeneficiario: optional(code("FasciaISEEBeneficiarioType")),
  AnnoNascita: xsString({ pattern: "([0-9]{4})" }),
  CodiceRegioneResidenza: optional(twoDigits()),
  CodiceNazioneResidenza: threeDigits(),
}).strict();

/** A `Prestazioni/CodicePrestazione`: the benefit code as text, 5–10 characters. */
export const CodicePrestazione = xsString({ minLength: 5, maxLength: 10 });

/** A `Famiglia/ComposizioneFamiglia`: who lives with the minor, as enumerated text. */
export const ComposizioneFamiglia = code("ComposizioneFamigliaType");

// ---- The root's attributes: namespace declarations and xsi hints ----

/** The `SINBA` element: its attributes, the benefits given and the household. */
export const SinbaElement = element(SinbaAttrs, {
  Prestazioni: one(
    z.object({ CodicePrestazione: z.array(textElement(CodicePrestazione)).min(1) }).strict(),
  ),
  Famiglia: one(
    z.object({ ComposizioneFamiglia: z.array(textElement(ComposizioneFamiglia)).min(1) })
      .strict(),
  ),
});

/** The whole SINBA `Flusso` document, as xml2js parses it. */
export const SinbaFlussoDocument = z.object({
  Flusso: z.object({
    $: FlussoRootAttrs,
    IdentificazioneFlusso: one(
      element(IdentificazioneFlussoAttrs, { Ente: one(z.object({ $: EnteAttrs }).strict()) }),
    ),
    SINBA: z.array(SinbaElement).min(1),
  }).strict(),
}).strict();
