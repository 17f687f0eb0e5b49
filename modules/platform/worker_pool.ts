/**
 * Workers of one script kept loaded between the tasks of a process: a task
 * takes the worker kept ready, and gives it back when it ended cleanly, so
 * that the next task finds its code loaded and already compiled by the
 * engine for the work it does (a cold worker spends a tenth of a second
 * loading, and its first records run several times slower). A task that
 * failed, or was left halfway, ends its worker instead: only a worker that
 * answered everything it was asked goes back.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool(() => new Worker(url, { type: "module" }));
 * pool.start();
 * const worker = pool.take();
 * try {
 *   await task(worker);
 *   pool.release(worker);
 * } catch (error) {
 *   pool.discard(worker);
 *   throw error;
 * }
 * ```
 * @module
 */

/** A pool of at most one idle worker, kept only once {@linkcode WorkerPool.start} was called. */
export class WorkerPool {
  #ready?: Worker;
  #keeping = false;

  /** `spawn` starts a new worker of the pool's script. */
  constructor(private readonly spawn: () => Worker) {}

  /** From now on, keeps a worker ready. (A worker kept keeps the process alive: see `stop`.) */
  start(): void {
    this.#keeping = true;
    if (!this.#ready) this.#keep(this.spawn());
  }

  /** A worker for one task: the one kept ready, or else a new one. */
  take(): Worker {
    const worker = this.#ready ?? this.spawn();
    this.#ready = undefined;
    return worker;
  }

  /**
   * Gives back a worker whose task ended cleanly (it waits for no answer
   * and sends none): it is kept for the next task if the pool keeps one and
   * has none, and ended otherwise.
   */
  release(worker: Worker): void {
    if (this.#keeping && !this.#ready) this.#keep(worker);
    else worker.terminate();
  }

  /** Ends the worker of a task that failed or was abandoned; a new one is kept ready instead. */
  discard(worker: Worker): void {
    worker.terminate();
    if (this.#keeping && !this.#ready) this.#keep(this.spawn());
  }

  /** Ends the worker kept ready, and keeps none from now on. */
  stop(): void {
    this.#keeping = false;
    this.#ready?.terminate();
    this.#ready = undefined;
  }

  #keep(worker: Worker) {
    // The last task's handlers go: nothing of it stays reachable from the worker kept.
    worker.onmessage = null;
    worker.onerror = (event) => {
      // Failed while kept (its code did not load): dropped, not started again, so that the next
      // task starts its own and a failure fails that task. Once taken, its task's handler
      // (which replaces this one) answers for it.
      if (this.#ready !== worker) return;
      event.preventDefault();
      this.#ready = undefined;
      worker.terminate();
    };
    this.#ready = worker;
  }
}
