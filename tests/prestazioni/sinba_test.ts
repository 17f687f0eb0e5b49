import assert from "node:assert/strict";
import { parseStringPromise } from "xml2js";
import { seedIdentityDemo } from "../../modules/auth/demo.ts";
import { officialExampleFlows } from "../../modules/prestazioni/official.ts";
import { ensureCodeTable } from "../../modules/prestazioni/code_table.ts";
import { PrestazioniRepo } from "../../modules/prestazioni/repo.ts";
import {
  checkSinba,
  fromSinbaElement,
  fromSinbaFlatInput,
  SINBA_CSV_COLUMNS,
  type SinbaRecord,
  SinbaRepo,
} from "../../modules/prestazioni/sinba.ts";
import { loadReferenceData } from "../../modules/prestazioni/reference_data.ts";
import { loadRuleContext } from "../../modules/prestazioni/validation.ts";
import { dbTest } from "../_db.ts";
import { fullDocument, random } from "./_corpus_sinba.ts";

type Tree = { Flusso: { SINBA: Record<string, unknown>[] } };

function sampleRecord(): SinbaRecord {
  const doc = fullDocument(random(7)) as Tree;
  const parsed = fromSinbaElement(doc.Flusso.SINBA[0]);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.violations));
  return parsed.record;
}

Deno.test("sinba: the flat and the XML shapes give the same record; INPS's example parses", async () => {
  const record = sampleRecord();
  const flat = Object.fromEntries(
    SINBA_CSV_COLUMNS.map((c) => {
      const v = (record as Record<string, unknown>)[c];
      return [c, Array.isArray(v) ? v.join("|") : v === undefined ? "" : String(v)];
    }),
  );
  const again = fromSinbaFlatInput(flat);
  assert.ok(again.ok);
  assert.deepEqual(again.record, record);

  const [xml] = await officialExampleFlows("SINBA");
  const doc = await parseStringPromise(xml);
  for (const element of doc.Flusso.SINBA) assert.ok(fromSinbaElement(element).ok);
});

Deno.test("sinba: a codice fiscale is never accepted as the minor's pseudonym; bad values are named", () => {
  const record = sampleRecord();
  const flat = { ...record, Prestazioni: record.Prestazioni.join("|"), ComposizioneFamiglia: "9" };
  const cf = fromSinbaFlatInput({ ...flat, IDBeneficiario: "RSSMRA80A01H501U" });
  assert.equal(cf.ok, false);
  const fields = (cf as { violations: { field: string; value: string | null }[] }).violations;
  assert.deepEqual(fields.map((v) => v.field), ["ComposizioneFamiglia", "IDBeneficiario"]);
  assert.equal(fields[1].value, null, "the codice fiscale is not echoed back");
});

dbTest(
  "sinba: stored without any name or codice fiscale; R15, cancel, correct, per-ente isolation, R09",
  async (_t, db) => {
    await seedIdentityDemo(db.sql);
    await ensureCodeTable(db.sql);
    await loadReferenceData(db.sql);
    const columns = await db
      .sql`select column_name from information_schema.columns where table_name = 'sinba_casi'`;
    for (const c of columns.map((r) => r.column_name)) {
      assert.doesNotMatch(c, /fiscale|cognome|^nome$/);
    }

    const repo = new SinbaRepo();
    const acquire = (ente: string) =>
      new PrestazioniRepo(db.sql).newAcquisition(db.sql, ente, {
        canale: "flusso",
        operatore: "x",
      });
    const record = sampleRecord();
    const acq = await acquire("H501");
    const [first, dup] = await repo.insert(db.sql, "H501", acq, [record, record]);
    assert.equal(first.ok, true);
    assert.equal(dup.ok, false);
    assert.equal((dup as { violation: { rule: string } }).violation.rule, "R15");
    const [milan] = await repo.insert(db.sql, "F205", await acquire("F205"), [record]);
    assert.equal(milan.ok, true, "another ente's minor with the same pseudonym is another case");
    const id = (first as { id: number }).id;
    assert.equal(
      await repo.cancel(db.sql, "F205", acq, id),
      false,
      "another ente's case cannot be touched",
    );
    const corrected = await db.sql.begin((tx) =>
      repo.correct(tx, "H501", acq, id, {
        ...record,
        Disabilita: record.Disabilita === "1" ? "2" : "1",
      })
    );
    assert.equal(corrected?.ok, true);
    const [row] = await db.sql`select versione, precedente_id from sinba_casi where id = ${
      (corrected as { id: number }).id
    }`;
    assert.deepEqual({ ...row }, { versione: 2, precedente_id: id });
    assert.equal(await repo.cancel(db.sql, "H501", acq, (corrected as { id: number }).id), true);

    const ctx = await loadRuleContext(db.sql);
    const unknown = checkSinba({ ...record, Prestazioni: ["A9.99"] }, ctx);
    assert.deepEqual(unknown.map((v) => [v.rule, v.value]), [["R09", "A9.99"]]);
  },
);
