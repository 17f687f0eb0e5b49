/**
 * The lookups the rules need, loaded once from the database: the benefit-code
 * table's active versions and the reference data (comuni, foreign states,
 * regions). A flow of 100 000 records then runs the rules with no query per
 * record.
 *
 * @example
 * ```ts
 * const ctx = await loadRuleContext(db.sql);
 * const violations = checkRecord(record, ctx);
 * ```
 * @module
 */
import type { Sql } from "../platform/db.ts";
import { CodeTable } from "./code_table.ts";
import { ReferenceData } from "./reference_data.ts";
import type { RuleContext } from "./rules.ts";

/** Builds the rule context from the database. */
export async function loadRuleContext(sql: Sql): Promise<RuleContext> {
  const [codes, places, regioni] = await Promise.all([
    CodeTable.load(sql),
    ReferenceData.load(sql),
    sql<{ codice: string }[]>`select codice from regioni`,
  ]);
  const regions = new Set(regioni.map((r) => r.codice));
  return {
    code: (codice, date) => codes.code(codice, date),
    regioneExists: (regione) => regions.has(regione),
    comuneInRegione: (istat, regione) => places.comuneByIstat(istat)?.regione === regione,
    birthplaceExists: (belfiore) =>
      places.comuneByBelfiore(belfiore) !== undefined ||
      places.statoEsteroByBelfiore(belfiore) !== undefined,
  };
}
