/**
 * The records of a stored flow, read back block by block and parsed as a
 * stream: CSV rows or XML elements, each one canonical record with its
 * position in the file — the CSV line (the header is line 1), or the 1-based
 * ordinal of the `PrestazioniSociali` or `SINBA` element.
 * @module
 */
import { parse as parseSync } from "csv/sync";
import { ChunkDecoder } from "../platform/chunk_decoder.ts";
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

/**
 * The records of a flow from its blocks, in file order, a piece of the file
 * at a time (one await per piece rather than per record).
 */
export function flowItems(
  blocks: AsyncIterable<Uint8Array>,
  shape: FlowShape,
): AsyncGenerator<FlowItem[]> {
  return shape.formato === "csv" ? csvItems(blocks, shape) : xmlItems(blocks, shape.tipo);
}

/** The file's text, in pieces of at most 64 KiB. */
async function* texts(blocks: AsyncIterable<Uint8Array>, encoding: string) {
  // The decoder drops a UTF-8 BOM and converts Windows-1252 to Unicode.
  const decoder = new ChunkDecoder(encoding === "Windows-1252" ? "windows-1252" : "utf-8");
  const PIECE = 64 * 1024;
  for await (const block of blocks) {
    for (let at = 0; at < block.length; at += PIECE) {
      yield decoder.decode(block.subarray(at, at + PIECE));
    }
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/**
 * CSV records, parsed block by block (split directly when the text allows,
 * with csv-parse's synchronous parser otherwise: its stream interface costs
 * several times more per record): each decoded block is cut after its last
 * line end outside quotes, and the rest waits for the next block. The first
 * stage refused any record longer than a block.
 */
async function* csvItems(
  blocks: AsyncIterable<Uint8Array>,
  shape: FlowShape,
): AsyncGenerator<FlowItem[]> {
  let carry = "";
  let lineOffset = 0; // lines before `carry`
  let header: string[] | undefined;
  let columns = new Map<string, number>();
  let ordinal = 0;
  const parseText = (text: string): FlowItem[] => {
    const out: FlowItem[] = [];
    const delimiter = shape.separatore ?? ";";
    const items: { line: number; record?: string[]; message?: string }[] =
      plainRecords(text, delimiter) ?? parsedRecords(text, delimiter);
    for (const item of items) {
      const posizione = lineOffset + item.line;
      if (item.message !== undefined) {
        out.push({
          ordinal: ++ordinal,
          posizione,
          parsed: { ok: false, violations: [r01(`Riga non leggibile come CSV: ${item.message}`)] },
        });
        continue;
      }
      const record = item.record!;
      if (!header) {
        header = record.map((h) => h.trim().replace(/^\ufeff/, ""));
        // A repeated column name means its last column, as an object built from the row would.
        columns = new Map(header.map((name, i) => [name, i]));
        continue;
      }
      ordinal++;
      if (record.length !== header.length) {
        out.push({
          ordinal,
          posizione,
          parsed: {
            ok: false,
            violations: [
              r01(
                `La riga ha ${record.length} campi invece dei ${header.length} dell'intestazione.`,
              ),
            ],
          },
        });
        continue;
      }
      const cell = (name: string) => record[columns.get(name) ?? -1];
      out.push({
        ordinal,
        posizione,
        parsed: shape.tipo === "SINBA" ? fromSinbaFlatInput(cell) : fromFlatInput(cell),
      });
    }
    return out;
  };
  for await (const text of texts(blocks, shape.encoding)) {
    carry += text;
    const cut = lastRecordEnd(carry);
    if (cut < 0) continue;
    const complete = carry.slice(0, cut);
    carry = carry.slice(cut);
    yield parseText(complete);
    lineOffset += countLines(complete);
  }
  if (carry.trim() !== "") yield parseText(carry);
}

const MAX_RECORD = 64 * 1024;

/**
 * Records and rejected lines of a text, by csv-parse: the line each begins
 * on, in file order.
 */
export function parsedRecords(
  text: string,
  delimiter: string,
): { line: number; record?: string[]; message?: string }[] {
  const skipped: { line: number; message: string }[] = [];
  const records = parseSync(text, {
    delimiter,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD,
    raw: true,
    on_skip: (error: (Error & { lines?: number }) | undefined) => {
      if (error) skipped.push({ line: error.lines ?? 0, message: error.message });
    },
  }) as unknown as { record: string[]; info: { lines: number }; raw: string }[];
  // Rejected lines take their place among the records, in file order.
  return [
    // `info.lines` is the line a record ends on; a quoted field may span lines.
    ...records.map((r) => ({ line: r.info.lines - newlinesIn(r.raw), record: r.record })),
    ...skipped.map((s) => ({ line: s.line, message: s.message })),
  ].sort((a, b) => a.line - b.line);
}

/**
 * The records of a text without quotes whose lines all end alike (`\r\n`, or
 * `\n` with no CR anywhere), split directly: the records csv-parse gives,
 * several times faster, at their true lines (csv-parse miscounts after a
 * blank line when lines end in `\n`). Undefined when the text needs csv-parse.
 */
export function plainRecords(
  text: string,
  delimiter: string,
): { line: number; record: string[] }[] | undefined {
  if (text.includes('"')) return undefined;
  const firstEnd = text.indexOf("\n");
  const crlf = firstEnd > 0 && text.charCodeAt(firstEnd - 1) === 13;
  const out: { line: number; record: string[] }[] = [];
  let line = 0;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    line++;
    const stop = crlf && end < text.length ? end - 1 : end;
    if (crlf && end < text.length && text.charCodeAt(stop) !== 13) return undefined;
    const content = text.slice(start, stop);
    // A CR left inside the line ends records for csv-parse (or is data): its call.
    if (content.length > MAX_RECORD || content.includes("\r")) return undefined;
    if (content !== "") out.push({ line, record: content.split(delimiter) });
    start = end + 1;
  }
  return out;
}

/** The index just after the last line end that is outside quotes, or -1. */
export function lastRecordEnd(text: string): number {
  if (!text.includes('"')) return text.lastIndexOf("\n") + 1 || -1;
  let inQuotes = false;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes;
    else if (c === 10 && !inQuotes) last = i + 1;
  }
  return last;
}

/** Line ends inside a record's raw text, its own final one excluded. */
function newlinesIn(raw: string): number {
  return countLines(raw.replace(/\r?\n$/, ""));
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

async function* xmlItems(
  blocks: AsyncIterable<Uint8Array>,
  tipo: Tipo,
): AsyncGenerator<FlowItem[]> {
  const queue: XmlRecord[] = [];
  const reader = new FlowXmlReader({ onRecord: (r) => queue.push(r) });
  let ordinal = 0;
  const drain = (): FlowItem[] => {
    const out: FlowItem[] = [];
    for (const r of queue.splice(0)) {
      if (tipo === "SINBA") {
        ordinal++;
        out.push({ ordinal, posizione: ordinal, parsed: fromSinbaElement(r.element) });
      } else {
        // The first stage accepted every element against the XSD: it is not checked again.
        for (const parsed of fromBeneficiarioElement(r.element, { validated: true })) {
          ordinal++;
          out.push({ ordinal, posizione: ordinal, parsed });
        }
      }
    }
    return out;
  };
  for await (const text of texts(blocks, "UTF-8")) {
    reader.write(text);
    yield drain();
  }
  reader.close();
  yield drain();
  if (reader.stopped) {
    throw new Error(`flusso XML non leggibile: ${reader.problems[0]?.messaggio ?? ""}`);
  }
}
