/**
 * A durable job queue in PostgreSQL: enqueue, claim with `FOR UPDATE SKIP
 * LOCKED`, heartbeat, progress, result, retries with exponential backoff,
 * recovery of jobs whose worker died, cancellation.
 *
 * Every claim gives the job a new lease. Progress, completion and the
 * handler's own writes (through {@linkcode JobContext.assertLease}) are
 * accepted only under the current lease, so a worker that was presumed dead
 * and comes back cannot finish or write for a job another worker took over.
 *
 * @example
 * ```ts
 * const queue = new JobQueue(db.sql, log);
 * const id = await queue.enqueue("email", { to: "x" });
 * const worker = queue.worker({ handlers: { email: async (job) => ({ sent: true }) } });
 * worker.start();
 * await worker.stop();
 * ```
 * @module
 */
import type postgres from "postgres";
import type { Queryable, Sql } from "./db.ts";
import type { Logger } from "./log.ts";

/** A job as stored. */
export interface Job {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  state: "queued" | "running" | "succeeded" | "failed" | "cancelled";
  priority: number;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  worker: string | null;
  heartbeat_at: Date | null;
  progress_done: number;
  progress_total: number | null;
  progress_message: string | null;
  result: unknown;
  last_error: string | null;
  cancel_requested: boolean;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** What a handler receives for the job it runs. */
export interface JobContext {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number;
  /** Aborted on cancellation, on shutdown, or when the lease was lost. */
  signal: AbortSignal;
  /** Records progress (and proves the worker alive); throws if the job was taken away. */
  progress(p: { done: number; total?: number; message?: string }): Promise<void>;
  /**
   * Inside the handler's own transaction `tx`, locks the job row and throws
   * unless this worker still holds the lease: writes committed after it are
   * never made on behalf of a job another worker took over.
   */
  assertLease(tx: Queryable): Promise<void>;
}

/** Runs one kind of job; its return value is stored as the job's result. */
export type JobHandler = (job: JobContext) => Promise<unknown>;

/** Thrown by a handler for a failure that retrying cannot fix. */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

/** Thrown when the worker no longer holds the job's lease. */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

class ShutdownError extends Error {
  override name = "ShutdownError";
}
class CancelledError extends Error {
  override name = "CancelledError";
}

/** Options of {@linkcode JobQueue.enqueue}. */
export interface EnqueueOptions {
  priority?: number;
  maxAttempts?: number;
  runAt?: Date;
  /**
   * Enqueue inside this transaction, atomically with the caller's other
   * writes. The workers of this process are then not woken: they would look
   * before the commit and find nothing, and wait for their next poll. The
   * caller wakes them once committed ({@linkcode JobQueue.wakeWorkers}).
   */
  tx?: Queryable;
}

/** Options of a {@linkcode JobWorker}. */
export interface WorkerOptions {
  handlers: Record<string, JobHandler>;
  /** Jobs run at once by this worker. */
  concurrency?: number;
  /** A running job whose heartbeat is older than this is presumed abandoned. */
  staleSeconds?: number;
  /** How often to look for work when idle. */
  pollMs?: number;
  /** First retry delay; doubled at each attempt, capped at one hour. */
  backoffBaseMs?: number;
  name?: string;
}

/** The queue: enqueues, reads and cancels jobs, and creates workers. */
export class JobQueue {
  #wake = new EventTarget();

  constructor(readonly sql: Sql, readonly log?: Logger) {}

  /** Adds a job and returns its id. */
  async enqueue(
    kind: string,
    payload: Record<string, unknown> = {},
    options: EnqueueOptions = {},
  ): Promise<number> {
    const sql = options.tx ?? this.sql;
    const [row] = await sql`
      insert into jobs (kind, payload, priority, max_attempts, run_at)
      values (${kind}, ${sql.json(payload as postgres.JSONValue)}, ${options.priority ?? 0},
              ${options.maxAttempts ?? 5}, ${options.runAt ?? new Date()})
      returning id`;
    if (!options.tx) this.wakeWorkers();
    return row.id;
  }

  /** Wakes this process's idle workers to look for work now (after a job enqueued by `tx`). */
  wakeWorkers(): void {
    this.#wake.dispatchEvent(new Event("job"));
  }

  /**
   * Makes `kind` a recurring job run every `everySeconds`: queues an
   * occurrence now unless one is already queued. Each occurrence, once
   * ended, queues the next one.
   */
  async scheduleRecurring(kind: string, everySeconds: number): Promise<void> {
    await scheduleNext(this.sql, kind, everySeconds, 0);
    this.wakeWorkers();
  }

  /** The job with this id, if any. */
  async get(id: number): Promise<Job | undefined> {
    const [row] = await this.sql<Job[]>`select * from jobs where id = ${id}`;
    return row;
  }

