/**
 * `deno task bench`: runs the benchmarks and prints one line per figure.
 * Runs on the PostgreSQL server of `BENCH_DATABASE_URL` when given (the
 * figures then include the server), else on the embedded database.
 * @module
 */
import { benchJobQueue, benchPageRender, type Figure } from "./platform.ts";
import { benchInsert, benchValidation } from "./prestazioni.ts";
import { benchAcquisizione } from "./acquisizione.ts";
import { benchTrasmissione } from "./trasmissione.ts";
import { withDatabase } from "./_db.ts";

const databaseUrl = Deno.env.get("BENCH_DATABASE_URL") || undefined;
console.log(
  `Benchmark su ${
    databaseUrl ? "server PostgreSQL" : "database integrato"
  }, ${navigator.hardwareConcurrency} core`,
);
const figures: Figure[] = [
  await benchPageRender(databaseUrl),
  await withDatabase(databaseUrl, benchJobQueue),
  ...await withDatabase(databaseUrl, (sql) => benchValidation(sql)),
  ...await withDatabase(databaseUrl, (sql) => benchInsert(sql, databaseUrl !== undefined)),
  // The embedded database keeps everything in one WebAssembly heap: a fifth of the volume.
  ...await withDatabase(
    databaseUrl,
    (sql) => benchAcquisizione(sql, databaseUrl ? 1_000_000 : 200_000),
  ),
  ...await benchTrasmissione(databaseUrl),
];
for (const f of figures) {
  console.log(`${f.name}: ${f.value} ${f.unit}${f.detail ? ` (${f.detail})` : ""}`);
}
