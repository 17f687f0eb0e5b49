/**
 * Trasmissione flussi: a realistic flow of 100 000 records (many
 * beneficiaries, periodic and one-off benefits, some with DSU, some with
 * SINA) as CSV and as XML, each ingested in a process of its own through the
 * upload's stages and the real job, after two warm-up flows (a server as it
 * runs every day: see `_ingest_process.ts`); then, in the same run, `COPY`
 * of the same final rows into a table with the same columns and indexes.
 * Each is measured as COPY is, the best of three: three ingests, each on a
 * fresh schema, against the best of COPY's nine runs (three on the rows of
 * each). And the peak resident memory of the ingesting process for 100 000
 * and 1 000 000 records. Every measured process or COPY starts after a
 * checkpoint (see {@linkcode checkpoint}).
 * @module
 */
import { stringify } from "csv/sync";
import { Builder } from "xml2js";
import { connect } from "../../modules/platform/db.ts";
import {
  CSV_COLUMNS,
  fromFlatInput,
  toBeneficiarioElement,
} from "../../modules/prestazioni/record.ts";
import { NAMESPACE } from "../../modules/prestazioni/xml_tree.ts";
import { bestCopySeconds, checkpoint, COPY_RUNS } from "./_db.ts";
import { flatRecord } from "./_records.ts";
import type { Figure } from "./platform.ts";

const CHUNK = 10_000;
// The V8 heap flags `deno task start` runs the product with, as its task gives them.
const START_V8_FLAGS = (() => {
  const config = JSON.parse(Deno.readTextFileSync(new URL("../../deno.json", import.meta.url)));
  const flags = (config.tasks.start as string).match(/--v8-flags=\S+/)?.[0];
  if (!flags) throw new Error("deno.json: il task start non ha --v8-flags");
  return flags;
})();
// Ingests measured for each format, as COPY is measured: the best of three.
const RUNS = COPY_RUNS;
// Two warm-up flows of other records (numbered far from the measured ones), enough for V8 to
// have optimized the code a flow runs as it runs it every day. After one flow of 10 000, V8
// still made 109 optimizing compilations during the measured XML flow (85 during the CSV one),
// mostly of functions it had never optimized; after 30 000, 41 (34). And a process's second
// flow makes V8 drop most of the scanner's optimized code once (each flow's reader gives it
// handlers of its own); in the third, 28 compilations, 8 of them the scanner's.
const WARM_UP = 15_000;
const WARM_UP_FIRST = [5_000_000, 6_000_000];

/** Writes a CSV flow of generated records `first`…`first + n - 1` to `path`, a chunk at a time. */
export async function writeCsv(path: string, n: number, first = 0): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  try {
    for (let from = 0; from < n; from += CHUNK) {
      const data = Array.from(
        { length: Math.min(CHUNK, n - from) },
        (_, i) => flatRecord(first + from + i),
      );
      const text = stringify(data, {
        delimiter: ";",
        header: from === 0,
        columns: [...CSV_COLUMNS],
        record_delimiter: "\r\n",
      });
      await file.write(encoder.encode(text));
    }
  } finally {
    file.close();
  }
}

/** Writes an XML flow of generated records `first`…`first + n - 1` to `path`, a chunk at a time. */
export async function writeXml(path: string, n: number, first = 0): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  const builder = new Builder({ headless: true, renderOpts: { pretty: false } });
  try {
    await file.write(encoder.encode(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Flusso xmlns="${NAMESPACE}">` +
        `<IdentificazioneFlusso Nome="H501.PS.20240115.0000001"><Ente Codice="H501" ` +
        `Denominazione="Comune di Roma" Indirizzo="H501" CFOperatore="RSSMRA80A01H501U"/>` +
        `</IdentificazioneFlusso>`,
    ));
    for (let from = 0; from < n; from += CHUNK) {
      let text = "";
      for (let i = from; i < Math.min(n, from + CHUNK); i++) {
        const parsed = fromFlatInput(flatRecord(first + i));
        if (!parsed.ok) throw new Error("record generato non valido");
        text += builder.buildObject({ Beneficiario: toBeneficiarioElement(parsed.record) });
      }
      await file.write(encoder.encode(text));
    }
    await file.write(encoder.encode("</Flusso>\n"));
  } finally {
    file.close();
  }
}

interface Run {
  flusso: number;
  records: number;
  accepted: number;
  esito: string;
  seconds: number;
  intakeSeconds: number;
  peakRssMb: number;
  bytes: number;
}

/**
 * Ingests `file` after the flows `warmUp` in a child process, on a fresh schema of the
 * server (or its own embedded database).
 */
async function ingest(
  file: string,
  warmUp: readonly string[],
  databaseUrl: string | undefined,
): Promise<Run & { url?: string }> {
  let url: string | undefined;
  let dataDir: string | undefined;
  const admin = databaseUrl ? connect(databaseUrl, 1) : undefined;
  if (databaseUrl && admin) {
    const schema = `bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await admin.unsafe(`create schema ${schema}`);
    const u = new URL(databaseUrl);
    u.searchParams.set("search_path", schema);
    url = u.toString();
  } else dataDir = await Deno.makeTempDir({ prefix: "siuss-bench-" });
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        START_V8_FLAGS,
        new URL("./_ingest_process.ts", import.meta.url).pathname,
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`ingestione fallita: ${new TextDecoder().decode(out.stderr).slice(-800)}`);
    }
    return new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  };
  try {
    await run("prepare", url ?? dataDir!);
    if (admin) await checkpoint(admin);
    return { ...JSON.parse(await run(file, url ?? dataDir!, ...warmUp)), url };
  } finally {
    await admin?.end();
    if (dataDir) await Deno.remove(dataDir, { recursive: true });
  }
}

