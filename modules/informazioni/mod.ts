/**
 * The Informazioni section: the user manual, the benefit-code table, the
 * technical specifications and the normativa; and the administration of the
 * code-table versions.
 *
 * @example
 * ```ts
 * const informazioni = await createInformazioni({ sql, audit });
 * informazioni.install(app);
 * ```
 * @module
 */
import type { Hono } from "hono";
import type { Audit } from "../platform/audit.ts";
import type { Sql } from "../platform/db.ts";
import type { AppEnv } from "../platform/web/render.tsx";
import { loadManual, loadManualImages, loadNormativa } from "./manual.ts";
import { informazioniRoutes } from "./routes.tsx";

/** The section, ready to install. */
export interface Informazioni {
  install(app: Hono<AppEnv>): void;
}

/** Builds the section; the manual and the normativa are rendered once, here. */
export async function createInformazioni(
  deps: { sql: Sql; audit: Audit; now?: () => Date },
): Promise<Informazioni> {
  const routes = informazioniRoutes({
    ...deps,
    manual: await loadManual(),
    images: await loadManualImages(),
    normativa: await loadNormativa(),
  });
  return {
    install(app) {
      app.route("/", routes as unknown as Hono<AppEnv>);
    },
  };
}
