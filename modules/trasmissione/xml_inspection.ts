/**
 * The first stage's inspection of an XML flow: well-formedness, envelope
 * (R01, R13) and validity of every element against the official XSD. It is
 * most of an XML upload's work, so it runs in a worker of its own
 * ({@linkcode XmlInspector}) beside the thread that hashes and stores the
 * file.
 *
 * @example
 * ```ts
 * const inspector = new XmlInspector(inspectionWorkers());
 * for await (const block of blocks) await inspector.write(block);
 * const findings = await inspector.finish("H501");
 * ```
 * @module
 */
import { z } from "zod";
import { ChunkDecoder } from "../platform/chunk_decoder.ts";
import { WorkerPool } from "../platform/worker_pool.ts";
import { safeParseFast } from "../prestazioni/fast_schema.ts";
import { checkEnvelope } from "../prestazioni/rules.ts";
import {
  BeneficiarioElement,
  EnteAttrs,
  IdentificazioneFlussoAttrs,
} from "../prestazioni/schema_ps.ts";
import { SinbaElement } from "../prestazioni/schema_sinba.ts";
import { FlussoRootAttrs } from "../prestazioni/xml_tree.ts";
import type { Tipo } from "./intake.ts";
import { FlowXmlReader, MAX_PROBLEMS, type XmlProblem } from "./xml_stream.ts";

/** What the inspection of an XML flow found. */
export interface XmlFindings {
  /** Reasons to refuse the whole flow (at most 100), by line. */
  problems: XmlProblem[];
  tipo?: Tipo;
  /** Benefits (or SINBA elements) in the flow. */
  totale: number;
  /** `IdentificazioneFlusso/@Nome`. */
  nomeFlusso?: string;
}

const Envelope = z.object({
  $: IdentificazioneFlussoAttrs,
  Ente: z.array(z.object({ $: EnteAttrs }).strict()).length(1),
}).strict();

