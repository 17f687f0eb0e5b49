import assert from "node:assert/strict";
import { parseCodeTableCsv } from "../../modules/prestazioni/code_table.ts";
import { CSV_COLUMNS, fromFlatInput } from "../../modules/prestazioni/record.ts";
import { fromSinbaFlatInput, SINBA_CSV_COLUMNS } from "../../modules/prestazioni/sinba.ts";
import { parse } from "csv/sync";
import { dbTest } from "../_db.ts";
import { authApp } from "../auth/_client.ts";

dbTest(
  "informazioni: the manual has every chapter in its table of contents, printable, without raw HTML",
  async (_t, db) => {
    const { client } = await authApp(db);
    const page = await client().get("/informazioni/manuale");
    assert.equal(page.status, 200);
    for (
      const chapter of [
        "Introduzione",
        "Accesso",
        "Informazioni",
        "Acquisizione",
        "Trasmissione",
        "Consultazione",
        "Strumenti",
        "News",
        "Cooperazione",
        "Regole",
      ]
    ) {
      assert.match(
        page.html,
        new RegExp(`<li><a href="#[a-z0-9-]+">[^<]*${chapter}`, "i"),
        chapter,
      );
    }
    assert.doesNotMatch(page.html, /<script>(?!<\/script>)/);
    assert.match(
      page.html,
      /<a href="#che-cos-e-il-siuss">Che cos'è il SIUSS<\/a>/,
      "titles are escaped once",
    );
    const normativa = await client().get("/informazioni/normativa");
    assert.match(normativa.html, /2017, n\. 147/);
    assert.match(normativa.html, /DM 206\/2014/);
  },
);

