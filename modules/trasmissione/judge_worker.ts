/**
 * The worker that parses and judges flows, one at a time (see `judging.ts`):
 * it asks for a flow's blocks one ahead of its parsing, and sends back
 * batches of judged records. Parsing and the rules are most of a flow's CPU:
 * here they run beside the thread that writes to the database instead of in
 * its way. A flow judged to its end leaves nothing behind: the next `start`
 * begins afresh.
 * @module
 */
/// <reference lib="deno.worker" />
import { ruleContext } from "../prestazioni/validation.ts";
import { BatchBuilder, judge, type JudgedBatch, transferables } from "./judge.ts";
import { batchSize, type FromWorker, type Start, type ToWorker } from "./judging.ts";
import { flowItems } from "./sources.ts";

const post = (message: FromWorker) => self.postMessage(message);
// A batch's encoded lines are handed over, not copied.
const postBatch = (batch: JudgedBatch) =>
  self.postMessage({ type: "batch", batch } satisfies FromWorker, transferables(batch));

// Blocks arrive in order; each request is answered by exactly one message.
const arrivals: ((block: Uint8Array | null) => void)[] = [];
const requestBlock = () =>
  new Promise<Uint8Array | null>((resolve) => {
    arrivals.push(resolve);
    post({ type: "need" });
  });

async function* blocks(): AsyncGenerator<Uint8Array> {
  // One block is always asked for ahead, so that it arrives while this one is parsed.
  let next = requestBlock();
  for (;;) {
    const block = await next;
    if (block === null) return;
    next = requestBlock();
    yield block;
  }
}

async function run(start: Start) {
  try {
    const ctx = ruleContext(start.rules);
    const batch = new BatchBuilder(start);
    let size = batchSize(start.skip, start.total, start.batchSize);
    for await (const items of flowItems(blocks(), start.shape)) {
      for (const item of items) {
        if (item.ordinal <= start.skip) continue;
        batch.add(judge(item, ctx));
        if (batch.size === size) {
          postBatch(batch.take());
          size = batchSize(item.ordinal, start.total, start.batchSize);
        }
      }
    }
    if (batch.size) postBatch(batch.take());
    post({ type: "end" });
  } catch (error) {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "start") run(message);
  else arrivals.shift()?.(message.type === "block" ? message.bytes : null);
};
