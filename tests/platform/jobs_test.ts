import assert from "node:assert/strict";
import {
  type Job,
  type JobHandler,
  JobQueue,
  PermanentJobError,
} from "../../modules/platform/jobs.ts";
import { dbTest } from "../_db.ts";
import { spawnDeno } from "../_process.ts";

/** Polls until `predicate` holds for the job, or fails after `timeoutMs`. */
async function waitJob(
  queue: JobQueue,
  id: number,
  predicate: (job: Job) => boolean,
  timeoutMs = 20_000,
): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.get(id);
    if (job && predicate(job)) return job;
    if (Date.now() > until) {
      throw new Error(`job ${id} non arrivato allo stato atteso: ${JSON.stringify(job)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

const fast = { pollMs: 20, backoffBaseMs: 10 };

dbTest("jobs: a job runs once, reports progress and stores its result", async (_t, db) => {
  const queue = new JobQueue(db.sql);
  const worker = queue.worker({
    ...fast,
    handlers: {
      "test.sum": async (job) => {
        await job.progress({ done: 1, total: 2, message: "metà" });
        return { sum: (job.payload.a as number) + (job.payload.b as number), attempt: job.attempt };
      },
    },
  });
  worker.start();
  try {
    const id = await queue.enqueue("test.sum", { a: 2, b: 3 });
    const job = await waitJob(queue, id, (j) => j.state === "succeeded");
    assert.deepEqual(job.result, { sum: 5, attempt: 1 });
    assert.equal(job.attempts, 1);
    assert.equal(job.progress_total, 2);
    assert.equal(job.progress_message, "metà");
    assert.ok(job.finished_at);
  } finally {
    await worker.stop();
  }
});

dbTest(
  "jobs: failures are retried with backoff, then succeed; permanent ones fail at once",
  async (_t, db) => {
    const queue = new JobQueue(db.sql);
    const worker = queue.worker({
      ...fast,
      handlers: {
        "test.flaky": (job) =>
          job.attempt < 3
            ? Promise.reject(new Error(`tentativo ${job.attempt} fallito`))
            : Promise.resolve({ ok: true }),
        "test.broken": () => Promise.reject(new PermanentJobError("dati non validi")),
        "test.always": () => Promise.reject(new Error("sempre")),
      },
    });
    worker.start();
    try {
      const flaky = await queue.enqueue("test.flaky");
      const broken = await queue.enqueue("test.broken");
      const always = await queue.enqueue("test.always", {}, { maxAttempts: 2 });
      const f = await waitJob(queue, flaky, (j) => j.state === "succeeded");
      assert.equal(f.attempts, 3);
      assert.equal(f.last_error, "tentativo 2 fallito");
      const b = await waitJob(queue, broken, (j) => j.state === "failed");
      assert.equal(b.attempts, 1);
      assert.equal(b.last_error, "dati non validi");
      const a = await waitJob(queue, always, (j) => j.state === "failed");
      assert.equal(a.attempts, 2);
    } finally {
      await worker.stop();
    }
  },
);

dbTest("jobs: cancellation of a queued and of a running job", async (_t, db) => {
  const queue = new JobQueue(db.sql);
  let started!: () => void;
  const running = new Promise<void>((r) => started = r);
  const worker = queue.worker({
    ...fast,
    staleSeconds: 1,
    handlers: {
      "test.long": async (job) => {
        started();
        for (let i = 0;; i++) {
          await job.progress({ done: i });
          await new Promise((r) => setTimeout(r, 20));
        }
      },
    },
  });
  const queued = await queue.enqueue("test.long", {}, { runAt: new Date(Date.now() + 3_600_000) });
  assert.equal(await queue.cancel(queued), true);
  assert.equal((await queue.get(queued))?.state, "cancelled");
  assert.equal(await queue.cancel(queued), false, "an ended job cannot be cancelled again");

  worker.start();
  try {
    const id = await queue.enqueue("test.long");
    await running;
    assert.equal(await queue.cancel(id), true);
    const job = await waitJob(queue, id, (j) => j.state === "cancelled");
    assert.ok(job.finished_at);
  } finally {
    await worker.stop();
  }
});

dbTest("jobs: two workers and 200 jobs: each job runs exactly once", async (_t, db) => {
  await db.sql`create table job_runs (job_id bigint not null, worker text not null)`;
  const queue = new JobQueue(db.sql);
  const handler = (name: string): JobHandler => async (job) => {
    await db.sql.begin(async (tx) => {
      await job.assertLease(tx);
      await tx`insert into job_runs values (${job.id}, ${name})`;
    });
  };
  const workers = ["a", "b"].map((name) =>
    queue.worker({ ...fast, name, concurrency: 2, handlers: { "test.once": handler(name) } })
  );
  const ids: number[] = [];
  for (let i = 0; i < 200; i++) ids.push(await queue.enqueue("test.once", { i }));
  workers.forEach((w) => w.start());
  try {
    const until = Date.now() + 60_000;
    for (;;) {
      const [{ n }] = await db.sql`select count(*) as n from jobs where state = 'succeeded'`;
      if (n === 200) break;
      assert.ok(Date.now() < until, `solo ${n} job completati`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
  const [{ runs, distinct }] = await db.sql`
    select count(*) as runs, count(distinct job_id) as distinct from job_runs`;
  assert.equal(runs, 200);
  assert.equal(distinct, 200);
  const perWorker = await db.sql`select worker, count(*) as n from job_runs group by worker`;
  assert.equal(perWorker.length, 2, "both workers took part");
  const [{ attempts }] = await db.sql`select max(attempts) as attempts from jobs`;
  assert.equal(attempts, 1);
});

dbTest(
  "jobs: a stale job is taken over, and the old lease can neither write nor finish",
  async (_t, db) => {
    await db.sql`create table job_runs (job_id bigint not null)`;
    const queue = new JobQueue(db.sql);
    const id = await queue.enqueue("test.stale");
    // A worker claimed it and then stopped answering: its heartbeat is old.
    const [{ lease }] = await db.sql`
    update jobs set state = 'running', lease = gen_random_uuid(), worker = 'morto', attempts = 1,
      heartbeat_at = now() - interval '1 hour' where id = ${id} returning lease`;
    const worker = queue.worker({
      ...fast,
      staleSeconds: 1,
      handlers: {
        "test.stale": async (job) => {
          await db.sql.begin(async (tx) => {
            await job.assertLease(tx);
            await tx`insert into job_runs values (${job.id})`;
          });
          return { by: "nuovo" };
        },
      },
    });
    worker.start();
    try {
      const job = await waitJob(queue, id, (j) => j.state === "succeeded");
      assert.equal(job.attempts, 2);
      assert.deepEqual(job.result, { by: "nuovo" });
    } finally {
      await worker.stop();
    }
    const stale = await db
      .sql`update jobs set state = 'succeeded' where id = ${id} and lease = ${lease} returning id`;
    assert.equal(stale.length, 0, "the old lease matches nothing");
    const [{ n }] = await db.sql`select count(*) as n from job_runs`;
    assert.equal(n, 1);
  },
);

dbTest("jobs: stopping a worker gives its running job back to the queue", async (_t, db) => {
  const queue = new JobQueue(db.sql);
  let started!: () => void;
  const running = new Promise<void>((r) => started = r);
  const worker = queue.worker({
    ...fast,
    handlers: {
      "test.wait": async (job) => {
        started();
        await new Promise((_, reject) =>
          job.signal.addEventListener("abort", () => reject(job.signal.reason))
        );
      },
    },
  });
  worker.start();
  const id = await queue.enqueue("test.wait");
  await running;
  await worker.stop();
  const job = await queue.get(id);
  assert.equal(job?.state, "queued");
  assert.equal(job?.attempts, 0, "the interrupted attempt does not count");
  assert.equal(job?.worker, null);
});

dbTest(
  "jobs: a worker process killed with SIGKILL mid-job: another takes it over, it completes once",
  async (_t, db) => {
    await db.sql`create table job_runs (job_id bigint not null, by text not null)`;
    const queue = new JobQueue(db.sql);
    const id = await queue.enqueue("test.slow");
    const child = spawnDeno("tests/fixtures/job_process.ts", { DATABASE_URL: db.url });
    try {
      await waitJob(queue, id, (j) => j.state === "running" && j.progress_done >= 3, 60_000);
    } finally {
      await child.stop("SIGKILL");
    }
    const survivor = queue.worker({
      ...fast,
      staleSeconds: 1,
      handlers: {
        "test.slow": async (job) => {
          await db.sql.begin(async (tx) => {
            await job.assertLease(tx);
            await tx`insert into job_runs values (${job.id}, 'superstite')`;
          });
          return { by: "superstite" };
        },
      },
    });
    survivor.start();
    try {
      const job = await waitJob(queue, id, (j) => j.state === "succeeded");
      assert.equal(job.attempts, 2);
      assert.deepEqual(job.result, { by: "superstite" });
    } finally {
      await survivor.stop();
    }
    const runs = await db.sql`select by from job_runs`;
    assert.deepEqual(runs.map((r) => r.by), ["superstite"]);
  },
);

dbTest(
  "jobs: a job enqueued in a transaction starts once committed and workers are woken, not at the next poll",
  async (_t, db) => {
    const queue = new JobQueue(db.sql);
    let started = 0;
    const ran = Promise.withResolvers<void>();
    // A worker that would otherwise look for work only once a minute.
    const worker = queue.worker({
      pollMs: 60_000,
      handlers: {
        "test.now": () => {
          started = Date.now();
          ran.resolve();
          return Promise.resolve(null);
        },
      },
    });
    worker.start();
    try {
      // Let the worker's first look (at start) find the queue empty.
      await new Promise((r) => setTimeout(r, 100));
      await db.sql.begin(async (tx) => {
        await queue.enqueue("test.now", {}, { tx });
        // A worker woken now would find nothing: the job is not committed yet.
        await new Promise((r) => setTimeout(r, 100));
      });
      const committed = Date.now();
      queue.wakeWorkers();
      // Well before the next poll, however slow the machine.
      const timeout = setTimeout(() => ran.reject(new Error("job non avviato entro 30 s")), 30_000);
      await ran.promise.finally(() => clearTimeout(timeout));
      assert.ok(started - committed < 30_000, `avviato dopo ${started - committed} ms`);
    } finally {
      await worker.stop();
    }
  },
);
