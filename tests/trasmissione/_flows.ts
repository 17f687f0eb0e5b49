/**
 * Generated flows for the Trasmissione tests and benchmarks: CSV and XML of
 * the same realistic records, optionally in Windows-1252.
 * @module
 */
import { stringify } from "csv/sync";
import { flussoXml } from "../../modules/prestazioni/flusso_xml.ts";
import { CSV_COLUMNS, fromFlatInput, type PsRecord } from "../../modules/prestazioni/record.ts";
import { flatRecord } from "../bench/_records.ts";

/** Flat rows `from`…`from + n - 1` of the generator. */
export function rows(n: number, from = 0): Record<string, string>[] {
  return Array.from({ length: n }, (_, i) => flatRecord(from + i));
}

/** A CSV flow of `rows`, with the official header. */
export function csvOf(
  data: Record<string, string>[],
  options: { delimiter?: string; bom?: boolean; columns?: readonly string[] } = {},
): string {
  const text = stringify(data, {
    delimiter: options.delimiter ?? ";",
    header: true,
    columns: [...(options.columns ?? CSV_COLUMNS)],
    record_delimiter: "\r\n",
  });
  return (options.bom ? "\ufeff" : "") + text;
}

/** Windows-1252 bytes of a text made of Latin-1 characters and the euro sign. */
export function windows1252(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c === 0x20ac ? 0x80 : c;
    if (c > 0xff && c !== 0x20ac) throw new Error(`carattere fuori da Windows-1252: ${text[i]}`);
  }
  return out;
}

/** The canonical records of `rows`. */
export function recordsOf(data: Record<string, string>[]): PsRecord[] {
  return data.map((row) => {
    const parsed = fromFlatInput(row);
    if (!parsed.ok) {
      throw new Error(`riga generata non valida: ${JSON.stringify(parsed.violations)}`);
    }
    return parsed.record;
  });
}

/** An XML flow of `rows` for ente `ente` (seat H501), as a Comune's software would send it. */
export function xmlOf(data: Record<string, string>[], ente = "H501"): string {
  return flussoXml({
    nome: `${ente}.PS.20240115.0000001`,
    ente: {
      codice: ente,
      denominazione: "Comune di prova",
      belfioreSede: "H501",
      cfOperatore: "RSSMRA80A01H501U",
    },
  }, recordsOf(data));
}
