/**
 * The Acquisizione section: single entry, cancellation and correction
 * (rettifica) of benefit records, each with a receipt.
 *
 * @example
 * ```ts
 * const acquisizione = await createAcquisizione({ sql, audit });
 * acquisizione.install(app);
 * ```
 * @module
 */
import type { Hono } from "hono";
import type { Audit } from "../platform/audit.ts";
import type { Sql } from "../platform/db.ts";
import type { AppEnv } from "../platform/web/render.tsx";
import { PrestazioniRepo } from "../prestazioni/repo.ts";
import { ReferenceData } from "../prestazioni/reference_data.ts";
import type { RuleContextCache } from "../prestazioni/validation.ts";
import { acquisizioneRoutes } from "./routes.tsx";
import { AcquisizioneService } from "./service.ts";

export { AcquisizioneService, type Operator } from "./service.ts";

/** The section, ready to install. */
export interface Acquisizione {
  service: AcquisizioneService;
  install(app: Hono<AppEnv>): void;
}

/** Builds the section; the pickers' reference data are read once, here. */
export async function createAcquisizione(
  deps: { sql: Sql; audit: Audit; rules?: RuleContextCache; now?: () => Date },
): Promise<Acquisizione> {
  const service = new AcquisizioneService(
    deps.sql,
    deps.audit,
    new PrestazioniRepo(deps.sql),
    deps.rules,
  );
  const [places, regioni] = await Promise.all([
    ReferenceData.load(deps.sql),
    deps.sql<{ codice: string; denominazione: string }[]>`
      select codice, denominazione from regioni order by denominazione`,
  ]);
  const routes = acquisizioneRoutes({ service, places, regioni: [...regioni], now: deps.now });
  return {
    service,
    install(app) {
      app.route("/", routes as unknown as Hono<AppEnv>);
    },
  };
}
