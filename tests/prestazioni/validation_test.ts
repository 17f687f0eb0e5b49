import assert from "node:assert/strict";
import { ensureCodeTable } from "../../modules/prestazioni/code_table.ts";
import { exampleCsv } from "../../modules/prestazioni/layout.ts";
import { fromFlatInput } from "../../modules/prestazioni/record.ts";
import { loadReferenceData } from "../../modules/prestazioni/reference_data.ts";
import { checkRecord } from "../../modules/prestazioni/rules.ts";
import { loadRuleContext } from "../../modules/prestazioni/validation.ts";
import { parse } from "csv/sync";
import { dbTest } from "../_db.ts";
import { VALID_ROW } from "./_fixtures.ts";

dbTest("validation: the rules run on the real code table and reference data", async (_t, db) => {
  await ensureCodeTable(db.sql);
  await loadReferenceData(db.sql);
  const ctx = await loadRuleContext(db.sql);
  const rules = (changes: Record<string, string | undefined>) => {
    const parsed = fromFlatInput({ ...VALID_ROW, ...changes });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.violations));
    return checkRecord(parsed.record, ctx).map((v) => `${v.rule}:${v.field}`);
  };
  assert.deepEqual(rules({}), []);
  assert.deepEqual(
    rules({ CodiceRegione: "03", CodiceComune: "015146" }),
    [],
    "Milano in Lombardia",
  );
  assert.deepEqual(
    rules({ CodiceRegione: "12", CodiceComune: "015146" }),
    ["R08:CodiceComune"],
    "Milano is not in Lazio",
  );
  assert.deepEqual(rules({ CodiceComune: "999999" }), ["R08:CodiceComune"]);
  assert.deepEqual(rules({ CodiceRegione: "21" }), ["R08:CodiceRegione"]);
  assert.ok(rules({ LuogoNascita: "Z999" }).includes("W02:LuogoNascita"), "unknown birthplace");
  assert.ok(
    !rules({ LuogoNascita: "Z404" }).includes("W02:LuogoNascita:unknown"),
    "a foreign state is a birthplace",
  );

  const example: Record<string, string>[] = parse(exampleCsv(), { delimiter: ";", columns: true });
  for (const row of example) {
    const parsed = fromFlatInput(row);
    assert.ok(parsed.ok);
    const rejected = checkRecord(parsed.record, ctx).filter((v) => v.level === "scarto");
    assert.deepEqual(rejected, [], `the published example is accepted: ${row.CodiceFiscale}`);
  }
});
