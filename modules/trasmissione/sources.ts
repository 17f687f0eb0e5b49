/**
 * The records of a stored flow, read back block by block and parsed as a
 * stream: CSV rows (csv-parse) or XML elements (sax), each one canonical
 * record with its position in the file — the CSV line (the header is line
 * 1), or the 1-based ordinal of the `PrestazioniSociali` or `SINBA` element.
 * @module
 */
import { parse } from "csv";
import type { Violation } from "../prestazioni/rules.ts";
import { fromBeneficiarioElement, fromFlatInput, type Parsed } from "../prestazioni/record.ts";
import { fromSinbaElement, fromSinbaFlatInput, type ParsedSinba } from "../prestazioni/sinba.ts";
import type { Tipo } from "./intake.ts";
import { FlowXmlReader, type XmlRecord } from "./xml_stream.ts";

/** One record of a flow: its ordinal among the records, its position in the file, the parse. */
export interface FlowItem {
  ordinal: number;
  posizione: number;
  parsed: Parsed | ParsedSinba;
}

/** How the flow was received (stage one). */
export interface FlowShape {
  tipo: Tipo;
  formato: "csv" | "xml";
  encoding: "UTF-8" | "Windows-1252";
  separatore?: string;
}

const r01 = (message: string, field = "riga"): Violation => ({
  rule: "R01",
  level: "scarto",
  field,
  value: null,
  message,
});

/** The records of a flow from its blocks, in file order. */
export function flowItems(
  blocks: AsyncIterable<Uint8Array>,
  shape: FlowShape,
): AsyncGenerator<FlowItem> {
  return shape.formato === "csv" ? csvItems(blocks, shape) : xmlItems(blocks, shape.tipo);
}

async function* texts(blocks: AsyncIterable<Uint8Array>, encoding: string) {
  // The decoder drops a UTF-8 BOM and converts Windows-1252 to Unicode.
  const decoder = new TextDecoder(encoding === "Windows-1252" ? "windows-1252" : "utf-8");
  for await (const block of blocks) yield decoder.decode(block, { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

async function* csvItems(
  blocks: AsyncIterable<Uint8Array>,
  shape: FlowShape,
): AsyncGenerator<FlowItem> {
  const parser = parse({
    delimiter: shape.separatore ?? ";",
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
  const skipped: { line: number; message: string }[] = [];
  parser.on("skip", (error: Error & { lines?: number }) => {
    skipped.push({ line: error.lines ?? 0, message: error.message });
  });
  const feeding = (async () => {
    for await (const text of texts(blocks, shape.encoding)) {
      if (!parser.write(text)) await new Promise((resolve) => parser.once("drain", resolve));
    }
    parser.end();
  })();
  let header: string[] | undefined;
  let ordinal = 0;
  const flushSkipped = function* () {
    for (const s of skipped.splice(0)) {
      yield {
        ordinal: ++ordinal,
        posizione: s.line,
        parsed: {
          ok: false as const,
          violations: [r01(`Riga non leggibile come CSV: ${s.message}`)],
        },
      };
    }
  };
  for await (
    const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>
  ) {
    yield* flushSkipped();
    if (!header) {
      header = record.map((h) => h.trim());
      continue;
    }
    ordinal++;
    if (record.length !== header.length) {
      yield {
        ordinal,
        posizione: info.lines,
        parsed: {
          ok: false,
          violations: [
            r01(`La riga ha ${record.length} campi invece dei ${header.length} dell'intestazione.`),
          ],
        },
      };
      continue;
    }
    const row: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) row[header[i]] = record[i];
    yield {
      ordinal,
      posizione: info.lines,
      parsed: shape.tipo === "SINBA" ? fromSinbaFlatInput(row) : fromFlatInput(row),
    };
  }
  yield* flushSkipped();
  await feeding;
}

async function* xmlItems(blocks: AsyncIterable<Uint8Array>, tipo: Tipo): AsyncGenerator<FlowItem> {
  const queue: XmlRecord[] = [];
  const reader = new FlowXmlReader({ onRecord: (r) => queue.push(r) });
  let ordinal = 0;
  const drain = function* (): Generator<FlowItem> {
    for (const r of queue.splice(0)) {
      if (tipo === "SINBA") {
        ordinal++;
        yield { ordinal, posizione: ordinal, parsed: fromSinbaElement(r.element) };
      } else {
        for (const parsed of fromBeneficiarioElement(r.element)) {
          ordinal++;
          yield { ordinal, posizione: ordinal, parsed };
        }
      }
    }
  };
  for await (const text of texts(blocks, "UTF-8")) {
    reader.write(text);
    yield* drain();
  }
  reader.close();
  yield* drain();
  if (reader.stopped) {
    throw new Error(`flusso XML non leggibile: ${reader.problems[0]?.messaggio ?? ""}`);
  }
}
