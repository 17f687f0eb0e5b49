/**
 * A flow's records parsed and judged in a worker, as batches in file order.
 * The calling thread only hands over the stored blocks and receives judged
 * batches: it stays free for the database round trips of the batches being
 * written meanwhile. Memory is bounded: the worker holds one block ahead,
 * and stops being fed while {@linkcode MAX_WAITING} batches wait unread.
 *
 * @example
 * ```ts
 * const start = { shape, rules, skip: 0, batchSize: 5000, total: 100_000, storing: false };
 * for await (const batch of judgedBatches(blocks, start)) {
 *   await store(batch);
 * }
 * ```
 * @module
 */
import { WorkerPool } from "../platform/worker_pool.ts";
import type { RuleContextData } from "../prestazioni/validation.ts";
import type { BatchTarget, JudgedBatch } from "./judge.ts";
import type { FlowShape } from "./sources.ts";

/** Starts the judging of a flow. */
export interface Start extends BatchTarget {
  type: "start";
  shape: FlowShape;
  rules: RuleContextData;
  /** Records already done (a resumed job): they are parsed again but not judged nor sent. */
  skip: number;
  /** The largest batch (see {@linkcode batchSize}). */
  batchSize: number;
  /** The records the flow holds, as the first stage counted them. */
  total: number;
}

/** Messages to the worker: the start, then one block (or the end) per request. */
export type ToWorker = Start | { type: "block"; bytes: Uint8Array } | { type: "end" };

/** Messages from the worker. */
export type FromWorker =
  | { type: "need" }
  | { type: "batch"; batch: JudgedBatch }
  | { type: "end" }
  | { type: "error"; message: string };

/** Judged batches waiting to be read beyond which the worker is not fed. */
export const MAX_WAITING = 3;

/** The smallest batch but the last. */
export const MIN_BATCH = 500;

/**
 * The size of the next batch, `done` records into a flow of `total`: small
 * at first, doubling up to `max`, so that storing begins while the worker's
 * code is still cold; and halving towards the end, so that the last write
 * leaves the worker idle for little. (Should the count be wrong, batches
 * past it are of the smallest size.)
 */
export function batchSize(done: number, total: number, max: number): number {
  const rising = Math.min(max, Math.max(MIN_BATCH, 2 * done));
  const left = total - done;
  const falling = left > 2 * MIN_BATCH ? Math.ceil(left / 2) : Math.max(left, MIN_BATCH);
  return Math.min(rising, falling);
}

/** A new judging worker. */
export function judgeWorker(): Worker {
  return new Worker(new URL("./judge_worker.ts", import.meta.url).href, { type: "module" });
}

/**
 * The judging workers of a process that runs jobs: a flow takes the one kept
 * ready and gives it back once judged to the end (see `WorkerPool`).
 */
export function judgeWorkers(): WorkerPool {
  return new WorkerPool(judgeWorker);
}

// The given workers whose last flow was judged to its end: they wait for nothing more.
const judgedToEnd = new WeakSet<Worker>();

/**
 * Whether `worker`, given to {@linkcode judgedBatches}, judged its last flow
 * to the end (and so can judge another); false once it was left halfway.
 */
export function idle(worker: Worker): boolean {
  return judgedToEnd.has(worker);
}

/**
 * The judged batches of the flow whose stored blocks are `blocks`, judged by
 * `worker` (a new one, ended afterwards, if not given). A given worker that
 * judged the flow to its end is left running for its owner to reuse (see
 * {@linkcode idle}); one left halfway is ended. A block that is a whole
 * buffer is handed over to the worker: the source must not use it again.
 */
export async function* judgedBatches(
  blocks: AsyncIterable<Uint8Array>,
  start: Omit<Start, "type">,
  given?: Worker,
): AsyncGenerator<JudgedBatch> {
  const worker = given ?? judgeWorker();
  judgedToEnd.delete(worker);
  let ended = false;
  const source = blocks[Symbol.asyncIterator]();
  const inbox: FromWorker[] = [];
  let waiting = 0; // batches in the inbox
  let requests = 0; // blocks asked for and not yet sent
  let feeding = false;
  let failure: unknown;
  let wake = () => {};
  const arrive = (message: FromWorker) => {
    inbox.push(message);
    wake();
  };
  // Sends the blocks asked for, one at a time, while the reader keeps up.
  const feed = async () => {
    if (feeding) return;
    feeding = true;
    try {
      while (requests > 0 && waiting < MAX_WAITING && failure === undefined) {
        requests--;
        const next = await source.next();
        if (next.done) worker.postMessage({ type: "end" } satisfies ToWorker);
        else {
          // A block that is a whole buffer is handed over as it is; a view on a larger buffer,
          // which may be shared (a Node Buffer's `slice` would not copy), is copied first.
          const block = next.value;
          const { buffer } = block;
          const whole = buffer instanceof ArrayBuffer && block.byteOffset === 0 &&
            block.byteLength === buffer.byteLength;
          const bytes = whole ? block : new Uint8Array(block);
          worker.postMessage({ type: "block", bytes } satisfies ToWorker, [
            bytes.buffer as ArrayBuffer,
          ]);
        }
      }
    } catch (error) {
      failure = error;
      wake();
    } finally {
      feeding = false;
    }
  };
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    if (message.type === "need") {
      requests++;
      feed();
    } else {
      if (message.type === "batch") waiting++;
      arrive(message);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    arrive({ type: "error", message: event.message });
  };
  try {
    worker.postMessage({ type: "start", ...start } satisfies ToWorker);
    for (;;) {
      while (inbox.length === 0 && failure === undefined) {
        await new Promise<void>((resolve) => wake = resolve);
      }
      if (failure !== undefined) throw failure;
      const message = inbox.shift()!;
      if (message.type === "end") {
        ended = true;
        return;
      }
      if (message.type === "error") throw new Error(`elaborazione del flusso: ${message.message}`);
      if (message.type === "batch") {
        waiting--;
        feed();
        yield message.batch;
      }
    }
  } finally {
    if (!given || !ended) worker.terminate();
    else judgedToEnd.add(worker);
    await source.return?.();
  }
}
