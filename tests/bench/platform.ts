/**
 * Platform benchmarks: a page render (layout only) served by the real
 * server process under a concurrent load generator, and job-queue
 * throughput (empty jobs claimed and completed per second by 2 workers).
 * @module
 */
import type { Sql } from "../../modules/platform/db.ts";
import { JobQueue } from "../../modules/platform/jobs.ts";
import { migrate } from "../../modules/platform/migrate.ts";
import { startServer } from "../_process.ts";

/** A line of the benchmark report. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  detail?: string;
}

/** Requests/second for `/informazioni` served by `main.ts` (ROLE=web) on the given database. */
export async function benchPageRender(
  databaseUrl: string | undefined,
  seconds = 5,
  concurrency = 16,
): Promise<Figure> {
  const dataDir = await Deno.makeTempDir({ prefix: "siuss-bench-" });
  const server = await startServer({
    ROLE: "web",
    DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const url = `http://127.0.0.1:${server.port}/informazioni`;
  try {
    for (let i = 0; i < 200; i++) await (await fetch(url)).arrayBuffer(); // warm-up
    const latencies: number[] = [];
    const until = performance.now() + seconds * 1000;
    const start = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        const res = await fetch(url, { headers: { "Accept-Encoding": "gzip" } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        latencies.push(performance.now() - t);
      }
    }));
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.floor(latencies.length * q)].toFixed(1);
    return {
      name: "pagina (solo layout) servita",
      value: Math.round(latencies.length / elapsed),
      unit: "richieste/s",
      detail: `${concurrency} client concorrenti, p50 ${p(0.5)} ms, p95 ${p(0.95)} ms`,
    };
  } finally {
    await server.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** Empty jobs claimed and completed per second by 2 workers. */
export async function benchJobQueue(sql: Sql, jobs = 3000): Promise<Figure> {
  await migrate(sql);
  await sql`insert into jobs (kind) select 'bench.empty' from generate_series(1, ${jobs})`;
  const queue = new JobQueue(sql);
  const handlers = { "bench.empty": () => Promise.resolve(null) };
  const workers = ["a", "b"].map((name) => queue.worker({ name, handlers, pollMs: 5 }));
  const start = performance.now();
  workers.forEach((w) => w.start());
  for (;;) {
    const [{ n }] = await sql`select count(*) as n from jobs where state = 'succeeded'`;
    if (n === jobs) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const elapsed = (performance.now() - start) / 1000;
  await Promise.all(workers.map((w) => w.stop()));
  return {
    name: "job vuoti completati (2 worker)",
    value: Math.round(jobs / elapsed),
    unit: "job/s",
    detail: `${jobs} job`,
  };
}