/** The inspection itself, chunk by chunk, on the calling thread. */
export class XmlInspection {
  #decoder = new ChunkDecoder("utf-8");
  #problems: XmlProblem[] = [];
  #benefits = 0;
  #reader = new FlowXmlReader({
    onRecord: (r) => {
      const schema = r.name === "SINBA" ? SinbaElement : BeneficiarioElement;
      const result = safeParseFast(schema, r.element);
      if (!result.success) {
        for (const issue of result.error.issues.slice(0, 3)) {
          this.#problems.push({
            riga: r.line,
            messaggio: `${r.name} n. ${r.ordinal}: ${describeIssue(issue)}`,
          });
        }
      }
      const benefits = r.element.PrestazioniSociali;
      this.#benefits += r.name === "SINBA" ? 1 : Array.isArray(benefits) ? benefits.length : 0;
    },
  });

  /** Reads the next chunk of the file. */
  write(chunk: Uint8Array): void {
    if (this.#problems.length < MAX_PROBLEMS) {
      this.#reader.write(this.#decoder.decode(chunk));
    }
  }

  /** The findings, once the whole file was written; `senderEnte` is who sent it (R13). */
  finish(senderEnte: string): XmlFindings {
    const reader = this.#reader;
    reader.write(this.#decoder.end());
    reader.close();
    const problems = [...reader.problems, ...this.#problems];
    const findings: XmlFindings = { problems, totale: this.#benefits };
    if (!reader.stopped) {
      const root = FlussoRootAttrs.safeParse(reader.rootAttrs ?? {});
      if (reader.rootAttrs && !root.success) {
        problems.push({ riga: 1, messaggio: `Flusso: ${root.error.issues[0].message}` });
      }
      const envelope = Envelope.safeParse(reader.envelope);
      if (reader.envelope && !envelope.success) {
        problems.push({
          riga: 1,
          messaggio: `IdentificazioneFlusso: ${describeIssue(envelope.error.issues[0])}`,
        });
      } else if (envelope.success) {
        findings.nomeFlusso = envelope.data.$.Nome;
        for (const v of checkEnvelope(envelope.data.Ente[0].$, senderEnte)) {
          problems.push({ riga: 1, messaggio: `${v.message} (${v.rule})` });
        }
      }
    }
    findings.tipo = reader.kind === "SINBA" ? "SINBA" : reader.kind ? "PS_PSA_SINA" : undefined;
    findings.problems = problems.sort((a, b) => a.riga - b.riga).slice(0, MAX_PROBLEMS);
    return findings;
  }
}

/** Messages to the inspection's worker. */
export type ToInspector = { type: "chunk"; bytes: Uint8Array } | {
  type: "finish";
  senderEnte: string;
};

/** Messages from it: a chunk read, the findings, or a failure. */
export type FromInspector =
  | { type: "read"; bytes: number }
  | { type: "findings"; findings: XmlFindings }
  | { type: "error"; message: string };

// Bytes sent and not yet read beyond which `write` waits: memory stays bounded.
const WINDOW = 4 << 20;

/** A new inspection worker. */
export function inspectionWorker(): Worker {
  return new Worker(new URL("./xml_inspection_worker.ts", import.meta.url).href, {
    type: "module",
  });
}

/**
 * The inspection workers of a process that receives uploads: an upload
 * takes the one kept ready and gives it back once inspected to the end (see
 * `WorkerPool`).
 */
export function inspectionWorkers(): WorkerPool {
  return new WorkerPool(inspectionWorker);
}

/**
 * {@linkcode XmlInspection} in a worker of its own, taken from `pool` and
 * given back once the findings arrived (a pool never started, the default,
 * gives a new worker and ends it).
 */
export class XmlInspector {
  #worker: Worker;
  #unread = 0;
  #waiting: (() => void)[] = [];
  #answer?: { resolve: (findings: XmlFindings) => void; reject: (error: Error) => void };
  #failure?: Error;
  #ended = false;

  constructor(private readonly pool: WorkerPool = inspectionWorkers()) {
    this.#worker = pool.take();
    this.#worker.onmessage = (event: MessageEvent<FromInspector>) => {
      const message = event.data;
      if (message.type === "read") {
        this.#unread -= message.bytes;
        if (this.#unread <= WINDOW) this.#wake();
      } else if (message.type === "findings") this.#answer?.resolve(message.findings);
      else this.#fail(message.message);
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#fail(event.message);
    };
  }

  #wake() {
    for (const wake of this.#waiting.splice(0)) wake();
  }

  #fail(message: string) {
    this.#failure ??= new Error(`controllo del flusso XML: ${message}`);
    this.#wake();
    this.#answer?.reject(this.#failure);
  }

  /**
   * Hands the next piece of the file over to the worker (`bytes`, a whole
   * buffer, is not the caller's any more); waits only while the worker is
   * too far behind.
   */
  async write(bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) {
      throw new RangeError("solo un buffer intero si può cedere al controllo");
    }
    this.#unread += bytes.length;
    this.#worker.postMessage({ type: "chunk", bytes } satisfies ToInspector, [bytes.buffer]);
    while (this.#unread > WINDOW && !this.#failure) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (this.#failure) throw this.#failure;
  }

  /** The findings, once every chunk was written; the worker then goes back, or ends. */
  async finish(senderEnte: string): Promise<XmlFindings> {
    try {
      if (this.#failure) throw this.#failure;
      const findings = await new Promise<XmlFindings>((resolve, reject) => {
        this.#answer = { resolve, reject };
        this.#worker.postMessage({ type: "finish", senderEnte } satisfies ToInspector);
      });
      // Every chunk was read and answered, and the worker began a new inspection.
      if (!this.#ended) {
        this.#ended = true;
        this.pool.release(this.#worker);
      }
      return findings;
    } finally {
      this.close();
    }
  }

  /** Ends the worker of an inspection left halfway (an upload abandoned, a failure). */
  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.pool.discard(this.#worker);
  }
}

/** A zod issue on an element, in words: where, and what is wrong. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.filter((p) => typeof p === "string" && p !== "$").join("/");
  if (issue.code === "unrecognized_keys") {
    return `${path ? `${path}: ` : ""}${
      issue.keys.map((k) => k === "_" ? "testo" : k).join(", ")
    } non previsto dallo schema`;
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return `${path}: obbligatorio`;
  }
  return `${path}: ${issue.message}`;
}
