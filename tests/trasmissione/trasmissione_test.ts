import assert from "node:assert/strict";
import { parse } from "csv/sync";
import { exampleCsv, sinbaExampleCsv } from "../../modules/prestazioni/layout.ts";
import { dbTest } from "../_db.ts";
import { authApp, type Client } from "../auth/_client.ts";
import { csvOf, rows, windows1252, xmlOf } from "./_flows.ts";

type Fields = Record<string, string>;

/** Uploads a file and returns the flow id the answer points at (or the answer, when not 303). */
async function send(
  client: Client,
  name: string,
  content: string | Uint8Array<ArrayBuffer>,
  fields: Fields = {},
) {
  const res = await client.upload("/trasmissione/flussi", { field: "file", name, content }, {
    modalita: "invio",
    ...fields,
  });
  const id = res.status === 303
    ? Number(res.headers.get("Location")!.match(/^\/trasmissione\/flussi\/(\d+)$/)![1])
    : undefined;
  return Object.assign(res, { id });
}

async function outcome(client: Client, id: number) {
  const res = await client.request(`/trasmissione/flussi/${id}/esito.json`);
  assert.equal(res.status, 200);
  return await res.json();
}

async function scarti(client: Client, id: number): Promise<string[][]> {
  const res = await client.request(`/trasmissione/flussi/${id}/scarti.csv`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("Content-Type")!, /^text\/csv/);
  return parse(await res.text(), { delimiter: ";" });
}

