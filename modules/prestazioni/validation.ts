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

/**
 * The rule context and the code table in force, kept in memory and reloaded
 * only when the active code-table versions change (an administrator
 * activated one): one cheap query per use instead of a reload.
 */
export class RuleContextCache {
  #current?: { stamp: string; ctx: RuleContext; codes: CodeTable };

  constructor(readonly sql: Sql) {}

  /** The rule context in force. */
  async context(): Promise<RuleContext> {
    return (await this.#load()).ctx;
  }

  /** The code table in force. */
  async codes(): Promise<CodeTable> {
    return (await this.#load()).codes;
  }

  async #load(): Promise<{ stamp: string; ctx: RuleContext; codes: CodeTable }> {
    const [{ stamp }] = await this.sql`
      select coalesce(string_agg(id || ':' || valida_dal, ',' order by id), '') as stamp
      from tabella_versioni where stato = 'attiva'`;
    const cached = this.#current;
    if (cached && cached.stamp === stamp) return cached;
    const [ctx, codes] = await Promise.all([loadRuleContext(this.sql), CodeTable.load(this.sql)]);
    return this.#current = { stamp, ctx, codes };
  }
}
