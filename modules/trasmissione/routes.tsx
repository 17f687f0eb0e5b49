/**
 * Routes of the Trasmissione flussi section. Contract (documented in the
 * manual): `POST /trasmissione/flussi` (multipart: `file`, optional `tipo`,
 * `modalita` = `invio`|`verifica`, `atomico` = `1`) answers 303 to
 * `/trasmissione/flussi/{id}`; `GET …/esito.json` gives the outcome;
 * `GET …/scarti.csv` the rejected records, `posizione;chiave;regola;campo;valore;messaggio`.
 * @module
 */
import { type Context, Hono } from "hono";
import { stringify } from "csv/sync";
import { type AuthEnv, csrfRefusal, csrfTokenMatches } from "../auth/mod.ts";
import type { Audit } from "../platform/audit.ts";
import { isIsoDate } from "../platform/dates.ts";
import type { JobQueue } from "../platform/jobs.ts";
import { render } from "../platform/web/render.tsx";
import { pageParam } from "../platform/web/forms.ts";
import type { WorkerPool } from "../platform/worker_pool.ts";
import { NOT_XML_CHAR } from "../prestazioni/xsd_types.ts";
import { ErrorPage } from "../../views/pages.tsx";
import { encodingLabel } from "./encoding.ts";
import { FlowIntake, type Tipo } from "./intake.ts";
import type { Esito, FlowFilters, FlussiRepo, Flusso, Stato } from "./repo.ts";
import { receiveUpload, UploadError } from "./upload.ts";
import { FlowPage, Progress, TrasmissioneHome } from "./views.tsx";

/** What the routes need. */
export interface TrasmissioneDeps {
  flussi: FlussiRepo;
  /** Where an XML upload's inspection worker comes from, and goes back to. */
  inspectors: WorkerPool;
  queue: JobQueue;
  audit: Audit;
  maxUploadBytes: number;
  now?: () => Date;
}

/** The upload route, which streams its body (no body limit, no CSRF middleware buffering). */
export const UPLOAD_PATH = "/trasmissione/flussi";

const TIPI = new Set(["PS_PSA_SINA", "SINBA"]);
const STATI = new Set(["RICEVUTO", "IN_ELABORAZIONE", "ELABORATO", "RIFIUTATO"]);
const ESITI = new Set(["OK", "OK_CON_SCARTI", "RICHIESTA_INVALIDA", "ERRORE_GENERICO"]);

/** A cell of a downloaded CSV that a spreadsheet would run as a formula is made text. */
export function neutralise(cell: string | null): string {
  const v = cell ?? "";
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

// Characters XML cannot carry at all (a rejected value may hold them) become U+FFFD.
const NOT_XML = new RegExp(NOT_XML_CHAR.source, "gu");
const xmlEscape = (s: string) =>
  s.replace(NOT_XML, "\uFFFD").replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );

