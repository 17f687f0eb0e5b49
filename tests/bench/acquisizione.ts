/**
 * Acquisizione under load, with a large register behind it: a fixture of
 * `records` benefit records (1 000 000 by default) across four enti, then
 * the whole application served over HTTP on this machine and a load
 * generator measuring the form page's first load (bytes, gzip), a valid
 * submit and the codice fiscale check fragment (latency percentiles).
 * @module
 */
import { gzipSync } from "node:zlib";
import type { Sql } from "../../modules/platform/db.ts";
import { migrate } from "../../modules/platform/migrate.ts";
import { authApp } from "../auth/_client.ts";
import { flatRecord } from "./_records.ts";
import type { Figure } from "./platform.ts";

const ENTI = ["H501", "F205", "L219", "ATSRM2"];
const CHUNK = 100_000;

/**
 * Fills the register with `records` records, written by SQL in chunks (one
 * transaction each): the volume of a large region's years, not a test of
 * the insert path (the flow benchmarks measure that).
 */
export async function fillRegister(sql: Sql, records: number): Promise<void> {
  const acquisizioni = new Map<string, string>();
  for (const ente of ENTI) {
    const [{ id }] = await sql`
      insert into acquisizioni (ente_id, canale, operatore) values (${ente}, 'flusso', 'bench')
      returning id`;
    acquisizioni.set(ente, id);
  }
  const address = [{ CodiceNazione: "380", CodiceRegione: "12", CodiceComune: "058091" }];
  for (let from = 1; from <= records; from += CHUNK) {
    const to = Math.min(records, from + CHUNK - 1);
    await sql`
      insert into prestazioni (ente_id, banca, acquisizione_id, codice_fiscale, codice_prestazione,
        protocollo_domanda, data_riferimento, cognome, nome, anno_nascita, luogo_nascita, genere,
        codice_cittadinanza, indirizzi, denominazione_prestazione, presenza_prova_mezzi,
        carattere_prestazione, data_inizio_prestazione, importo_mensile, presa_carico)
      select e.ente, 'PS', e.acq::uuid,
        -- About three records per person, as benefits repeat over the months.
        'FXTBNC' || lpad((g / 3)::text, 10, '0'), 'A1.04', 'B/' || g,
        date '2024-01-01' + (g % 365), 'Cognome' || (g % 997), 'Nome' || (g % 89),
        (1930 + g % 80)::text, 'H501', (1 + g % 2)::text, '380', ${sql.json(address)},
        'Contributi economici a integrazione del reddito familiare', '4', '1',
        date '2024-01-01' + (g % 365), 100 + g % 500, '2'
      from generate_series(${from}::int, ${to}::int) g
      join (select unnest(${ENTI}::text[]) as ente, unnest(${[
      ...acquisizioni.values(),
    ]}::text[]) as acq,
                   generate_series(0, ${ENTI.length - 1}) as n) e on e.n = g % ${ENTI.length}`;
  }
  await sql`analyze prestazioni`;
}

/** Latency percentiles of `n` calls of `call`, `concurrency` at a time. */
async function measure(n: number, concurrency: number, call: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      const t = performance.now();
      await call(i);
      latencies.push(performance.now() - t);
    }
  }));
  latencies.sort((a, b) => a - b);
  const p = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))];
  return { p50: p(0.5), p95: p(0.95) };
}

/** The form's first load, a valid submit and the codice fiscale check, with `records` in the register. */
export async function benchAcquisizione(sql: Sql, records = 1_000_000): Promise<Figure[]> {
  await migrate(sql);
  const started = performance.now();
  const { app, loggedIn } = await authApp({ sql, url: "", kind: "server" }, { reference: true });
  await fillRegister(sql, records);
  const fixtureSeconds = (performance.now() - started) / 1000;

  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    // A session made by the in-process client, then used over HTTP.
    const session = await loggedIn("operatore.h501");
    const cookie = [...session.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(base + path, { headers: { Cookie: cookie, ...headers } });

    // First load: the page and every script and stylesheet it links, as gzip sends them.
    const page = await get("/acquisizione/nuova", { "Accept-Encoding": "gzip" });
    const html = await page.text();
    const csrf = html.match(/name="_csrf" value="([^"]+)"/)![1];
    // fetch() hands bodies over decompressed: each is compressed again here, as gzip sends it.
    let bytes = gzipSync(new TextEncoder().encode(html)).length;
    for (const [, asset] of html.matchAll(/(?:src|href)="(\/static\/[^"]+\.(?:js|css))"/g)) {
      const res = await fetch(base + asset);
      bytes += gzipSync(new Uint8Array(await res.arrayBuffer())).length;
    }

    const post = (path: string, form: Record<string, string>, headers = {}) =>
      fetch(base + path, {
        method: "POST",
        redirect: "manual",
        body: new URLSearchParams({ ...form, _csrf: csrf }),
        headers: {
          Cookie: cookie,
          "Content-Type": "application/x-www-form-urlencoded",
          "Sec-Fetch-Site": "same-origin",
          ...headers,
        },
      });
    for (let i = 0; i < 20; i++) { // warm-up
      await (await post("/acquisizione/modulo/cf", { CodiceFiscale: flatRecord(i).CodiceFiscale }))
        .arrayBuffer();
    }
    const submits = await measure(300, 4, async (i) => {
      const res = await post("/acquisizione/nuova", {
        ...flatRecord(10_000_000 + i),
        _token: crypto.randomUUID(),
        azione: "conferma",
        _avvisi: "W01",
      });
      await res.arrayBuffer();
      if (res.status !== 303) throw new Error(`invio rifiutato: HTTP ${res.status}`);
    });
    const checks = await measure(1000, 4, async (i) => {
      const res = await post("/acquisizione/modulo/cf", {
        CodiceFiscale: flatRecord(10_000_000 + (i % 300)).CodiceFiscale,
      }, { "HX-Request": "true" });
      const fragment = await res.text();
      if (!fragment.includes("già trasmesso")) throw new Error("persona non riconosciuta");
    });
    // The largest fragment: the comuni of Lombardia (1 500), when the region is chosen.
    const fragment = await (await post("/acquisizione/modulo/comune", {
      CodiceNazione: "380",
      CodiceRegione: "03",
    }, { "HX-Request": "true" })).text();
    const fragmentKb = gzipSync(new TextEncoder().encode(fragment)).length / 1024;
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    return [
      {
        name: "modulo Acquisizione, primo caricamento (HTML + CSS + JS, gzip)",
        value: Math.round(bytes / 102.4) / 10,
        unit: "KB",
        detail: `budget 60 KB; registro di ${records} record (preparato in ${
          fixtureSeconds.toFixed(0)
        } s)`,
      },
      {
        name: "frammento più grande (comuni della Lombardia, 1 500), gzip",
        value: Math.round(fragmentKb * 10) / 10,
        unit: "KB",
        detail: "budget dei frammenti 8 KB",
      },
      {
        name: "invio valido del modulo, p95",
        value: Math.round(submits.p95 * 10) / 10,
        unit: "ms",
        detail: `budget 100 ms; p50 ${ms(submits.p50)}; 300 invii, 4 client concorrenti`,
      },
      {
        name: "verifica del codice fiscale (frammento htmx), p95",
        value: Math.round(checks.p95 * 10) / 10,
        unit: "ms",
        detail: `budget 20 ms; p50 ${ms(checks.p50)}; 1000 richieste, 4 client concorrenti`,
      },
    ];
  } finally {
    await server.shutdown();
  }
}
