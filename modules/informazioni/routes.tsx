/**
 * Routes of the Informazioni section (public) and of the administration of
 * the code-table versions (administrators).
 * @module
 */
import { type Context, Hono } from "hono";
import { stringify } from "csv/sync";
import type { Audit } from "../platform/audit.ts";
import type { Sql } from "../platform/db.ts";
import { isIsoDate } from "../platform/dates.ts";
import { sha256Hex } from "../platform/hash.ts";
import { render } from "../platform/web/render.tsx";
import { type AuthEnv, requireAccess } from "../auth/mod.ts";
import { romeDay } from "../auth/access.ts";
import {
  activateVersion,
  CODE_TABLE_COLUMNS,
  type CodeRow,
  CodeTable,
  createDraft,
  diffTables,
  discardDraft,
  listVersions,
  parseCodeTableCsv,
  versionRows,
} from "../prestazioni/code_table.ts";
import {
  exampleCsv,
  PS_LAYOUT,
  sinbaExampleCsv,
  sinbaLayout,
  sinbaTemplateCsv,
  templateCsv,
} from "../prestazioni/layout.ts";
import { OFFICIAL_DIR } from "../prestazioni/official.ts";
import { RULES } from "../prestazioni/rules.ts";
import { ErrorPage } from "../../views/pages.tsx";
import type { RenderedDocument } from "./manual.ts";
import {
  CodePage,
  DocumentPage,
  InformazioniHome,
  SpecsPage,
  TablePage,
  VersionPage,
  VersionsPage,
} from "./views.tsx";

const DOWNLOADS: Record<string, [string, () => Promise<string> | string]> = {
  "PS_PSA_SINA201812.xsd": [
    "application/xml",
    () => Deno.readTextFile(new URL("PS_PSA_SINA201812.xsd", OFFICIAL_DIR)),
  ],
  "SINBA.xsd": ["application/xml", () => Deno.readTextFile(new URL("SINBA.xsd", OFFICIAL_DIR))],
  "LICENSE-MIT": ["text/plain", () => Deno.readTextFile(new URL("LICENSE-MIT", OFFICIAL_DIR))],
  "api-comuni.yaml": [
    "application/yaml",
    () => Deno.readTextFile(new URL("api-comuni.yaml", OFFICIAL_DIR)),
  ],
  "modello-ps.csv": ["text/csv", templateCsv],
  "esempio-ps.csv": ["text/csv", exampleCsv],
  "modello-sinba.csv": ["text/csv", sinbaTemplateCsv],
  "esempio-sinba.csv": ["text/csv", sinbaExampleCsv],
};

/** The largest code-table file accepted. */
const MAX_TABLE_BYTES = 512 * 1024;

/** Options of the section. */
export interface InformazioniDeps {
  sql: Sql;
  audit: Audit;
  manual: RenderedDocument;
  /** The manual's screenshots, by file name. */
  images: ReadonlyMap<string, Uint8Array<ArrayBuffer>>;
  normativa: RenderedDocument;
  now?: () => Date;
}