dbTest("trasmissione: CSV flows — encodings, delimiters, every rule, receipts", async (t, db) => {
  const { loggedIn, drain, sql } = await authApp(db, { reference: true });
  const op = await loggedIn("operatore.h501");

  await t.step("a valid CSV in UTF-8 is acquired whole, with a receipt", async () => {
    const res = await send(op, "gennaio.csv", csvOf(rows(50)));
    assert.equal(res.status, 303, res.html.slice(0, 300));
    const page = await op.get(`/trasmissione/flussi/${res.id}`);
    assert.match(page.html, /role="progressbar"/);
    assert.match(page.html, /aria-valuemax="50"/);
    await drain();
    const o = await outcome(op, res.id!);
    assert.deepEqual(
      { ...o, id_acquisizione: typeof o.id_acquisizione, sha256: o.sha256.length },
      {
        stato: "ELABORATO",
        esito: "OK",
        id_acquisizione: "string",
        sha256: 64,
        ricevuti: 50,
        accettati: 50,
        scartati: 0,
        annullati: 0,
        avvisi: o.avvisi,
      },
    );
    const [{ n }] = await sql`
      select count(*) as n from prestazioni where acquisizione_id = ${o.id_acquisizione}`;
    assert.equal(n, 50);
    const done = await op.get(`/trasmissione/flussi/${res.id}`);
    assert.match(done.html, /UTF-8/);
    assert.match(done.html, new RegExp(o.sha256));
    assert.doesNotMatch(done.html, /role="progressbar"/);
  });

  await t.step("the same file again is refused, naming the first flow", async () => {
    const first = (await sql`select id from flussi order by id limit 1`)[0].id;
    const again = await send(op, "copia.csv", csvOf(rows(50)));
    assert.equal(again.status, 409);
    assert.match(again.html, new RegExp(`flusso n\\. ${first}`));
    const [{ n }] = await sql`select count(*) as n from flussi`;
    assert.equal(n, 1, "the copy leaves nothing behind");
  });

  await t.step(
    "Windows-1252 with commas and a BOM-less header is detected and converted",
    async () => {
      const data = rows(3, 100).map((r) => ({ ...r, Cognome: "Città", Nome: "Niccolò" }));
      const res = await send(op, "excel.csv", windows1252(csvOf(data, { delimiter: "," })));
      assert.equal(res.status, 303);
      await drain();
      assert.equal((await outcome(op, res.id!)).accettati, 3);
      const page = await op.get(`/trasmissione/flussi/${res.id}`);
      assert.match(page.html, /Windows-1252 \(convertito in UTF-8\)/);
      assert.match(page.html, /separatore «,»/);
      const [{ cognome }] =
        await sql`select distinct cognome from prestazioni where nome = 'Niccolò'`;
      assert.equal(cognome, "Città");
    },
  );

  await t.step("UTF-8 with BOM and ';'", async () => {
    const res = await send(op, "bom.csv", csvOf(rows(2, 200), { bom: true }));
    assert.equal(res.status, 303);
    await drain();
    assert.equal((await outcome(op, res.id!)).accettati, 2);
    assert.match((await op.get(`/trasmissione/flussi/${res.id}`)).html, /UTF-8 con BOM/);
  });

  await t.step("bad records are rejected one per broken rule; the good ones are kept", async () => {
    const data = rows(8, 300);
    data[0] = { ...data[0], ImportoMensile: "", ImportoQuotaEnte: "" }; // line 2
    data[1] = { ...data[1], CodiceFiscale: "=1+1" }; // line 3: R01 with a formula
    data[2] = { ...data[2], CodicePrestazione: "Z9.99", PresaCarico: "1", AreaUtenza: "" }; // line 4: two rules
    data[3] = { ...data[3], DataErogazionePrestazione: "31/02/2024" }; // line 5: R01
    data[5] = { ...data[4] }; // line 7: R15, the same key as line 6
    const csv = csvOf(data) + "solo;tre;campi\r\n"; // line 10: wrong number of fields
    const res = await send(op, "errori.csv", csv);
    assert.equal(res.status, 303);
    await drain();
    const o = await outcome(op, res.id!);
    assert.equal(o.esito, "OK_CON_SCARTI");
    assert.equal(o.ricevuti, 9);
    assert.equal(o.scartati, 6);
    assert.equal(o.accettati, 3);
    const lines = await scarti(op, res.id!);
    assert.deepEqual(lines[0], ["posizione", "chiave", "regola", "campo", "valore", "messaggio"]);
    const byLine = (n: string) => lines.filter((l) => l[0] === n).map((l) => l[2]);
    assert.ok(byLine("2").length >= 1 && byLine("2").every((r) => r === "R02" || r === "R06"));
    assert.deepEqual(byLine("3"), ["R01"]);
    assert.deepEqual(byLine("4").sort(), ["R07", "R09"]);
    assert.deepEqual(byLine("5"), ["R01"]);
    assert.deepEqual(byLine("7"), ["R15"]);
    assert.deepEqual(byLine("10"), ["R01"]);
    const formula = lines.find((l) => l[0] === "3")!;
    assert.equal(formula[4], "'=1+1", "a formula is neutralised");
    const xml = await (await op.request(`/trasmissione/flussi/${res.id}/scarti.xml`)).text();
    assert.match(xml, /<Scarto posizione="7" [^>]*regola="R15"/);
    const page = await op.get(`/trasmissione/flussi/${res.id}`);
    assert.match(page.html, /Record scartati/);
  });

  await t.step(
    "a multi-line record is placed at its first line; bad lines refuse the flow",
    async () => {
      const data = rows(3, 400);
      data[1] = { ...data[1], Nome: "Anna\nMaria", CodiceFiscale: "NONVALIDO" };
      const res = await send(op, "multiriga.csv", csvOf(data));
      await drain();
      const o = await outcome(op, res.id!);
      assert.equal(o.ricevuti, 3);
      const lines = await scarti(op, res.id!);
      assert.deepEqual([...new Set(lines.slice(1).map((l) => l[0]))], ["3"]);
      const long = csvOf(rows(1, 410)) + "x".repeat(70 * 1024) + "\r\n";
      const refused = await send(op, "lunga.csv", long);
      const page = await op.get(`/trasmissione/flussi/${refused.id}`);
      assert.match(page.html, /Riga 3: Riga più lunga di 64 KB/);
      const blank = await send(op, "vuote.csv", csvOf([]) + "\r\n\r\n  \r\n");
      assert.match(
        (await op.get(`/trasmissione/flussi/${blank.id}`)).html,
        /non contiene righe di dati/,
      );
      const open = await send(op, "aperte.csv", csvOf(rows(1, 420)) + '"non chiuso;\r\n');
      assert.match((await op.get(`/trasmissione/flussi/${open.id}`)).html, /Virgolette aperte/);
    },
  );

  await t.step(
    "cancellations in a flow: an active key is cancelled, a missing one is R16",
    async () => {
      const data: Record<string, string>[] = rows(2, 0).map((r) => ({ ...r, TipoOperazione: "C" }));
      data[1] = { ...data[1], ProtocolloDomanda: "INESISTENTE" };
      const res = await send(op, "annulli.csv", csvOf(data));
      await drain();
      const o = await outcome(op, res.id!);
      assert.equal(o.annullati, 1);
      assert.equal(o.scartati, 1);
      assert.deepEqual((await scarti(op, res.id!)).slice(1).map((l) => [l[0], l[2]]), [[
        "3",
        "R16",
      ]]);
      const [{ stato }] = await sql`
      select stato from prestazioni where protocollo_domanda = ${rows(1, 0)[0].ProtocolloDomanda}`;
      assert.equal(stato, "annullata");
    },
  );

  await t.step(
    "batches written together: duplicates and cancellations across them, in file order",
    async () => {
      // 5 000 records make five batches (500, 1 000, 1 750, 875, 875: see `batchSize`), of
      // which two are written at a time.
      const data = rows(5000, 20_000);
      data[700] = data[300]; // batch 2 repeats a key of batch 1: R15
      data[1600] = { ...data[1000], TipoOperazione: "C" }; // batch 3 cancels a key of batch 2
      data[3300] = data[1000]; // batch 4 inserts it again
      data[3400] = data[1000]; // and repeats it: R15
      const res = await send(op, "lotti.csv", csvOf(data));
      await drain();
      const o = await outcome(op, res.id!);
      assert.deepEqual(
        [o.ricevuti, o.accettati, o.annullati, o.scartati],
        [5000, 4997, 1, 2],
      );
      assert.deepEqual((await scarti(op, res.id!)).slice(1).map((l) => [l[0], l[2]]), [
        ["702", "R15"],
        ["3402", "R15"],
      ]);
      const states = await sql`
        select stato from prestazioni where protocollo_domanda = ${data[1000].ProtocolloDomanda}
        order by id`;
      assert.deepEqual(states.map((r) => r.stato), ["annullata", "attiva"]);
      const [job] = await sql`
        select attempts, state from jobs where (payload ->> 'flusso')::bigint = ${res.id!}`;
      assert.deepEqual([job.attempts, job.state], [1, "succeeded"], "no batch failed on the way");
    },
  );

  await t.step("a dry run stores nothing, and judges duplicates against the register", async () => {
    const before = (await sql`select count(*) as n from prestazioni`)[0].n;
    const data = [...rows(2, 1), ...rows(2, 900)];
    const res = await send(op, "prova.csv", csvOf(data), { modalita: "verifica" });
    await drain();
    const o = await outcome(op, res.id!);
    assert.equal(o.esito, "OK_CON_SCARTI");
    assert.equal(o.id_acquisizione, null);
    assert.equal(o.accettati, 2);
    assert.equal(o.scartati, 2, "rows 1 and 2 are already active: R15");
    assert.equal((await sql`select count(*) as n from prestazioni`)[0].n, before);
    const again = await send(op, "prova.csv", csvOf(data), { modalita: "verifica" });
    assert.equal(again.status, 303, "a dry run never blocks the same file");
  });

  await t.step(
    "all or nothing: one rejection stores nothing; a clean flow is stored whole",
    async () => {
      const before = (await sql`select count(*) as n from prestazioni`)[0].n;
      const data = rows(5, 1000);
      data[3] = { ...data[3], ImportoMensile: "", ImportoPrestazione: "", ImportoQuotaEnte: "" };
      const res = await send(op, "tutto.csv", csvOf(data), { atomico: "1" });
      await drain();
      const o = await outcome(op, res.id!);
      assert.equal(o.stato, "RIFIUTATO");
      assert.equal(o.esito, "RICHIESTA_INVALIDA");
      assert.equal(o.accettati, 0);
      assert.equal((await sql`select count(*) as n from prestazioni`)[0].n, before);
      assert.match((await op.get(`/trasmissione/flussi/${res.id}`)).html, /tutto o niente/);
      const clean = await send(op, "tutto-ok.csv", csvOf(rows(5, 1100)), { atomico: "1" });
      await drain();
      const ok = await outcome(op, clean.id!);
      assert.equal(ok.esito, "OK");
      assert.equal(ok.accettati, 5);
      assert.equal((await sql`select count(*) as n from prestazioni`)[0].n, before + 5);
    },
  );

  await t.step("the published example and a SINBA flow", async () => {
    const ps = await send(op, "esempio.csv", exampleCsv());
    await drain();
    assert.equal((await outcome(op, ps.id!)).stato, "ELABORATO");
    const sinba = await send(op, "sinba.csv", await sinbaExampleCsv());
    await drain();
    const o = await outcome(op, sinba.id!);
    assert.equal(o.stato, "ELABORATO");
    assert.ok(o.ricevuti >= 1);
    // INPS's example is dated 2010, before the codes of the table were in force: R09 only.
    assert.deepEqual([...new Set((await scarti(op, sinba.id!)).slice(1).map((l) => l[2]))], [
      "R09",
    ]);
    assert.match((await op.get(`/trasmissione/flussi/${sinba.id}`)).html, /SINBA/);
  });

  await t.step("the list filters by state and outcome; another ente sees nothing", async () => {
    const list = await op.get("/trasmissione?esito=OK_CON_SCARTI");
    assert.match(list.html, /errori\.csv/);
    assert.doesNotMatch(list.html, /gennaio\.csv/);
    const other = await loggedIn("operatore.f205");
    assert.doesNotMatch((await other.get("/trasmissione")).html, /gennaio\.csv/);
    const [{ id }] = await sql`select id from flussi order by id limit 1`;
    assert.equal((await other.get(`/trasmissione/flussi/${id}`)).status, 404);
    assert.equal((await other.request(`/trasmissione/flussi/${id}/scarti.csv`)).status, 404);
    const reader = await loggedIn("consultatore.h501");
    assert.equal((await reader.get("/trasmissione")).status, 403);
  });
});