  /**
   * Cancels a job: a queued one at once, a running one as soon as its worker
   * notices (at its next heartbeat or progress report). False when the job
   * had already ended or does not exist.
   */
  async cancel(id: number): Promise<boolean> {
    const rows = await this.sql`
      update jobs set
        cancel_requested = true,
        state = case when state = 'queued' then 'cancelled' else state end,
        finished_at = case when state = 'queued' then now() else finished_at end
      where id = ${id} and state in ('queued', 'running')
      returning id`;
    return rows.length === 1;
  }

  /** Creates a worker that runs the given handlers; call `start()` on it. */
  worker(options: WorkerOptions): JobWorker {
    return new JobWorker(this.sql, this.#wake, options, this.log);
  }
}

interface Running {
  job: Job & { lease: string };
  controller: AbortController;
  done: Promise<void>;
}

/** Claims and runs jobs until stopped. */
export class JobWorker {
  readonly name: string;
  #running = new Map<number, Running>();
  #active = false;
  #loop?: Promise<void>;
  #nudge?: () => void;
  #timers: ReturnType<typeof setInterval>[] = [];
  readonly #concurrency: number;
  readonly #staleSeconds: number;
  readonly #pollMs: number;
  readonly #backoffBaseMs: number;
  readonly #kinds: string[];