/** The section's routes. */
export function trasmissioneRoutes(deps: TrasmissioneDeps): Hono<AuthEnv> {
  const { flussi } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono<AuthEnv>();
  const ente = (c: Context<AuthEnv>) => c.var.auth!.active!.enteCodice!;
  const actor = (c: Context<AuthEnv>) => c.var.auth!.user.username;
  const record = (
    c: Context<AuthEnv>,
    action: string,
    object: string,
    details?: Record<string, unknown>,
  ) =>
    deps.audit.record({
      actor: actor(c),
      ente: ente(c),
      action,
      object,
      details,
      ip: c.var.ip,
      requestId: c.var.requestId,
    });
  const maxMb = Math.round(deps.maxUploadBytes / (1024 * 1024));

  const filtersOf = (c: Context<AuthEnv>): FlowFilters => {
    const q = (k: string) => c.req.query(k) ?? "";
    return {
      dal: isIsoDate(q("dal")) ? q("dal") : undefined,
      al: isIsoDate(q("al")) ? q("al") : undefined,
      tipo: TIPI.has(q("tipo")) ? q("tipo") as Tipo : undefined,
      stato: STATI.has(q("stato")) ? q("stato") as Stato : undefined,
      esito: ESITI.has(q("esito")) ? q("esito") as Esito : undefined,
    };
  };
  const home = async (
    c: Context<AuthEnv>,
    extra: { errors?: Record<string, string>; duplicate?: Flusso } = {},
    status: 200 | 400 | 403 | 409 | 413 | 422 = 200,
  ) => {
    const filters = filtersOf(c);
    const query = new URLSearchParams(
      Object.entries(filters).filter(([, v]) => v) as [string, string][],
    ).toString();
    return render(
      c,
      extra.errors ? "Errore: Trasmissione flussi" : "Trasmissione flussi",
      <TrasmissioneHome
        csrf={c.var.auth?.session.csrfToken}
        maxMb={maxMb}
        result={await flussi.list(ente(c), filters, pageParam(c.req.query("pagina")))}
        filters={filters}
        query={query}
        {...extra}
      />,
      status,
    );
  };

  app.get("/trasmissione", (c) => home(c));

  app.post(UPLOAD_PATH, async (c) => {
    const length = Number(c.req.header("Content-Length") ?? "0");
    const tooLarge = () =>
      home(c, {
        errors: {
          file: `Il file supera la dimensione massima di ${maxMb} MB: dividerlo in più flussi.`,
        },
      }, 413);
    // A body announced larger than the limit (plus the form's few fields) is not read at all.
    if (length > deps.maxUploadBytes + 64 * 1024) return tooLarge();
    const state = c.var.auth!;
    let flussoId: number | undefined;
    let intake: FlowIntake | undefined;
    let csrfFailed = false;
    let upload;
    try {
      upload = await receiveUpload(c.req.raw, {
        maxBytes: deps.maxUploadBytes,
        onFile: async (info, chunks, fields) => {
          // The token must come before the file: nothing is stored for a forged request.
          if (!csrfTokenMatches(c, fields._csrf)) {
            csrfFailed = true;
            for await (const _ of chunks) { /* drained */ }
            return;
          }
          flussoId = await flussi.create(ente(c), {
            nomeFile: info.filename.replace(NOT_XML, "") || "senza-nome",
            modalita: fields.modalita === "verifica" ? "verifica" : "invio",
            atomico: fields.atomico === "1",
            operatore: state.user.username,
            cfOperatore: state.user.codiceFiscale,
          });
          intake = new FlowIntake(flussi, { ente: ente(c), flussoId }, deps.inspectors);
          for await (const chunk of chunks) await intake.push(chunk);
        },
      });
    } catch (error) {
      intake?.close();
      if (flussoId !== undefined) await flussi.discard(ente(c), flussoId);
      if (!(error instanceof UploadError)) throw error;
      return home(c, { errors: { file: error.message } }, 400);
    }
    if (csrfFailed) {
      await record(c, "csrf.rifiutata", UPLOAD_PATH);
      return csrfRefusal(c);
    }
    if (upload.tooLarge) {
      intake?.close();
      if (flussoId !== undefined) await flussi.discard(ente(c), flussoId);
      await record(c, "flusso.troppo_grande", UPLOAD_PATH, { byte: intake?.bytes ?? 0 });
      return tooLarge();
    }
    if (flussoId === undefined || !intake || intake.bytes === 0) {
      intake?.close();
      if (flussoId !== undefined) await flussi.discard(ente(c), flussoId);
      return home(c, {
        errors: { file: "Scegliere un file CSV o XML da trasmettere (il file è vuoto o manca)." },
      }, 422);
    }
    const id = flussoId;
    const fields = upload.fields;
    const modalita = fields.modalita === "verifica" ? "verifica" : "invio";
    const atomico = fields.atomico === "1";
    let report;
    try {
      report = await intake.finish(ente(c));
    } catch (error) {
      // The inspection failed (its worker, say): nothing of the upload stays behind.
      intake.close();
      await flussi.discard(ente(c), id);
      throw error;
    }
    const problems = [...report.problems];
    const chosen = fields.tipo;
    if (problems.length === 0 && TIPI.has(chosen ?? "") && report.tipo && chosen !== report.tipo) {
      problems.push({
        riga: 1,
        messaggio: `Il file è un flusso ${report.tipo}, non ${chosen} come indicato.`,
      });
    }
    const codifica = report.encoding.ok ? encodingLabel(report.encoding) : null;
    if (problems.length) {
      await flussi.refuse(ente(c), id, {
        sha256: report.sha256,
        dimensione: report.bytes,
        motivi: problems,
        tipo: report.tipo ?? null,
        formato: report.formato ?? null,
        codifica,
      });
      await record(c, "flusso.rifiutato", String(id), { motivi: problems.length });
      return c.redirect(`/trasmissione/flussi/${id}`, 303);
    }
    if (modalita === "invio") {
      const earlier = await flussi.withSha(ente(c), report.sha256);
      if (earlier) {
        await flussi.discard(ente(c), id);
        await record(c, "flusso.duplicato", String(earlier.id), { sha256: report.sha256 });
        return home(c, { duplicate: earlier }, 409);
      }
    }
    try {
      await flussi.accept(ente(c), id, report, {
        modalita,
        atomico,
        codifica,
        operatore: state.user.username,
        queue: deps.queue,
      });
    } catch (error) {
      // Two uploads of the same file at once: the unique index lets one through.
      if ((error as { code?: string }).code !== "23505") throw error;
      await flussi.discard(ente(c), id);
      const earlier = await flussi.withSha(ente(c), report.sha256);
      return home(c, { duplicate: earlier }, 409);
    }
    await record(c, "flusso.ricevuto", String(id), {
      modalita,
      atomico,
      byte: report.bytes,
      sha256: report.sha256,
    });
    return c.redirect(`/trasmissione/flussi/${id}`, 303);
  });

  const flowOf = async (c: Context<AuthEnv>) => {
    const raw = c.req.param("id") ?? "";
    if (!/^[1-9]\d{0,15}$/.test(raw)) return undefined;
    return await flussi.get(ente(c), Number(raw));
  };
  const notFound = async (c: Context<AuthEnv>) => {
    await record(c, "accesso.fuori_ambito", `flusso:${c.req.param("id")}`);
    return render(
      c,
      "Pagina non trovata",
      <ErrorPage title="Pagina non trovata" message="Il flusso richiesto non esiste." />,
      404,
    );
  };

  app.get("/trasmissione/flussi/:id", async (c) => {
    const flow = await flowOf(c);
    if (!flow) return notFound(c);
    const running = flow.stato === "RICEVUTO" || flow.stato === "IN_ELABORAZIONE";
    if (running) c.set("page", { ...c.var.page, refresh: 5 });
    const scarti = await flussi.scarti(flow.enteId, flow.id, pageParam(c.req.query("pagina")));
    // Audited once the list is final, not at every refresh of a flow in progress.
    if (scarti.total > 0 && !running) await record(c, "flusso.scarti.lettura", String(flow.id));
    return render(c, `Flusso n. ${flow.id}`, <FlowPage flow={flow} scarti={scarti} now={now()} />);
  });

  app.get("/trasmissione/flussi/:id/avanzamento", async (c) => {
    const flow = await flowOf(c);
    if (!flow) return notFound(c);
    const running = flow.stato === "RICEVUTO" || flow.stato === "IN_ELABORAZIONE";
    // The end of the run: the whole page, with the downloads and the rejected records.
    if (!running && c.req.header("HX-Request")) c.header("HX-Refresh", "true");
    return c.html(<Progress flow={flow} now={now()} />);
  });

  app.get("/trasmissione/flussi/:id/esito.json", async (c) => {
    const flow = await flowOf(c);
    if (!flow) return notFound(c);
    return c.json({
      stato: flow.stato,
      esito: flow.esito,
      id_acquisizione: flow.acquisizioneId,
      sha256: flow.sha256,
      ricevuti: flow.ricevuti,
      accettati: flow.accettati,
      scartati: flow.scartati,
      annullati: flow.annullati,
      avvisi: flow.avvisi,
    });
  });

  app.get("/trasmissione/flussi/:id/scarti.csv", async (c) => {
    const flow = await flowOf(c);
    if (!flow) return notFound(c);
    await record(c, "flusso.scarti.download", String(flow.id), { formato: "csv" });
    const encoder = new TextEncoder();
    const pages = flussi.allScarti(flow.enteId, flow.id);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode("posizione;chiave;regola;campo;valore;messaggio\r\n"));
      },
      async pull(controller) {
        const { value, done } = await pages.next();
        if (done) return controller.close();
        controller.enqueue(encoder.encode(stringify(
          value.map((s) => [
            String(s.posizione),
            neutralise(s.chiave),
            s.regola,
            neutralise(s.campo),
            neutralise(s.valore),
            neutralise(s.messaggio),
          ]),
          { delimiter: ";", record_delimiter: "\r\n" },
        )));
      },
    });
    return c.body(body, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="scarti-flusso-${flow.id}.csv"`,
    });
  });

  app.get("/trasmissione/flussi/:id/scarti.xml", async (c) => {
    const flow = await flowOf(c);
    if (!flow) return notFound(c);
    await record(c, "flusso.scarti.download", String(flow.id), { formato: "xml" });
    const encoder = new TextEncoder();
    const pages = flussi.allScarti(flow.enteId, flow.id);
    let closed = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Scarti flusso="${flow.id}" esito="${
            flow.esito ?? ""
          }">\n`,
        ));
      },
      async pull(controller) {
        if (closed) return;
        const { value, done } = await pages.next();
        if (done) {
          closed = true;
          controller.enqueue(encoder.encode("</Scarti>\n"));
          return controller.close();
        }
        controller.enqueue(
          encoder.encode(
            value.map((s) =>
              `  <Scarto posizione="${s.posizione}" chiave="${
                xmlEscape(s.chiave ?? "")
              }" regola="${s.regola}" campo="${xmlEscape(s.campo ?? "")}" valore="${
                xmlEscape(s.valore ?? "")
              }">${xmlEscape(s.messaggio)}</Scarto>\n`
            ).join(""),
          ),
        );
      },
    });
    return c.body(body, 200, {
      "Content-Type": "application/xml; charset=utf-8",
      "Content-Disposition": `attachment; filename="scarti-flusso-${flow.id}.xml"`,
    });
  });

  return app;
}
