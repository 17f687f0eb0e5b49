import assert from "node:assert/strict";
import { WorkerPool } from "../../modules/platform/worker_pool.ts";

/** A pool of workers of `source`, each counted and each terminate recorded. */
async function poolOf(source: string) {
  const dir = await Deno.makeTempDir();
  const script = `${dir}/worker.js`;
  await Deno.writeTextFile(script, source);
  const spawned: Worker[] = [];
  const terminated = new Set<Worker>();
  let errors = 0;
  const pool = new WorkerPool(() => {
    const worker = new Worker(new URL(`file://${script}`).href, { type: "module" });
    worker.addEventListener("error", () => errors++);
    const terminate = worker.terminate.bind(worker);
    worker.terminate = () => {
      terminated.add(worker);
      terminate();
    };
    spawned.push(worker);
    return worker;
  });
  const cleanup = async () => {
    pool.stop();
    for (const worker of spawned) worker.terminate();
    await Deno.remove(dir, { recursive: true });
  };
  return { pool, spawned, terminated, errors: () => errors, cleanup };
}

const until = async (done: () => boolean) => {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), "in time");
};

Deno.test("WorkerPool: a worker given back is kept for the next task, one at most, only once started", async () => {
  const { pool, spawned, terminated, cleanup } = await poolOf(
    "self.onmessage = (e) => self.postMessage(e.data);\n",
  );
  try {
    // Not started: every task has a new worker, ended when given back.
    const a = pool.take();
    pool.release(a);
    assert.ok(terminated.has(a));
    assert.notEqual(pool.take(), a);
    assert.equal(spawned.length, 2);

    pool.start();
    assert.equal(spawned.length, 3, "one is started ahead");
    const b = pool.take();
    assert.equal(b, spawned[2], "the task takes the one kept ready");
    b.onmessage = () => {};
    pool.release(b);
    assert.equal(b.onmessage, null, "the task's handlers go with it");
    assert.equal(pool.take(), b, "given back, it serves the next task");
    const c = pool.take();
    assert.equal(spawned.length, 4, "none ready: a new one");
    pool.release(b);
    pool.release(c);
    assert.ok(!terminated.has(b) && terminated.has(c), "one is kept, the other ended");
    // The worker kept still works.
    const echoed = new Promise((resolve) => b.onmessage = (e) => resolve(e.data));
    pool.take().postMessage("ciao");
    assert.equal(await echoed, "ciao");

    // A task that failed ends its worker; a new one is kept instead.
    pool.discard(b);
    assert.ok(terminated.has(b));
    assert.equal(spawned.length, 5);
    assert.equal(pool.take(), spawned[4]);
    pool.stop();
    pool.release(spawned[4]);
    assert.ok(terminated.has(spawned[4]), "stopped: nothing is kept");
  } finally {
    await cleanup();
  }
});

Deno.test("WorkerPool: a worker that fails while kept is dropped, and the next task starts its own", async () => {
  const { pool, spawned, errors, cleanup } = await poolOf(
    "throw new Error('caricamento fallito');\n",
  );
  try {
    pool.start();
    // Its failure does not end this process (it would end the test run), and it is not kept.
    await until(() => errors() === 1);
    const taken = pool.take();
    assert.equal(spawned.length, 2, "a new worker for the task");
    assert.notEqual(taken, spawned[0]);
    // A task's own handler answers for its worker, as `judgedBatches` does.
    taken.onerror = (event) => event.preventDefault();
    await until(() => errors() === 2);
    pool.discard(taken);
    assert.equal(spawned.length, 3, "a new one is started when a task failed");
    await until(() => errors() === 3);
    assert.equal(spawned.length, 3, "a failed worker is not started again by itself");
  } finally {
    await cleanup();
  }
});