dbTest("trasmissione: XML flows, the XSD, and hostile files", async (t, db) => {
  const { loggedIn, drain, sql } = await authApp(db, {
    reference: true,
    maxUploadBytes: 64 * 1024,
  });
  const op = await loggedIn("operatore.h501");
  const refused = async (res: { status: number; id?: number; html: string }, pattern: RegExp) => {
    assert.equal(res.status, 303, res.html.slice(0, 500));
    const o = await outcome(op, res.id!);
    assert.equal(o.stato, "RIFIUTATO");
    assert.equal(o.esito, "RICHIESTA_INVALIDA");
    const page = await op.get(`/trasmissione/flussi/${res.id}`);
    assert.match(page.html, pattern);
    return page;
  };

  await t.step("a valid XML flow: positions are the benefits' ordinals", async () => {
    const data = rows(6, 0);
    data[4] = { ...data[4], CodicePrestazione: "Z9.99" };
    const res = await send(op, "flusso.xml", xmlOf(data));
    assert.equal(res.status, 303, res.html.slice(0, 300));
    await drain();
    const o = await outcome(op, res.id!);
    assert.equal(o.ricevuti, 6);
    assert.equal(o.accettati, 5);
    assert.deepEqual((await scarti(op, res.id!)).slice(1).map((l) => [l[0], l[2]]), [["5", "R09"]]);
    assert.match(
      (await op.get(`/trasmissione/flussi/${res.id}`)).html,
      /H501\.PS\.20240115\.0000001/,
    );
  });

  await t.step("an XSD-invalid element refuses the whole flow, with its line", async () => {
    const xml = xmlOf(rows(3, 10)).replace('Genere="1"', 'Genere="9"');
    const page = await refused(
      await send(op, "invalido.xml", xml),
      /Riga \d+: Beneficiario n\. \d/,
    );
    assert.match(page.html, /Genere/);
    const order = xmlOf(rows(1, 20)).replace(
      /(<Anagrafica [^>]*\/>)(\s*)(<Indirizzo [^>]*\/>)/,
      "$3$2$1",
    );
    await refused(await send(op, "ordine.xml", order), /fuori dall'ordine/);
  });

  await t.step("the ente of the envelope must be the sender (R13)", async () => {
    await refused(await send(op, "altro.xml", xmlOf(rows(1, 30), "F205")), /F205[^<]*\(R13\)/);
  });

  await t.step("DTDs and entities are refused without expanding anything", async () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Flusso xmlns="http://inps.it/Casellario">&lol3;</Flusso>`;
    await refused(await send(op, "lol.xml", laughs), /DTD/);
    const external = `<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Flusso xmlns="http://inps.it/Casellario">&xxe;</Flusso>`;
    const page = await refused(await send(op, "xxe.xml", external), /DTD/);
    assert.doesNotMatch(page.html, /root:/);
    const deep = `<Flusso xmlns="http://inps.it/Casellario">${"<a>".repeat(50)}${
      "</a>".repeat(50)
    }</Flusso>`;
    await refused(await send(op, "deep.xml", deep), /annidati/);
    await refused(
      await send(op, "rotto.xml", xmlOf(rows(2, 40)).slice(0, 600)),
      /non ben formato|Manca|non contiene/,
    );
  });

  await t.step("empty, binary, zip, wrong header, wrong type, too large", async () => {
    const empty = await send(op, "vuoto.csv", "");
    assert.equal(empty.status, 422);
    assert.match(empty.html, /il file è vuoto o manca/);
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 0, 0]);
    await refused(await send(op, "dati.csv", zip), /archivio compresso/);
    await refused(await send(op, "bin.csv", new Uint8Array([65, 0, 66, 10])), /binari/);
    await refused(await send(op, "utf16.csv", new Uint8Array([0xff, 0xfe, 65, 0])), /UTF-16/);
    const missing = csvOf(rows(1, 50)).replace("CodiceFiscale;", "CF;");
    await refused(
      await send(op, "colonne.csv", missing),
      /Colonna CF non prevista[\s\S]*Colonne mancanti[^<]*CodiceFiscale/,
    );
    await refused(await send(op, "tipo.csv", csvOf(rows(1, 60)), { tipo: "SINBA" }), /non SINBA/);
    const big = await send(op, "grande.csv", csvOf(rows(400, 70)));
    assert.equal(big.status, 413);
    assert.match(big.html, /supera la dimensione massima/);
    const [{ n }] =
      await sql`select count(*) as n from flussi_blocchi b join flussi f on f.id = b.flusso_id
      where f.nome_file = 'grande.csv'`;
    assert.equal(n, 0, "nothing of a refused upload is kept");
  });

  await t.step("an upload without the session's token is refused before storing", async () => {
    const form = new FormData();
    form.set("file", new File([csvOf(rows(1, 80))], "x.csv"));
    const res = await op.request("/trasmissione/flussi", {
      method: "POST",
      body: form,
      headers: { "Sec-Fetch-Site": "same-origin" },
    });
    assert.equal(res.status, 403);
    const [{ n }] = await sql`select count(*) as n from flussi where nome_file = 'x.csv'`;
    assert.equal(n, 0);
  });
});