/** The section's routes. */
export function informazioniRoutes(deps: InformazioniDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const today = () => romeDay((deps.now ?? (() => new Date()))());

  app.get("/informazioni", (c) => render(c, "Informazioni", <InformazioniHome />));
  app.get(
    "/informazioni/manuale",
    (c) => render(c, "Manuale utente", <DocumentPage title="Manuale utente" doc={deps.manual} />),
  );
  app.get("/informazioni/manuale/immagini/:nome", (c) => {
    const image = deps.images.get(c.req.param("nome"));
    if (!image) return c.notFound();
    return c.body(image, 200, {
      "Content-Type": "image/png",
      "Cache-Control": "public, max-age=86400",
    });
  });
  app.get(
    "/informazioni/normativa",
    (c) => render(c, "Normativa", <DocumentPage title="Normativa" doc={deps.normativa} />),
  );

  const filtered = async (c: Context<AuthEnv>) => {
    const q = (c.req.query("q") ?? "").trim().toLowerCase().slice(0, 100);
    const area = c.req.query("area") ?? "";
    const requested = c.req.query("data") ?? "";
    const data = isIsoDate(requested) ? requested : today();
    const table = await CodeTable.load(deps.sql);
    const version = table.versionAt(data);
    const rows = [...(version?.codes.keys() ?? [])].map((code) => table.code(code, data)).filter((
      r,
    ): r is CodeRow =>
      r !== undefined && (!area || r.macroArea === area) &&
      (!q || r.codice.toLowerCase().includes(q) || r.denominazione.toLowerCase().includes(q))
    ).sort((a, b) => a.codice.localeCompare(b.codice, "it", { numeric: true }));
    return { rows, q, area, data, versionId: version?.id };
  };

  app.get("/informazioni/tabella-prestazioni", async (c) => {
    const f = await filtered(c);
    return render(c, "Tabella delle prestazioni", <TablePage {...f} />);
  });
  app.get("/informazioni/tabella-prestazioni.csv", async (c) => {
    const { rows, data } = await filtered(c);
    const csv = stringify(
      rows.map((r) => [
        r.codice,
        r.denominazione,
        r.macroArea,
        r.validoDal,
        r.validoAl ?? "",
        r.soloPresaInCarico ? "S" : "N",
        r.richiedeDataEvento ? "S" : "N",
        r.fonte ?? "",
        r.condizionataIsee === null ? "" : r.condizionataIsee ? "S" : "N",
      ]),
      { delimiter: ";", header: true, columns: [...CODE_TABLE_COLUMNS, "condizionata_isee"] },
    );
    return c.body(csv, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="tabella-prestazioni-${data}.csv"`,
    });
  });
  app.get("/informazioni/tabella-prestazioni.json", async (c) => {
    const { rows, data, versionId } = await filtered(c);
    c.header("Content-Disposition", `attachment; filename="tabella-prestazioni-${data}.json"`);
    return c.json({ data, versione: versionId, codici: rows });
  });
  app.get("/informazioni/tabella-prestazioni/:codice", async (c) => {
    const codice = c.req.param("codice");
    const versions = (await listVersions(deps.sql)).filter((v) => v.stato === "attiva");
    const found = [];
    for (const version of versions) {
      const row = (await versionRows(deps.sql, version.id)).find((r) => r.codice === codice);
      if (row) found.push({ version, row });
    }
    if (found.length === 0) return c.notFound();
    return render(c, codice, <CodePage codice={codice} versions={found} />);
  });

  app.get(
    "/informazioni/specifiche",
    (c) =>
      render(
        c,
        "Specifiche tecniche",
        <SpecsPage layout={PS_LAYOUT} sinba={sinbaLayout()} rules={RULES} />,
      ),
  );
  app.get("/informazioni/specifiche/:file", async (c) => {
    const entry = DOWNLOADS[c.req.param("file")];
    if (!entry) return c.notFound();
    return c.body(await entry[1](), 200, {
      "Content-Type": `${entry[0]}; charset=utf-8`,
      "Content-Disposition": `attachment; filename="${c.req.param("file")}"`,
    });
  });

  // ---- Administration of the table versions ----
  const admin = requireAccess(["amministrazione"], deps.audit);
  app.use("/amministrazione/tabella-prestazioni", admin);
  app.use("/amministrazione/tabella-prestazioni/*", admin);
  const record = (
    c: Context<AuthEnv>,
    action: string,
    object: string,
    details?: Record<string, unknown>,
  ) =>
    deps.audit.record({
      actor: c.var.auth!.user.username,
      action,
      object,
      details,
      ip: c.var.ip,
      requestId: c.var.requestId,
    });
  const versionsPage = async (
    c: Context<AuthEnv>,
    extra: { errors?: string[]; notice?: string } = {},
  ) =>
    render(
      c,
      extra.errors ? "Errore: Versioni della tabella" : "Versioni della tabella",
      <VersionsPage
        versions={await listVersions(deps.sql)}
        csrf={c.var.auth!.session.csrfToken}
        {...extra}
      />,
      extra.errors ? 422 : 200,
    );
  const notices: Record<string, string> = {
    attivata: "Versione attivata.",
    scartata: "Bozza scartata.",
  };

  app.get(
    "/amministrazione/tabella-prestazioni",
    (c) => versionsPage(c, { notice: notices[c.req.query("esito") ?? ""] }),
  );

  app.post("/amministrazione/tabella-prestazioni", async (c) => {
    const file = (await c.req.parseBody()).file;
    if (!(file instanceof File) || file.size === 0) {
      return versionsPage(c, { errors: ["Scegliere il file CSV della tabella."] });
    }
    if (file.size > MAX_TABLE_BYTES) {
      return versionsPage(c, {
        errors: ["Il file supera i 512 KB: non è una tabella delle prestazioni."],
      });
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return versionsPage(c, { errors: ["Il file non è in codifica UTF-8."] });
    }
    const parsed = parseCodeTableCsv(text);
    if (!parsed.ok) return versionsPage(c, { errors: parsed.errors });
    const id = await createDraft(deps.sql, parsed.rows, {
      fonte: file.name.slice(0, 200),
      sha256: await sha256Hex(bytes),
      caricataDa: c.var.auth!.user.username,
    });
    await record(c, "tabella.caricamento", String(id), { codici: parsed.rows.length });
    return c.redirect(`/amministrazione/tabella-prestazioni/${id}`, 303);
  });

  const versionPage = async (c: Context<AuthEnv>, error?: string) => {
    const id = Number(c.req.param("id"));
    const version = (await listVersions(deps.sql)).find((v) => v.id === id);
    if (!version) {
      return render(
        c,
        "Pagina non trovata",
        <ErrorPage title="Pagina non trovata" message="La versione non esiste." />,
        404,
      );
    }
    const table = await CodeTable.load(deps.sql);
    const current = [...(table.versionAt(today())?.codes.values() ?? [])];
    return render(
      c,
      `${error ? "Errore: " : ""}Versione ${id} della tabella`,
      <VersionPage
        version={version}
        diff={diffTables(current, await versionRows(deps.sql, id))}
        csrf={c.var.auth!.session.csrfToken}
        today={today()}
        error={error}
      />,
      error ? 422 : 200,
    );
  };
  app.get("/amministrazione/tabella-prestazioni/:id", (c) => versionPage(c));

  app.post("/amministrazione/tabella-prestazioni/:id/attiva", async (c) => {
    const id = Number(c.req.param("id"));
    const date = String((await c.req.parseBody()).valida_dal ?? "");
    if (!isIsoDate(date)) {
      return versionPage(c, "Indicare la data dalla quale applicare la versione (AAAA-MM-GG).");
    }
    if (!await activateVersion(deps.sql, id, date, c.var.auth!.user.username)) {
      return versionPage(c, "Solo una bozza può essere attivata.");
    }
    await record(c, "tabella.attivazione", String(id), { valida_dal: date });
    return c.redirect("/amministrazione/tabella-prestazioni?esito=attivata", 303);
  });

  app.post("/amministrazione/tabella-prestazioni/:id/scarta", async (c) => {
    const id = Number(c.req.param("id"));
    if (await discardDraft(deps.sql, id)) await record(c, "tabella.scarto", String(id));
    return c.redirect("/amministrazione/tabella-prestazioni?esito=scartata", 303);
  });

  return app;
}
