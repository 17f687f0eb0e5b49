import assert from "node:assert/strict";
import { dbTest, onServer } from "../_db.ts";
import { spawnDeno } from "../_process.ts";
import { authApp, type Client } from "../auth/_client.ts";
import { csvOf, rows } from "./_flows.ts";

if (!onServer) {
  console.log(
    "saltato: ripresa di un flusso dopo SIGKILL del worker: richiede un server PostgreSQL " +
      "(TEST_DATABASE_URL), perché il worker è un altro processo sullo stesso database",
  );
}

/** `n` records, every 97th with a codice fiscale the schema refuses: a known outcome. */
function flow(n: number, from: number) {
  const data = rows(n, from);
  let bad = 0;
  for (let i = 0; i < n; i += 97) {
    data[i] = { ...data[i], CodiceFiscale: "NONVALIDO" };
    bad++;
  }
  return { csv: csvOf(data), bad };
}

async function upload(client: Client, name: string, csv: string): Promise<number> {
  const res = await client.upload("/trasmissione/flussi", { field: "file", name, content: csv }, {
    modalita: "invio",
  });
  assert.equal(res.status, 303, res.html.slice(0, 300));
  return Number(res.headers.get("Location")!.split("/").at(-1));
}

dbTest(
  "trasmissione: a worker killed with SIGKILL mid-flow loses nothing and stores nothing twice",
  async (_t, db) => {
    const { loggedIn, sql } = await authApp(db, { reference: true });
    const op = await loggedIn("operatore.h501");
    const n = 30_000;
    const { csv, bad } = flow(n, 0);
    const id = await upload(op, "grande.csv", csv);
    const env = {
      DATABASE_URL: db.url,
      ROLE: "worker",
      DEMO: "0",
      JOB_STALE_SECONDS: "2",
      WORKER_CONCURRENCY: "1",
      LOG_LEVEL: "warn",
    };
    const first = spawnDeno("main.ts", env);
    let killedAt = 0;
    for (let i = 0; i < 1200; i++) {
      const [f] = await sql`select posizione from flussi where id = ${id}`;
      if (f.posizione >= 4000) {
        first.process.kill("SIGKILL");
        killedAt = f.posizione;
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    if (!killedAt) first.process.kill("SIGKILL");
    await first.process.status;
    assert.ok(
      killedAt > 0 && killedAt < n,
      `killed mid-flow (at ${killedAt} of ${n}); worker said: ${first.lines.slice(-5).join(" | ")}`,
    );
    const second = spawnDeno("main.ts", env);
    try {
      for (let i = 0; i < 2400; i++) {
        const [f] = await sql`select stato from flussi where id = ${id}`;
        if (f.stato === "ELABORATO") break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      second.process.kill("SIGTERM");
      await second.process.status;
    }
    const [f] = await sql`
      select stato, esito, ricevuti, accettati, scartati, acquisizione_id from flussi where id = ${id}`;
    assert.deepEqual(
      {
        stato: f.stato,
        esito: f.esito,
        ricevuti: f.ricevuti,
        accettati: f.accettati,
        scartati: f.scartati,
      },
      {
        stato: "ELABORATO",
        esito: "OK_CON_SCARTI",
        ricevuti: n,
        accettati: n - bad,
        scartati: bad,
      },
    );
    const [stored] = await sql`
      select count(*) as n, count(distinct protocollo_domanda) as distinti from prestazioni
      where acquisizione_id = ${f.acquisizione_id}`;
    assert.equal(stored.n, n - bad, "every accepted record stored once");
    assert.equal(stored.distinti, n - bad);
    const [lines] = await sql`
      select count(*) as n, count(distinct posizione) as posizioni from flussi_scarti
      where flusso_id = ${id}`;
    assert.equal(lines.n, bad, "one line per rejected record, none repeated");
    assert.equal(lines.posizioni, bad);
  },
  { ignore: !onServer },
);

dbTest("trasmissione: two workers on two flows of different enti", async (_t, db) => {
  const { loggedIn, queue, sql } = await authApp(db, { reference: true });
  const a = await upload(await loggedIn("operatore.h501"), "roma.csv", flow(3000, 0).csv);
  const b = await upload(await loggedIn("operatore.f205"), "milano.csv", flow(3000, 5000).csv);
  const { createTrasmissione } = await import("../../modules/trasmissione/mod.ts");
  const { createAudit } = await import("../../modules/platform/audit.ts");
  const { RuleContextCache } = await import("../../modules/prestazioni/validation.ts");
  const rules = new RuleContextCache(sql);
  const handlers = createTrasmissione({
    sql,
    audit: createAudit(sql),
    queue,
    maxUploadBytes: 1 << 30,
    copy: db.kind === "server",
    rules: () => rules.data(),
  }).jobs;
  const workers = ["w1", "w2"].map((name) => queue.worker({ name, handlers, pollMs: 10 }));
  workers.forEach((w) => w.start());
  try {
    for (let i = 0; i < 1200; i++) {
      const [{ n }] = await sql`select count(*) as n from flussi where stato = 'ELABORATO'`;
      if (n === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
  const flows = await sql`
    select ente_id, esito, accettati, scartati from flussi where id in (${a}, ${b}) order by ente_id`;
  const bad = flow(3000, 0).bad;
  assert.deepEqual(flows.map((f) => ({ ...f })), [
    { ente_id: "F205", esito: "OK_CON_SCARTI", accettati: 3000 - bad, scartati: bad },
    { ente_id: "H501", esito: "OK_CON_SCARTI", accettati: 3000 - bad, scartati: bad },
  ]);
  const perEnte = await sql`select ente_id, count(*) as n from prestazioni group by 1 order by 1`;
  assert.deepEqual(perEnte.map((r) => [r.ente_id, r.n]), [["F205", 3000 - bad], [
    "H501",
    3000 - bad,
  ]]);
});
