/**
 * The first stage of a flow, run on the upload stream itself: each chunk is
 * hashed, stored in the database in blocks of 1 MiB and inspected (encoding,
 * format, CSV header; XML well-formedness, envelope and validity against the
 * official XSD, element by element, in a worker that gets each block once it
 * is stored: `xml_inspection.ts`), then forgotten. What it finds decides
 * whether the flow is refused as a whole (RICHIESTA_INVALIDA) before any
 * record is judged.
 *
 * @example
 * ```ts
 * const intake = new FlowIntake(flussi, { ente: "H501", flussoId: 7 });
 * for await (const chunk of file) await intake.push(chunk);
 * const report = await intake.finish();
 * ```
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import type { WorkerPool } from "../platform/worker_pool.ts";
import { CSV_COLUMNS } from "../prestazioni/record.ts";
import { SINBA_CSV_COLUMNS } from "../prestazioni/sinba.ts";
import type { FlussiRepo } from "./repo.ts";
import { EncodingSniffer, type EncodingVerdict } from "./encoding.ts";
import { XmlInspector } from "./xml_inspection.ts";
import { MAX_PROBLEMS, type XmlProblem } from "./xml_stream.ts";

/** The flow types. */
export type Tipo = "PS_PSA_SINA" | "SINBA";

/** The size of a stored block. */
export const BLOCK_BYTES = 1 << 20;

/** The longest CSV record accepted: a real one has a few hundred bytes. */
export const MAX_RECORD_BYTES = 64 * 1024;

/** What the first stage found. */
export interface IntakeReport {
  sha256: string;
  bytes: number;
  encoding: EncodingVerdict;
  formato?: "csv" | "xml";
  tipo?: Tipo;
  separatore?: string;
  /** Records expected (CSV data lines, XML benefits or SINBA elements), for the progress bar. */
  totale: number;
  /** XML: the flow's name, `IdentificazioneFlusso/@Nome`. */
  nomeFlusso?: string;
  /** Reasons to refuse the whole flow, with line numbers. */
  problems: XmlProblem[];
}

const DELIMITERS = [";", ",", "\t"] as const;
const QUOTE = 34;
const LF = 10;

/** Whether `bytes[start…end)` holds anything but spaces, tabs and CRs. */
function hasText(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b !== 13 && b !== 32 && b !== 9) return true;
  }
  return false;
}

/** Stage one of an upload: store, hash and inspect each chunk. */
export class FlowIntake {
  #hash: Hash = createHash("sha256");
  #sniffer = new EncodingSniffer();
  #bytes = 0;
  // The block being filled: each chunk is copied in as it comes, so the caller may reuse it.
  #block?: Uint8Array<ArrayBuffer>;
  #blockBytes = 0;
  #blocks = 0;
  #writing: Promise<void> = Promise.resolve();
  // The block being written, kept for the XML inspection.
  #stored?: Uint8Array<ArrayBuffer>;
  #formato?: "csv" | "xml";
  #xml?: XmlInspector;
  #headerBytes: number[] = [];
  #headerDone = false;
  #inQuotes = false;
  #line = 1;
  #records = 0;
  #recordHasText = false;
  #recordBytes = 0;
  #recordLine = 1;
  #longRecord = 0;

  /** `inspectors` lends an XML flow its inspection worker (a new one is started without). */
  constructor(
    private readonly flussi: FlussiRepo,
    private readonly flow: { ente: string; flussoId: number },
    private readonly inspectors?: WorkerPool,
  ) {}

