/**
 * The web shell: middleware shared by every route (request id, logs,
 * compression, security headers, body limit), static files, operations
 * endpoints, the section pages and the error pages.
 *
 * @example
 * ```ts
 * const app = createApp({ config, sql, log, assets, demo: false, migrations });
 * Deno.serve(app.fetch);
 * ```
 * @module
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { compress } from "hono/compress";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import type { Config } from "../config.ts";
import type { Sql } from "../db.ts";
import { type Logger, redact } from "../log.ts";
import { type Migration, pendingMigrations } from "../migrate.ts";
import type { Assets } from "./static_assets.ts";
import { securityHeaders } from "./security_headers.ts";
import { clientIp } from "./client_ip.ts";
import { type AppEnv, render } from "./render.tsx";
import { AccessibilityPage, ErrorPage, HomePage, SectionPage } from "../../../views/pages.tsx";
import { SECTIONS } from "../../../views/sections.ts";

/** What the web shell needs. */
export interface AppDeps {
  config: Pick<Config, "https" | "maxBodyBytes" | "trustProxy">;
  sql: Sql;
  log: Logger;
  assets: Assets;
  demo: boolean;
  migrations: Migration[];
  /** POST routes that stream their body and enforce their own size limit (file uploads). */
  streamedUploads?: readonly string[];
}

/**
 * Builds the application; `install` adds the modules' middleware and routes
 * after the shared middleware and before the fallback section pages.
 */
export function createApp(deps: AppDeps, install?: (app: Hono<AppEnv>) => void): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(requestId({ limitLength: 64 }));
  app.use(async (c, next) => {
    const start = performance.now();
    await next();
    // The path only: query strings may carry personal data (a codice fiscale searched for).
    deps.log.info("richiesta", {
      request_id: c.var.requestId,
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status: c.res.status,
      ms: Math.round((performance.now() - start) * 10) / 10,
    });
  });
  app.use(securityHeaders({ https: deps.config.https }));
  app.use(compress());
  app.use(async (c, next) => {
    c.set("page", { asset: deps.assets.url, demo: deps.demo, path: new URL(c.req.url).pathname });
    c.set("ip", clientIp(c, deps.config.trustProxy));
    await next();
  });
  const limit = bodyLimit({
    maxSize: deps.config.maxBodyBytes,
    onError: () => {
      throw new HTTPException(413);
    },
  });
  const streamed = new Set(deps.streamedUploads ?? []);
  app.use((c, next) =>
    c.req.method === "POST" && streamed.has(c.req.path) ? next() : limit(c, next)
  );

  app.get("/static/*", (c) => {
    const asset = deps.assets.lookup(c.req.path, c.req.header("Accept-Encoding") ?? "");
    return asset ? c.body(asset.body, 200, asset.headers) : c.notFound();
  });

  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/ready", async (c) => {
    try {
      const pending = await pendingMigrations(deps.sql, deps.migrations);
      if (pending.length > 0) return c.json({ status: "not_ready", pending }, 503);
      return c.json({ status: "ready", migrations: deps.migrations.length });
    } catch {
      return c.json({ status: "not_ready", reason: "database non raggiungibile" }, 503);
    }
  });

  install?.(app);
  app.get("/", (c) => render(c, "Pagina iniziale", <HomePage />));
  app.get(
    "/accessibilita",
    (c) => render(c, "Dichiarazione di accessibilità", <AccessibilityPage />),
  );
  for (const section of SECTIONS) {
    app.get(section.path, (c) => render(c, section.title, <SectionPage section={section} />));
  }

  app.notFound((c) =>
    render(
      c,
      "Pagina non trovata",
      <ErrorPage
        title="Pagina non trovata"
        message="L'indirizzo richiesto non corrisponde a nessuna pagina del servizio."
      />,
      404,
    )
  );
  app.onError((error, c) => {
    if (error instanceof HTTPException && error.status < 500) {
      const [title, message] = clientErrors[error.status] ?? clientErrors[400];
      return render(c, title, <ErrorPage title={title} message={message} />, error.status);
    }
    deps.log.error("errore interno", {
      request_id: c.var.requestId,
      path: new URL(c.req.url).pathname,
      error: error.name,
      detail: redact(error.message),
    });
    return render(
      c,
      "Errore del servizio",
      <ErrorPage
        title="Si è verificato un errore"
        message="La richiesta non è stata completata per un errore del servizio. Riprovare tra qualche minuto."
        requestId={c.var.requestId}
      />,
      500,
    );
  });
  return app;
}

const clientErrors: Record<number, [string, string]> = {
  400: ["Richiesta non valida", "La richiesta non è nel formato atteso."],
  403: ["Accesso non consentito", "Il profilo attivo non consente questa operazione."],
  404: [
    "Pagina non trovata",
    "L'indirizzo richiesto non corrisponde a nessuna pagina del servizio.",
  ],
  405: ["Metodo non consentito", "Questa pagina non accetta il tipo di richiesta inviata."],
  413: [
    "Richiesta troppo grande",
    "I dati inviati superano la dimensione massima consentita. Ridurre la dimensione e riprovare.",
  ],
  429: ["Troppe richieste", "Sono state inviate troppe richieste. Attendere e riprovare."],
};
