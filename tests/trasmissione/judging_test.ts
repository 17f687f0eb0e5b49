import assert from "node:assert/strict";
import { batchSize, MIN_BATCH } from "../../modules/trasmissione/judging.ts";

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