dbTest(
  "informazioni: the code table is searchable, filterable by area and date, downloadable",
  async (_t, db) => {
    const { client } = await authApp(db);
    const c = client();
    const all = await c.get("/informazioni/tabella-prestazioni?data=2024-06-01");
    assert.match(all.html, /<p role="status">38 codici/);
    assert.match(
      (await c.get("/informazioni/tabella-prestazioni?q=locazioni&data=2024-06-01")).html,
      /<p role="status">1 codici/,
    );
    assert.match(
      (await c.get("/informazioni/tabella-prestazioni?area=A3&data=2024-06-01")).html,
      /<p role="status">3 codici/,
    );
    const before = await c.get("/informazioni/tabella-prestazioni?data=2021-06-01");
    assert.doesNotMatch(before.html, /A1\.05\.01/, "a code not yet valid at that date");
    const detail = await c.get("/informazioni/tabella-prestazioni/A1.05.01");
    assert.match(detail.html, /Richiede la data dell'evento<\/dt><dd>sì \(regola R11\)/);
    assert.equal((await c.get("/informazioni/tabella-prestazioni/Z9.99")).status, 404);

    const csv = await c.request("/informazioni/tabella-prestazioni.csv?data=2024-06-01");
    assert.match(
      csv.headers.get("Content-Disposition")!,
      /attachment; filename="tabella-prestazioni-2024-06-01\.csv"/,
    );
    const parsed = parseCodeTableCsv(await csv.text());
    assert.ok(parsed.ok, "the download can be uploaded again as a version");
    assert.equal(parsed.rows.length, 38);
    const json = await (await c.request("/informazioni/tabella-prestazioni.json?data=2024-06-01"))
      .json();
    assert.equal(json.codici.length, 38);
    assert.equal(
      json.codici.find((r: { codice: string }) => r.codice === "A2.16").soloPresaInCarico,
      true,
    );
  },
);

dbTest(
  "informazioni: specifications offer the official XSDs, the CSV template and a worked example that parses",
  async (_t, db) => {
    const { client } = await authApp(db);
    const c = client();
    const specs = await c.get("/informazioni/specifiche");
    for (const code of ["R01", "R09", "R16", "W04"]) {
      assert.match(specs.html, new RegExp(`<td>${code}</td>`));
    }
    for (const col of CSV_COLUMNS) assert.ok(specs.html.includes(`<code>${col}</code>`), col);
    const xsd = await (await c.request("/informazioni/specifiche/PS_PSA_SINA201812.xsd")).text();
    assert.equal(
      xsd,
      await Deno.readTextFile(
        new URL("../../modules/prestazioni/data/ufficiali/PS_PSA_SINA201812.xsd", import.meta.url),
      ),
    );
    const template = await (await c.request("/informazioni/specifiche/modello-ps.csv")).text();
    assert.equal(template.trim(), CSV_COLUMNS.join(";"));
    const example: Record<string, string>[] = parse(
      await (await c.request("/informazioni/specifiche/esempio-ps.csv")).text(),
      {
        delimiter: ";",
        columns: true,
      },
    );
    assert.equal(example.length, 3);
    for (const row of example) assert.ok(fromFlatInput(row).ok, JSON.stringify(row));
    assert.equal((await c.request("/informazioni/specifiche/..%2F..%2Fmain.ts")).status, 404);
    assert.match(
      specs.html,
      /<code>IDBeneficiario<\/code><\/td><td>sì<\/td><td>pseudonimo stabile/,
    );
    assert.match(specs.html, /<code>Disabilita<\/code><\/td><td>sì<\/td><td>valori 1, 2<\/td>/);
    const sinba: Record<string, string>[] = parse(
      await (await c.request("/informazioni/specifiche/esempio-sinba.csv")).text(),
      { delimiter: ";", columns: true },
    );
    assert.ok(sinba.length >= 1);
    for (const row of sinba) assert.ok(fromSinbaFlatInput(row).ok, JSON.stringify(row));
    const sinbaTemplate = await (await c.request("/informazioni/specifiche/modello-sinba.csv"))
      .text();
    assert.equal(sinbaTemplate.trim(), SINBA_CSV_COLUMNS.join(";"));
  },
);

const HEADER =
  "codice;denominazione;macro_area;valido_dal;valido_al;solo_presa_in_carico;richiede_data_evento;fonte";

dbTest(
  "informazioni: the administrator uploads, compares and activates a table version",
  async (_t, db) => {
    const { loggedIn, audit } = await authApp(db);
    const admin = await loggedIn("admin");
    const operator = await loggedIn("operatore.h501");
    const current =
      await (await admin.request("/informazioni/tabella-prestazioni.csv?data=2024-06-01")).text();
    const next = current.replace(/^A1\.01;.*\n/m, "") +
      "A1.30;Nuovo contributo regionale per la prova;A1;2026-01-01;;S;N;test;\n";

    assert.equal(
      (await operator.upload("/amministrazione/tabella-prestazioni", {
        field: "file",
        name: "t.csv",
        content: next,
      })).status,
      403,
    );
    const bad = await admin.upload("/amministrazione/tabella-prestazioni", {
      field: "file",
      name: "t.csv",
      content: `${HEADER}\nA1.04;corta;A1;2015-01-01;;N;N;x\n`,
    });
    assert.equal(bad.status, 422);
    assert.match(bad.html, /Riga 2: denominazione: almeno 10 caratteri/);
    const latin1 = await admin.upload("/amministrazione/tabella-prestazioni", {
      field: "file",
      name: "t.csv",
      content: new Uint8Array([0x63, 0xe0, 0x0a]),
    });
    assert.match(latin1.html, /non è in codifica UTF-8/);

    const uploaded = await admin.upload("/amministrazione/tabella-prestazioni", {
      field: "file",
      name: "nuova.csv",
      content: next,
    });
    assert.equal(uploaded.status, 303);
    const draft = await admin.get(uploaded.headers.get("Location")!);
    assert.match(draft.html, /1 codici aggiunti, 0 modificati, 1 ritirati/);
    assert.match(draft.html, /A1\.30 – Nuovo contributo regionale per la prova/);
    const id = uploaded.headers.get("Location")!.split("/").at(-1);
    assert.equal(
      (await admin.get("/informazioni/tabella-prestazioni?data=2026-03-01")).html.includes("A1.30"),
      false,
    );
    const activated = await admin.post(`/amministrazione/tabella-prestazioni/${id}/attiva`, {
      valida_dal: "2026-01-01",
    });
    assert.equal(activated.status, 303);
    const after = await admin.get("/informazioni/tabella-prestazioni?data=2026-03-01");
    assert.match(after.html, /A1\.30/);
    assert.doesNotMatch(after.html, />A1\.01</);
    assert.match(
      (await admin.get("/informazioni/tabella-prestazioni?data=2025-03-01")).html,
      />A1\.01</,
      "the previous version stays in force for earlier dates",
    );
    assert.equal((await audit.recent({ action: "tabella.attivazione" })).length, 1);
  },
);

dbTest("informazioni: every screenshot the manual shows is served", async (_t, db) => {
  const { client } = await authApp(db);
  const c = client();
  const page = await c.get("/informazioni/manuale");
  const sources = [...page.html.matchAll(/<img src="([^"]+)" alt="([^"]+)"/g)];
  assert.ok(sources.length >= 5, "the Acquisizione chapter has its screenshots");
  for (const [, src, alt] of sources) {
    const res = await c.request(src);
    assert.equal(res.status, 200, src);
    assert.equal(res.headers.get("Content-Type"), "image/png");
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.deepEqual([...bytes.slice(1, 4)], [0x50, 0x4e, 0x47], `${src} is a PNG`);
    assert.ok(alt.length > 10, "each screenshot says what it shows");
  }
  assert.equal((await c.request("/informazioni/manuale/immagini/..%2Fmanual.ts")).status, 404);
});
