import assert from "node:assert/strict";
import { ensureCodeTable } from "../../modules/prestazioni/code_table.ts";
import { loadReferenceData } from "../../modules/prestazioni/reference_data.ts";
import { loadRuleContextData } from "../../modules/prestazioni/validation.ts";
import type { JudgedBatch } from "../../modules/trasmissione/judge.ts";
import {
  batchSize,
  idle,
  judgedBatches,
  judgeWorkers,
  MIN_BATCH,
} from "../../modules/trasmissione/judging.ts";
import type { FlowShape } from "../../modules/trasmissione/sources.ts";
import { dbTest } from "../_db.ts";
import { csvOf, rows, xmlOf } from "./_flows.ts";

/** The sizes of the batches of a flow of `total` records, from `done`. */
function sizes(total: number, max: number, done = 0, actual = total): number[] {
  const out: number[] = [];
  while (done < actual) {
    const size = Math.min(batchSize(done, total, max), actual - done);
    out.push(size);
    done += size;
  }
  return out;
}

Deno.test("judging: batches grow to the largest size, then shrink towards the end", () => {
  assert.deepEqual(sizes(100_000, 5000).slice(0, 4), [500, 1000, 3000, 5000]);
  assert.deepEqual(sizes(100_000, 5000).slice(-4), [2750, 1375, 688, 687]);
  assert.equal(sizes(100_000, 5000).reduce((a, b) => a + b), 100_000);
  assert.ok(sizes(100_000, 5000).every((s) => s >= MIN_BATCH && s <= 5000));
  assert.deepEqual(sizes(300, 5000), [300], "a small flow is one batch");
  // A resumed job starts at the size its checkpoint allows.
  assert.equal(sizes(100_000, 5000, 40_000)[0], 5000);
  // A count that fell short of the records: the rest comes in batches of the smallest size.
  assert.deepEqual(sizes(1000, 5000, 0, 2000), [500, 500, 500, 500]);
});

/** The whole buffers of a file, in blocks of `size` bytes, as the repository reads them back. */
async function* blocksOf(text: string, size = 4096): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
}

dbTest(
  "judging: a worker given back after a flow judges the next as a new worker does; one left halfway ends",
  async (_t, db) => {
    await ensureCodeTable(db.sql);
    await loadReferenceData(db.sql);
    const rules = await loadRuleContextData(db.sql);
    const data = rows(300);
    // Some records break rules, so that the batches carry rejected lines too.
    for (const k of [3, 77, 150]) data[k].CodicePrestazione = "Z9.99";
    data[200].CodiceFiscale = "RSSMRA80A01H501X";
    const flows = [
      { text: csvOf(data), shape: { tipo: "PS_PSA_SINA", formato: "csv", encoding: "UTF-8" } },
      {
        text: xmlOf(rows(200, 1000)),
        shape: { tipo: "PS_PSA_SINA", formato: "xml", encoding: "UTF-8" },
      },
    ] as const;
    const startOf = (shape: FlowShape, total: number) => ({
      shape,
      rules,
      skip: 0,
      batchSize: 100,
      total,
      storing: true,
      copyTo: { ente: "H501", acquisizione: "00000000-0000-0000-0000-000000000001" },
    });
    const judgeAll = async (flow: (typeof flows)[number], worker?: Worker) => {
      const out: JudgedBatch[] = [];
      const total = flow.shape.formato === "csv" ? 300 : 200;
      for await (
        const batch of judgedBatches(blocksOf(flow.text), startOf(flow.shape, total), worker)
      ) {
        out.push(batch);
      }
      return out;
    };
    const fresh = [await judgeAll(flows[0]), await judgeAll(flows[1])];
    assert.equal(fresh[0].reduce((n, b) => n + b.rejected, 0), 4);

    const pool = judgeWorkers();
    pool.start();
    try {
      const worker = pool.take();
      for (const k of [0, 1, 0, 1]) {
        assert.deepEqual(await judgeAll(flows[k], worker), fresh[k], `flow ${k}`);
        assert.ok(idle(worker), "judged to its end");
        pool.release(worker);
        assert.equal(pool.take(), worker, "the same worker serves the next flow");
      }
      let terminated = false;
      const terminate = worker.terminate.bind(worker);
      worker.terminate = () => {
        terminated = true;
        terminate();
      };
      for await (
        const _ of judgedBatches(blocksOf(flows[0].text), startOf(flows[0].shape, 300), worker)
      ) break;
      assert.ok(terminated, "a flow left halfway ends its worker");
      assert.ok(!idle(worker), "and it is not given back");
    } finally {
      pool.stop();
    }
  },
);
