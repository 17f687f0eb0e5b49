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
import { ReferenceData, type ReferenceRows } from "./reference_data.ts";
import type { RuleContext } from "./rules.ts";

/**
 * What the rule context is made of, as plain data: it can be copied to a
 * worker (the context's lookups are functions, which cannot).
 */
export interface RuleContextData {
  versions: CodeTable["versions"];
  places: ReferenceRows;
  regioni: string[];
}

/** Reads the rule context's data from the database. */
export async function loadRuleContextData(sql: Sql): Promise<RuleContextData> {
  const [codes, places, regioni] = await Promise.all([
    CodeTable.load(sql),
    ReferenceData.rows(sql),
    sql<{ codice: string }[]>`select codice from regioni`,
  ]);
  return { versions: codes.versions, places, regioni: regioni.map((r) => r.codice) };
}

/** The rule context of `data`. */
export function ruleContext(data: RuleContextData): RuleContext {
  const codes = CodeTable.of(data.versions);
  const places = ReferenceData.of(data.places);
  const regions = new Set(data.regioni);
  return {
    code: (codice, date) => codes.code(codice, date),
    regioneExists: (regione) => regions.has(regione),
    comuneInRegione: (istat, regione) => places.comuneByIstat(istat)?.regione === regione,
    birthplaceExists: (belfiore) =>
      places.comuneByBelfiore(belfiore) !== undefined ||
      places.statoEsteroByBelfiore(belfiore) !== undefined,
  };
}

/** Builds the rule context from the database. */
export async function loadRuleContext(sql: Sql): Promise<RuleContext> {
  return ruleContext(await loadRuleContextData(sql));
}

interface Loaded {
  stamp: string;
  data: RuleContextData;
  ctx: RuleContext;
  codes: CodeTable;
}

/**
 * The rule context and the code table in force, kept in memory and reloaded
 * only when the active code-table versions change (an administrator
 * activated one): one cheap query per use instead of a reload.
 */
export class RuleContextCache {
  #current?: Loaded;

  constructor(readonly sql: Sql) {}

  /** The rule context in force. */
  async context(): Promise<RuleContext> {
    return (await this.#load()).ctx;
  }

  /** The code table in force. */
  async codes(): Promise<CodeTable> {
    return (await this.#load()).codes;
  }

  /** The rule context's data in force (see {@linkcode RuleContextData}). */
  async data(): Promise<RuleContextData> {
    return (await this.#load()).data;
  }

  async #load(): Promise<Loaded> {
    const [{ stamp }] = await this.sql`
      select coalesce(string_agg(id || ':' || valida_dal, ',' order by id), '') as stamp
      from tabella_versioni where stato = 'attiva'`;
    const cached = this.#current;
    if (cached && cached.stamp === stamp) return cached;
    const data = await loadRuleContextData(this.sql);
    return this.#current = {
      stamp,
      data,
      ctx: ruleContext(data),
      codes: CodeTable.of(data.versions),
    };
  }
}