  constructor(
    private sql: Sql,
    private wake: EventTarget,
    private options: WorkerOptions,
    private log?: Logger,
  ) {
    this.name = options.name ?? `${Deno.hostname()}:${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
    this.#concurrency = options.concurrency ?? 1;
    this.#staleSeconds = options.staleSeconds ?? 30;
    this.#pollMs = options.pollMs ?? 500;
    this.#backoffBaseMs = options.backoffBaseMs ?? 5000;
    this.#kinds = Object.keys(options.handlers);
  }

  /** Starts claiming jobs, and recovering the abandoned ones. */
  start(): void {
    if (this.#active) return;
    this.#active = true;
    const onWake = () => this.#nudge?.();
    this.wake.addEventListener("job", onWake);
    const heartbeatMs = Math.max(200, (this.#staleSeconds * 1000) / 3);
    this.#timers.push(setInterval(() => this.#heartbeatAll(), heartbeatMs));
    this.#timers.push(setInterval(() => {
      this.recoverStale().catch((e) => this.#warn("recupero job non riuscito", e));
    }, Math.max(500, (this.#staleSeconds * 1000) / 2)));
    this.#loop = this.#run().finally(() => this.wake.removeEventListener("job", onWake));
  }

  /**
   * Stops claiming, aborts the running handlers and gives their jobs back to
   * the queue (without counting the interrupted attempt), then resolves.
   */
  async stop(): Promise<void> {
    if (!this.#active) return;
    this.#active = false;
    this.#timers.forEach(clearInterval);
    this.#timers = [];
    this.#nudge?.();
    for (const r of this.#running.values()) r.controller.abort(new ShutdownError("arresto"));
    await this.#loop;
    await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  /** Requeues (or fails, when out of attempts) running jobs whose heartbeat is stale. */
  async recoverStale(): Promise<number> {
    const rows = await this.sql`
      update jobs set
        state = case when attempts >= max_attempts then 'failed' else 'queued' end,
        finished_at = case when attempts >= max_attempts then now() else null end,
        lease = null, worker = null, run_at = now(),
        last_error = 'il processo che eseguiva il job ha smesso di rispondere'
      where state = 'running'
        and heartbeat_at < now() - make_interval(secs => ${this.#staleSeconds})
      returning id`;
    if (rows.length > 0) {
      this.log?.warn("job abbandonati ripresi", { count: rows.length, worker: this.name });
      this.wake.dispatchEvent(new Event("job"));
    }
    return rows.length;
  }

  async #run(): Promise<void> {
    while (this.#active) {
      let claimed: Running["job"] | undefined;
      if (this.#running.size < this.#concurrency) {
        try {
          claimed = await this.#claim();
        } catch (error) {
          this.#warn("richiesta di job non riuscita", error);
        }
      }
      if (claimed) {
        this.#execute(claimed);
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#pollMs);
        this.#nudge = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async #claim(): Promise<Running["job"] | undefined> {
    const [job] = await this.sql<Running["job"][]>`
      update jobs set
        state = 'running', lease = gen_random_uuid(), worker = ${this.name},
        attempts = attempts + 1, heartbeat_at = now(), started_at = coalesce(started_at, now())
      where id = (
        select id from jobs
        where state = 'queued' and run_at <= now() and kind = any(${this.#kinds})
        order by priority desc, run_at, id
        for update skip locked
        limit 1)
      returning *`;
    return job;
  }

  #execute(job: Running["job"]): void {
    const controller = new AbortController();
    const context: JobContext = {
      id: job.id,
      kind: job.kind,
      payload: job.payload,
      attempt: job.attempts,
      signal: controller.signal,
      progress: async ({ done, total, message }) => {
        controller.signal.throwIfAborted();
        const [row] = await this.sql`
          update jobs set progress_done = ${done},
            progress_total = coalesce(${total ?? null}, progress_total),
            progress_message = coalesce(${message ?? null}, progress_message),
            heartbeat_at = now()
          where id = ${job.id} and lease = ${job.lease} and state = 'running'
          returning cancel_requested`;
        this.#checkRow(row, controller);
        controller.signal.throwIfAborted();
      },
      assertLease: async (tx) => {
        const [row] = await tx`
          select cancel_requested from jobs
          where id = ${job.id} and lease = ${job.lease} and state = 'running'
          for update`;
        this.#checkRow(row, controller);
        controller.signal.throwIfAborted();
      },
    };
    const done = this.#handle(job, context, controller).finally(() => {
      this.#running.delete(job.id);
      this.#nudge?.();
    });
    this.#running.set(job.id, { job, controller, done });
  }

  #checkRow(row: postgres.Row | undefined, controller: AbortController) {
    if (!row) {
      controller.abort(new LeaseLostError("il job è stato preso in carico da un altro processo"));
    } else if (row.cancel_requested) controller.abort(new CancelledError("annullato"));
  }

  async #handle(job: Running["job"], context: JobContext, controller: AbortController) {
    const handler = this.options.handlers[job.kind];
    try {
      const result = await handler(context);
      controller.signal.throwIfAborted();
      const rows = await this.sql`
        update jobs set state = 'succeeded', result = ${
        this.sql.json((result ?? null) as postgres.JSONValue)
      },
          finished_at = now(), lease = null, heartbeat_at = now()
        where id = ${job.id} and lease = ${job.lease} and state = 'running'
        returning id`;
      if (rows.length === 0) this.log?.warn("esito del job scartato: lease perso", { job: job.id });
      else await this.#recur(job);
    } catch (thrown) {
      const error = controller.signal.aborted ? controller.signal.reason : thrown;
      await this.#settleFailure(job, error).catch((e) =>
        this.#warn("stato del job non salvato", e)
      );
    }
  }

  async #settleFailure(job: Running["job"], error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const owned = this.sql`id = ${job.id} and lease = ${job.lease} and state = 'running'`;
    if (error instanceof LeaseLostError) {
      this.log?.warn("job interrotto: lease perso", { job: job.id });
    } else if (error instanceof ShutdownError) {
      await this.sql`update jobs set state = 'queued', lease = null, worker = null,
        attempts = attempts - 1, run_at = now() where ${owned}`;
    } else if (error instanceof CancelledError) {
      await this.sql`update jobs set state = 'cancelled', lease = null, finished_at = now()
        where ${owned}`;
    } else if (error instanceof PermanentJobError || job.attempts >= job.max_attempts) {
      await this.sql`update jobs set state = 'failed', lease = null, finished_at = now(),
        last_error = ${message} where ${owned}`;
      await this.#recur(job);
      this.log?.error("job fallito", { job: job.id, kind: job.kind, attempts: job.attempts });
    } else {
      const delayMs = Math.min(this.#backoffBaseMs * 2 ** (job.attempts - 1), 3_600_000);
      await this.sql`update jobs set state = 'queued', lease = null, worker = null,
        last_error = ${message}, run_at = now() + make_interval(secs => ${delayMs / 1000})
        where ${owned}`;
      this.log?.warn("job da ritentare", { job: job.id, kind: job.kind, attempts: job.attempts });
    }
  }

  async #recur(job: Job): Promise<void> {
    const every = job.payload.ricorrente;
    if (typeof every === "number") await scheduleNext(this.sql, job.kind, every, every);
  }

  async #heartbeatAll(): Promise<void> {
    for (const { job, controller } of this.#running.values()) {
      try {
        const [row] = await this.sql`
          update jobs set heartbeat_at = now()
          where id = ${job.id} and lease = ${job.lease} and state = 'running'
          returning cancel_requested`;
        this.#checkRow(row, controller);
      } catch (error) {
        this.#warn("heartbeat non riuscito", error);
      }
    }
  }

  #warn(msg: string, error: unknown) {
    this.log?.warn(msg, {
      worker: this.name,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

// The unique index jobs_one_recurring_queued keeps one queued occurrence per recurring kind.
async function scheduleNext(sql: Sql, kind: string, everySeconds: number, delaySeconds: number) {
  await sql`
    insert into jobs (kind, payload, run_at)
    values (${kind}, ${
    sql.json({ ricorrente: everySeconds })
  }, now() + make_interval(secs => ${delaySeconds}))
    on conflict (kind) where state = 'queued' and payload ? 'ricorrente' do nothing`;
}
