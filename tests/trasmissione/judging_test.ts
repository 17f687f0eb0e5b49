import assert from "node:assert/strict";
import { batchSize, JudgeWorkers, MIN_BATCH } from "../../modules/trasmissione/judging.ts";

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

Deno.test("JudgeWorkers: a worker that fails while kept is dropped, and the next flow starts its own", async () => {
  const dir = await Deno.makeTempDir();
  const script = `${dir}/failing_worker.js`;
  await Deno.writeTextFile(script, "throw new Error('caricamento fallito');\n");
  const spawned: Worker[] = [];
  let errors = 0;
  const judges = new JudgeWorkers(() => {
    const worker = new Worker(new URL(`file://${script}`).href, { type: "module" });
    worker.addEventListener("error", () => errors++);
    spawned.push(worker);
    return worker;
  });
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(done(), "in time");
  };
  try {
    judges.start();
    // Its failure does not end this process (it would end the test run), and it is not kept.
    await until(() => errors === 1);
    const taken = judges.take();
    assert.equal(spawned.length, 2, "a new worker for the flow");
    assert.notEqual(taken, spawned[0]);
    // A flow's own handler answers for its worker, as `judgedBatches` does.
    taken.onerror = (event) => event.preventDefault();
    await until(() => errors === 2);
    judges.done(taken);
    assert.equal(spawned.length, 3, "the next one is started when a flow is done");
    await until(() => errors === 3);
    assert.equal(spawned.length, 3, "a failed worker is not started again by itself");
  } finally {
    judges.stop();
    for (const worker of spawned) worker.terminate();
    await Deno.remove(dir, { recursive: true });
  }
});
