import assert from "node:assert/strict";
import {
  activateVersion,
  BUNDLED_TABLE,
  CodeTable,
  createDraft,
  diffTables,
  discardDraft,
  ensureCodeTable,
  listVersions,
  parseCodeTableCsv,
  versionRows,
} from "../../modules/prestazioni/code_table.ts";
import type { CodeRow } from "../../modules/prestazioni/code_table.ts";
import { dbTest } from "../_db.ts";

function rows(text: string): CodeRow[] {
  const parsed = parseCodeTableCsv(text);
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  return parsed.rows;
}

const HEADER =
  "codice;denominazione;macro_area;valido_dal;valido_al;solo_presa_in_carico;richiede_data_evento;fonte";

Deno.test("code table: the bundled table is the shared one, and valid", async () => {
  const bundled = await Deno.readTextFile(BUNDLED_TABLE);
  const shared = await Deno.readTextFile(
    new URL("../../../shared/siuss/tabella-prestazioni.csv", import.meta.url),
  )
    .catch(() => undefined);
  if (shared !== undefined) {
    assert.equal(bundled, shared, "modules/prestazioni/data is a copy of shared/siuss");
  }
  const parsed = parseCodeTableCsv(bundled);
  assert.ok(parsed.ok);
  assert.equal(parsed.rows.length, 38);
  const evento = parsed.rows.find((r) => r.codice === "A1.05.01")!;
  assert.equal(evento.richiedeDataEvento, true);
  assert.equal(evento.validoDal, "2022-01-01");
  assert.equal(parsed.rows.find((r) => r.codice === "A2.16")!.soloPresaInCarico, true);
});

Deno.test("code table: a bad CSV is refused with line numbers and reasons", () => {
  const bad = parseCodeTableCsv([
    HEADER,
    "A1.04;Contributi economici;A1;2015-01-01;;N;N;x",
    "A1.04;Contributi economici doppi;A1;2015-01-01;;N;N;x",
    "B9.99;Codice inventato a caso;A4;2015-02-30;;X;N;x",
    "A2.01;Troppo poche colonne",
    "A3.01;Strutture residenziali;A3;2020-01-01;2019-01-01;N;N;x",
  ].join("\n"));
  assert.equal(bad.ok, false);
  const errors = (bad as { errors: string[] }).errors.join("\n");
  assert.match(errors, /Riga 3: codice A1\.04 ripetuto/);
  assert.match(errors, /Riga 4: codice: formato atteso/);
  assert.match(errors, /Riga 4: macro_area: A1, A2 o A3/);
  assert.match(errors, /Riga 4: valido_dal: data non valida/);
  assert.match(errors, /Riga 4: solo_presa_in_carico: indicare S o N/);
  assert.match(errors, /Riga 5: 2 colonne invece di 8/);
  assert.match(errors, /Riga 6: valido_al: precede valido_dal/);
  assert.match(
    (parseCodeTableCsv("a;b\n1;2") as { errors: string[] }).errors[0],
    /mancano le colonne codice/,
  );
});

Deno.test("code table: the diff lists added, changed and retired codes", () => {
  const before = rows(
    [
      HEADER,
      "A1.01;Assegno nucleo familiare;A1;2015-01-01;;N;N;x",
      "A1.02;Assegno di maternità;A1;2015-01-01;;N;N;x",
    ].join("\n"),
  );
  const after = rows(
    [
      HEADER,
      "A1.01;Assegno nucleo familiare;A1;2015-01-01;2025-12-31;N;N;x",
      "A1.03;Carta acquisti ordinaria;A1;2015-01-01;;N;N;x",
    ].join("\n"),
  );
  const d = diffTables(before, after);
  assert.deepEqual(d.added.map((r) => r.codice), ["A1.03"]);
  assert.deepEqual(d.retired.map((r) => r.codice), ["A1.02"]);
  assert.deepEqual(d.changed.map((c) => [c.after.codice, c.fields]), [["A1.01", ["validoAl"]]]);
});

dbTest(
  "code table: versions are kept; R09 uses the version valid at the record's date",
  async (_t, db) => {
    await ensureCodeTable(db.sql);
    await ensureCodeTable(db.sql);
    assert.equal((await listVersions(db.sql)).length, 1, "the bundled table is loaded once");
    let table = await CodeTable.load(db.sql);
    assert.equal(table.code("A1.04", "2024-03-01")?.codice, "A1.04");
    assert.equal(
      table.code("A1.05.01", "2021-12-31"),
      undefined,
      "a record dated before the code's validity",
    );
    assert.equal(table.code("A1.05.01", "2022-01-01")?.richiedeDataEvento, true);
    assert.equal(table.code("Z9.99", "2024-01-01"), undefined);

    const next = rows([
      HEADER,
      "A1.04;Contributi economici a integrazione del reddito;A1;2015-01-01;2025-06-30;N;N;x",
      "A1.30;Nuovo contributo di prova per test;A1;2025-01-01;;S;N;x",
    ].join("\n"));
    const draft = await createDraft(db.sql, next, {
      fonte: "nuova.csv",
      sha256: "x",
      caricataDa: "admin",
    });
    table = await CodeTable.load(db.sql);
    assert.equal(table.code("A1.30", "2025-02-01"), undefined, "a draft applies to nothing");
    assert.equal(await activateVersion(db.sql, draft, "2025-01-01", "admin"), true);
    assert.equal(
      await activateVersion(db.sql, draft, "2025-01-01", "admin"),
      false,
      "only a draft is activated",
    );
    table = await CodeTable.load(db.sql);
    assert.equal(table.code("A1.30", "2025-02-01")?.soloPresaInCarico, true);
    assert.equal(table.code("A1.01", "2025-02-01"), undefined, "retired in the new version");
    assert.equal(
      table.code("A1.01", "2024-12-31")?.codice,
      "A1.01",
      "still valid under the old version",
    );
    assert.equal(table.code("A1.04", "2025-07-01"), undefined, "ended on 2025-06-30");
    assert.equal((await versionRows(db.sql, draft)).length, 2);

    const other = await createDraft(db.sql, next, {
      fonte: "scarto.csv",
      sha256: "y",
      caricataDa: "admin",
    });
    assert.equal(await discardDraft(db.sql, other), true);
    assert.equal(await discardDraft(db.sql, draft), false, "an active version is never deleted");
  },
);
