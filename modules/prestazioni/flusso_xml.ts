/**
 * The official XML of benefit records: a `Flusso` document of the PS-PSA-SINA
 * XSD, as a receipt's download or an outgoing message carries it.
 *
 * @example
 * ```ts
 * const xml = flussoXml({ nome: "H501.PS.20260310.0000001", ente }, [record]);
 * ```
 * @module
 */
import { Builder } from "xml2js";
import { NAMESPACE } from "./xml_tree.ts";
import { type PsRecord, toBeneficiarioElement } from "./record.ts";

/** The envelope of a flow (SPEC §3.1). */
export interface FlussoEnvelope {
  /** `{CodiceEnte}.{PS|PSA|SINA|SINBA}.{AAAAMMGG}.{progressivo}`, at most 50 characters. */
  nome: string;
  ente: { codice: string; denominazione?: string; belfioreSede: string; cfOperatore: string };
}

/**
 * The flow name of SPEC §3.1 for a bank, a day (`AAAA-MM-GG`) and a
 * progressive number; cut to the XSD's 50 characters for the longest ente codes.
 */
export function flussoName(ente: string, banca: string, day: string, progressivo: number): string {
  return `${ente}.${banca}.${day.replaceAll("-", "")}.${
    String(progressivo % 10_000_000).padStart(7, "0")
  }`.slice(0, 50);
}

/** The `Flusso` document of `records`, one `Beneficiario` per record. */
export function flussoXml(envelope: FlussoEnvelope, records: readonly PsRecord[]): string {
  const { ente } = envelope;
  return new Builder({ xmldec: { version: "1.0", encoding: "UTF-8" } }).buildObject({
    Flusso: {
      $: { xmlns: NAMESPACE },
      IdentificazioneFlusso: [{
        $: { Nome: envelope.nome },
        Ente: [{
          $: {
            Codice: ente.codice,
            ...(ente.denominazione ? { Denominazione: ente.denominazione.slice(0, 100) } : {}),
            Indirizzo: ente.belfioreSede,
            CFOperatore: ente.cfOperatore,
          },
        }],
      }],
      Beneficiario: records.map(toBeneficiarioElement),
    },
  });
}