  /** Bytes received so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Takes the next chunk of the file, which the caller may reuse once this resolves. */
  async push(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return;
    this.#hash.update(chunk);
    this.#sniffer.feed(chunk);
    this.#bytes += chunk.length;
    if (!this.#formato) this.#detect(chunk);
    if (this.#formato === "csv") this.#inspectCsv(chunk);
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(BLOCK_BYTES - this.#blockBytes, chunk.length - offset);
      this.#block ??= new Uint8Array(BLOCK_BYTES);
      this.#block.set(chunk.subarray(offset, offset + take), this.#blockBytes);
      this.#blockBytes += take;
      offset += take;
      if (this.#blockBytes === BLOCK_BYTES) await this.#flush();
    }
  }

  /** Stores the last block and reports. */
  async finish(senderEnte: string): Promise<IntakeReport> {
    try {
      await this.#flush();
      await this.#writing;
      await this.#inspectStored();
    } catch (error) {
      this.close();
      throw error;
    }
    const encoding = this.#sniffer.verdict();
    const report: IntakeReport = {
      sha256: this.#hash.digest("hex"),
      bytes: this.#bytes,
      encoding,
      formato: this.#formato,
      totale: 0,
      problems: [],
    };
    if (!encoding.ok) {
      report.problems.push({ riga: 1, messaggio: encoding.message });
      this.close();
      return report;
    }
    if (this.#xml) {
      const { problems, ...findings } = await this.#xml.finish(senderEnte);
      Object.assign(report, findings);
      if (encoding.encoding !== "UTF-8") {
        problems.unshift({ riga: 1, messaggio: "I flussi XML devono essere in codifica UTF-8." });
      }
      report.problems = problems.slice(0, MAX_PROBLEMS);
    } else if (this.#formato === "csv") this.#finishCsv(report);
    return report;
  }

  /** Lets go of the inspection: for an upload abandoned before {@linkcode finish}. */
  close(): void {
    this.#xml?.close();
  }

  async #flush() {
    const block = this.#block;
    if (!block || this.#blockBytes === 0) return;
    // A whole block is handed on as it is; the last one, shorter, as a buffer of its size.
    const data = this.#blockBytes === BLOCK_BYTES ? block : block.slice(0, this.#blockBytes);
    this.#block = undefined;
    this.#blockBytes = 0;
    // One block is written while the next is read: never more than two here (and, for XML, the
    // few the inspection has not read yet: see `XmlInspector`).
    await this.#writing;
    await this.#inspectStored();
    const n = this.#blocks++;
    this.#writing = this.flussi.storeBlock(this.flow.ente, this.flow.flussoId, n, data);
    // Observed at once, and awaited by the next block or by `finish`: not an unhandled rejection.
    this.#writing.catch(() => {});
    if (this.#xml) this.#stored = data;
  }

  /**
   * An XML block goes to its inspection once stored: the store no longer
   * needs it, and it is handed over instead of copied.
   */
  async #inspectStored() {
    const block = this.#stored;
    this.#stored = undefined;
    if (block && this.#xml) await this.#xml.write(block);
  }

  /** The first character that is not a BOM or white space says XML (`<`) or CSV. */
  #detect(chunk: Uint8Array) {
    const text = new TextDecoder("latin1").decode(chunk.subarray(0, 64)).replace(
      /^\u00ef\u00bb\u00bf/,
      "",
    );
    const first = text.trimStart()[0];
    if (first === undefined) return;
    this.#formato = first === "<" ? "xml" : "csv";
    if (this.#formato === "xml") this.#xml = new XmlInspector(this.inspectors);
  }

  #inspectCsv(chunk: Uint8Array) {
    // Past the header, a chunk without quotes is read line by line (the runtime finds line
    // feeds far faster than a loop over each byte).
    if (this.#headerDone && !this.#inQuotes && !chunk.includes(QUOTE)) {
      for (let start = 0; start < chunk.length;) {
        const lf = chunk.indexOf(LF, start);
        const end = lf < 0 ? chunk.length : lf;
        if (!this.#recordHasText) this.#recordHasText = hasText(chunk, start, end);
        this.#recordBytes += end - start;
        if (this.#recordBytes > MAX_RECORD_BYTES && !this.#longRecord) {
          this.#longRecord = this.#recordLine;
        }
        if (lf < 0) return;
        this.#line++;
        if (this.#recordHasText) this.#records++;
        this.#recordHasText = false;
        this.#recordBytes = 0;
        this.#recordLine = this.#line;
        start = lf + 1;
      }
      return;
    }
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === QUOTE) this.#inQuotes = !this.#inQuotes;
      if (b === LF) {
        this.#line++;
        this.#headerDone = true;
        if (!this.#inQuotes) {
          // A record ends here: count it if it held anything, and start the next one.
          if (this.#recordHasText) this.#records++;
          this.#recordHasText = false;
          this.#recordBytes = 0;
          this.#recordLine = this.#line;
          continue;
        }
      } else if (b !== 13 && b !== 32 && b !== 9) this.#recordHasText = true;
      if (!this.#headerDone && this.#headerBytes.length < 65536) this.#headerBytes.push(b);
      if (++this.#recordBytes > MAX_RECORD_BYTES && !this.#longRecord) {
        this.#longRecord = this.#recordLine;
      }
    }
  }

  #finishCsv(report: IntakeReport) {
    const line = new TextDecoder("latin1").decode(new Uint8Array(this.#headerBytes))
      .replace(/^\u00ef\u00bb\u00bf/, "").replace(/\r$/, "");
    const counts = DELIMITERS.map((d) => line.split(d).length - 1);
    const best = counts.indexOf(Math.max(...counts));
    const separatore = DELIMITERS[best];
    const header = line.split(separatore).map((h) => h.trim().replace(/^"(.*)"$/, "$1"));
    report.separatore = separatore;
    // Data records: every record after the header; a last one without a newline counts too.
    report.totale = Math.max(0, this.#records + (this.#recordHasText ? 1 : 0) - 1);
    const tipo: Tipo = header.includes("IDBeneficiario") ? "SINBA" : "PS_PSA_SINA";
    report.tipo = tipo;
    const expected: readonly string[] = tipo === "SINBA" ? SINBA_CSV_COLUMNS : CSV_COLUMNS;
    if (counts[best] === 0 || !header.some((name) => expected.includes(name))) {
      report.problems.push({
        riga: 1,
        messaggio:
          "Intestazione non riconosciuta: la prima riga deve elencare i nomi ufficiali delle colonne separati da punto e virgola (o virgola).",
      });
      return;
    }
    const seen = new Set<string>();
    for (const name of header) {
      if (!expected.includes(name)) {
        report.problems.push({
          riga: 1,
          messaggio: `Colonna ${name || "(senza nome)"} non prevista dal tracciato ${tipo}.`,
        });
      } else if (seen.has(name)) {
        report.problems.push({ riga: 1, messaggio: `Colonna ${name} ripetuta.` });
      }
      seen.add(name);
    }
    const missing = expected.filter((name) => !seen.has(name));
    if (missing.length) {
      report.problems.push({
        riga: 1,
        messaggio: `Colonne mancanti nel tracciato ${tipo}: ${missing.join(", ")}.`,
      });
    }
    if (this.#inQuotes) {
      report.problems.push({
        riga: this.#recordLine,
        messaggio: "Virgolette aperte e mai chiuse: il resto del file sarebbe un unico campo.",
      });
    }
    if (this.#longRecord) {
      report.problems.push({
        riga: this.#longRecord,
        messaggio: `Riga più lunga di ${
          MAX_RECORD_BYTES / 1024
        } KB: non è un record del tracciato.`,
      });
    }
    if (report.totale === 0) {
      report.problems.push({ riga: 2, messaggio: "Il file non contiene righe di dati." });
    }
  }
}