async function dropSchema(databaseUrl: string, url: string) {
  const schema = new URL(url).searchParams.get("search_path")!;
  const admin = connect(databaseUrl, 1);
  await admin.unsafe(`drop schema ${schema} cascade`);
  await admin.end();
}

/** COPY of the rows the run's flow stored (see {@linkcode bestCopySeconds}): seconds. */
async function copySeconds(url: string, flusso: number, rows: number): Promise<number> {
  const sql = connect(url, 1);
  try {
    return await bestCopySeconds(sql, { flusso, rows });
  } finally {
    await sql.end();
  }
}

/** The Trasmissione figures. */
export async function benchTrasmissione(
  databaseUrl: string | undefined,
  n = 100_000,
  big = 1_000_000,
): Promise<Figure[]> {
  const dir = await Deno.makeTempDir({ prefix: "siuss-flussi-" });
  const figures: Figure[] = [];
  try {
    const csv = `${dir}/flusso.csv`;
    const xml = `${dir}/flusso.xml`;
    await writeCsv(csv, n);
    await writeXml(xml, n);
    // The warm-up flows hold other records: none of the measured flow's is a duplicate.
    const warm = { CSV: [] as string[], XML: [] as string[] };
    for (const [k, first] of WARM_UP_FIRST.entries()) {
      warm.CSV.push(`${dir}/riscaldamento${k}.csv`);
      warm.XML.push(`${dir}/riscaldamento${k}.xml`);
      await writeCsv(warm.CSV[k], WARM_UP, first);
      await writeXml(warm.XML[k], WARM_UP, first);
    }
    const runs: [string, Run][] = [];
    for (const [format, file, target] of [["CSV", csv, 0.5], ["XML", xml, 0.4]] as const) {
      const measured: Run[] = [];
      let copy = Infinity;
      for (let k = 0; k < RUNS; k++) {
        const run = await ingest(file, warm[format], databaseUrl);
        if (run.accepted !== n) throw new Error(`${format}: accettati ${run.accepted} su ${n}`);
        measured.push(run);
        if (run.url && databaseUrl) {
          copy = Math.min(copy, await copySeconds(run.url, run.flusso, n));
          await dropSchema(databaseUrl, run.url);
        }
      }
      const run = measured.reduce((best, r) => r.seconds < best.seconds ? r : best);
      runs.push([format, run]);
      const rate = n / run.seconds;
      let detail = `${(run.bytes / 1048576).toFixed(0)} MB, esito ${run.esito}; ` +
        `migliore di ${RUNS} (${measured.map((r) => r.seconds.toFixed(2)).join(", ")} s); ` +
        `primo stadio (memorizzazione, SHA-256, controlli${format === "XML" ? ", XSD" : ""}) ` +
        `${run.intakeSeconds.toFixed(1)} s; picco di memoria ${run.peakRssMb} MB`;
      if (copy < Infinity) {
        const copyRate = n / copy;
        detail += `; COPY delle stesse righe ${Math.round(copyRate)} record/s (migliore di ${
          COPY_RUNS * RUNS
        }) → ${(rate / copyRate).toFixed(2)}× COPY (obiettivo ${target}×)`;
      } else {
        detail += "; rapporto con COPY non misurato: COPY non funziona sul database integrato";
      }
      figures.push({
        name: `flusso ${format} di ${n} record: caricamento e acquisizione`,
        value: Math.round(rate),
        unit: "record/s",
        detail,
      });
    }
    await Deno.remove(xml);
    await writeCsv(csv, big);
    const large = await ingest(csv, warm.CSV, databaseUrl);
    if (large.url && databaseUrl) await dropSchema(databaseUrl, large.url);
    const small = runs[0][1].peakRssMb;
    figures.push({
      name: "picco di memoria del processo che acquisisce (CSV)",
      value: large.peakRssMb,
      unit: "MB",
      detail:
        `${big} record: ${large.peakRssMb} MB; ${n} record: ${small} MB → ${
          (large.peakRssMb / small).toFixed(2)
        }× (obiettivo < 1,5× e < 400 MB); ${big} record in ${large.seconds.toFixed(0)} s, ` +
        `${Math.round(big / large.seconds)} record/s`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return figures;
}
