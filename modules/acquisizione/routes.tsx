/**
 * Routes of the Acquisizione section. Contract (documented in the manual):
 * the form posts the official attribute names to `POST /acquisizione/nuova`,
 * which answers 303 to `/acquisizione/ricevute/{id_acquisizione}` on success
 * and 422 with the form and its error summary on a rejection.
 * @module
 */
import { type Context, Hono } from "hono";
import { type AuthEnv, can } from "../auth/mod.ts";
import { romeDay } from "../auth/access.ts";
import { render } from "../platform/web/render.tsx";
import { pageParam } from "../platform/web/forms.ts";
import { ErrorPage } from "../../views/pages.tsx";
import { flussoName, flussoXml } from "../prestazioni/flusso_xml.ts";
import type { PsRecord } from "../prestazioni/record.ts";
import type { ReferenceData } from "../prestazioni/reference_data.ts";
import { checkCodiceFiscale, decodeCodiceFiscale } from "../prestazioni/codice_fiscale.ts";
import { fieldErrors, type FormValues, formValues, recordToValues, text } from "./form.ts";
import type { AcquisizioneService, Operator, SubmitOutcome } from "./service.ts";
import type { KnownPerson } from "./repo.ts";
import {
  AcquisizioneHome,
  AnagraficaBlock,
  CancelPage,
  CfStatusContent,
  CodeOptions,
  ComuneBlock,
  DenominazioneBlock,
  DetailPage,
  DsuBlock,
  type FormProps,
  type Lookups,
  type NameOf,
  PeriodoBlock,
  PresaCaricoBlock,
  ReceiptPage,
  RecordForm,
  RegioneBlock,
  ResidenzaBlock,
  SupersededPage,
} from "./views.tsx";

/** What the routes need. */
export interface AcquisizioneDeps {
  service: AcquisizioneService;
  places: ReferenceData;
  regioni: readonly { codice: string; denominazione: string }[];
  now?: () => Date;
}

const TOKEN = /^[A-Za-z0-9-]{16,64}$/;

/** The section's routes. */
export function acquisizioneRoutes(deps: AcquisizioneDeps): Hono<AuthEnv> {
  const { service, places } = deps;
  const now = deps.now ?? (() => new Date());
  const app = new Hono<AuthEnv>();

  const operator = (c: Context<AuthEnv>): Operator => {
    const state = c.var.auth!;
    return {
      ente: state.active!.enteCodice!,
      username: state.user.username,
      codiceFiscale: state.user.codiceFiscale,
      ip: c.var.ip,
      requestId: c.var.requestId,
    };
  };
  const csrf = (c: Context<AuthEnv>) => c.var.auth?.session.csrfToken;
  const nazioni = places.cittadinanze().map((n) => ({
    codice: n.codice,
    denominazione: n.denominazione,
  }));
  const nationNames = new Map(nazioni.map((n) => [n.codice, n.denominazione]));
  const regionNames = new Map(deps.regioni.map((r) => [r.codice, r.denominazione]));
  const nameOf: NameOf = (field, code) => {
    switch (field) {
      case "CodiceCittadinanza":
      case "CodiceSecondaCittadinanza":
      case "CodiceNazione":
        return nationNames.get(code);
      case "CodiceRegione":
        return regionNames.get(code);
      case "CodiceComune":
        return places.comuneByIstat(code)?.denominazione;
      case "LuogoNascita":
        return places.comuneByBelfiore(code)?.denominazione ??
          places.statoEsteroByBelfiore(code)?.denominazione;
    }
  };
  const lookups = async (): Promise<Lookups> => {
    const table = await service.codes();
    const version = table.versionAt(romeDay(now()));
    return {
      regioni: deps.regioni,
      comuni: (regione) => regionNames.has(regione) ? places.comuniOfRegion(regione) : [],
      nazioni,
      codici: [...(version?.codes.values() ?? [])].sort((a, b) => a.codice.localeCompare(b.codice)),
    };
  };
  /**
   * The denomination proposed by the table: filled when empty, and replaced
   * when the code changed and the operator had not edited the text the
   * previous code proposed (`_codice_denominazione` says which code that was).
   */
  const withDenomination = async (values: FormValues): Promise<FormValues> => {
    const code = text(values, "CodicePrestazione");
    if (!code) return values;
    const codes = (await service.codes()).versionAt(romeDay(now()))?.codes;
    const row = codes?.get(code);
    if (!row) return values;
    const previous = codes?.get(text(values, "_codice_denominazione"));
    const current = text(values, "DenominazionePrestazione");
    const untouched = !current || (previous && current === previous.denominazione);
    return {
      ...values,
      DenominazionePrestazione: untouched && code !== previous?.codice
        ? row.denominazione
        : current,
      _codice_denominazione: code,
    };
  };
  const notFound = async (c: Context<AuthEnv>, object: string) => {
    await service.read(operator(c), "accesso.fuori_ambito", object);
    return render(
      c,
      "Pagina non trovata",
      <ErrorPage title="Pagina non trovata" message="L'elemento richiesto non esiste." />,
      404,
    );
  };
  const recordId = (c: Context<AuthEnv>) => {
    const id = c.req.param("id") ?? "";
    return /^[1-9]\d{0,15}$/.test(id) ? Number(id) : undefined;
  };
  const cfCheck = async (c: Context<AuthEnv>, values: FormValues) => {
    const cf = text(values, "CodiceFiscale").toUpperCase();
    if (!cf) return { message: undefined, person: undefined };
    const check = checkCodiceFiscale(cf);
    if (!check.ok) return { message: `Codice fiscale non valido: ${check.reason}.` };
    const decoded = decodeCodiceFiscale(cf);
    const person = await service.knownPerson(operator(c), values);
    const place = decoded &&
      (places.comuneByBelfiore(decoded.luogo)?.denominazione ??
        places.statoEsteroByBelfiore(decoded.luogo)?.denominazione);
    const message = decoded
      ? `Codice fiscale valido: genere ${decoded.genere === "1" ? "maschile" : "femminile"}, ` +
        `anno di nascita che termina per ${decoded.yearDigits}, luogo di nascita ${decoded.luogo}` +
        `${place ? ` (${place})` : ""}.`
      : "Codice fiscale numerico valido.";
    return { message, person };
  };
  const prefill = (values: FormValues, person: KnownPerson | undefined): FormValues => {
    if (!person) return values;
    const [address] = person.Indirizzi;
    const out: FormValues = { ...values };
    for (const [k, v] of Object.entries({ ...person, ...address })) {
      if (k !== "Indirizzi" && typeof v === "string") out[k] = v;
    }
    return out;
  };

  const form = async (
    c: Context<AuthEnv>,
    props: Omit<FormProps, "lookups" | "csrf" | "ente">,
    status: 200 | 409 | 422 = 200,
  ) => {
    const title = props.mode === "nuova" ? "Nuova prestazione" : "Rettifica della prestazione";
    const failed = props.errors && Object.keys(props.errors).length > 0;
    return render(
      c,
      failed ? `Errore: ${title}` : title,
      <RecordForm
        {...props}
        lookups={await lookups()}
        csrf={csrf(c)}
        ente={operator(c).ente}
      />,
      status,
    );
  };
  const conflict = (c: Context<AuthEnv>, title: string, message: string) =>
    render(c, `Errore: ${title}`, <ErrorPage title={title} message={message} />, 409);
  const otherEnte = (c: Context<AuthEnv>, sent: string) =>
    sent && sent !== operator(c).ente
      ? conflict(
        c,
        "Modulo di un altro ente",
        `Il modulo era stato aperto per l'ente ${sent}, ma l'ente attivo ora è ${
          operator(c).ente
        }: nulla è stato trasmesso. Riaprire il modulo dall'ente giusto.`,
      )
      : undefined;
  const reused = (c: Context<AuthEnv>) =>
    conflict(
      c,
      "Modulo già inviato",
      "Questo modulo era già stato inviato per un'altra operazione o con dati diversi: nulla è stato trasmesso. Aprire un nuovo modulo.",
    );
  const toReceipt = (c: Context<AuthEnv>, outcome: { acquisizione: string; repeated: boolean }) =>
    c.redirect(
      `/acquisizione/ricevute/${outcome.acquisizione}${outcome.repeated ? "?ripetuto=1" : ""}`,
      303,
    );

  /** The answer to a submitted form: the next step of the form, or the outcome of sending it. */
  const submitted = async (
    c: Context<AuthEnv>,
    base: Omit<FormProps, "lookups" | "csrf" | "values" | "token" | "ente">,
    send: (values: FormValues, token: string, confirmed: string[]) => Promise<SubmitOutcome>,
  ) => {
    const body = await c.req.parseBody({ all: true });
    let values = formValues(body);
    const wrongEnte = otherEnte(c, text(values, "_ente"));
    if (wrongEnte) return wrongEnte;
    const sentToken = text(values, "_token");
    const token = TOKEN.test(sentToken) ? sentToken : crypto.randomUUID();
    const azione = text(values, "azione");
    const props = { ...base, token };
    if (azione === "aggiorna") {
      return form(c, { ...props, values: await withDenomination(values) });
    }
    if (azione === "verifica_cf" || azione === "precompila") {
      const { message, person } = await cfCheck(c, values);
      if (azione === "precompila") values = prefill(values, person);
      return form(c, {
        ...props,
        values,
        cfMessage: message,
        person: azione === "verifica_cf" ? person : undefined,
      });
    }
    values = await withDenomination(values);
    const raw = body._avvisi;
    const confirmed = azione === "conferma"
      ? (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === "string")
      : [];
    const outcome = await send(values, token, confirmed);
    switch (outcome.kind) {
      case "ok":
        return toReceipt(c, outcome);
      case "riusato":
        return reused(c);
      case "avvisi":
        return form(c, { ...props, values, warnings: outcome.warnings });
      case "errori":
        return form(c, {
          ...props,
          values,
          errors: fieldErrors(outcome.violations),
          existing: outcome.existing,
        }, 422);
      case "superata":
        return render(
          c,
          "Errore: La prestazione è cambiata",
          <SupersededPage id={base.replaces!.id} what="la rettifica" />,
          409,
        );
    }
  };

  app.get("/acquisizione", async (c) => {
    const op = operator(c);
    const page = pageParam(c.req.query("pagina"));
    const result = await service.repo.recent(op.ente, page);
    if (result.items.length) await service.read(op, "acquisizione.elenco", String(result.page));
    return render(
      c,
      "Acquisizione",
      <AcquisizioneHome
        result={result}
        ente={op.ente}
        canManageEnte={can(c.var.auth!.active!.ruolo, "gestione.ente")}
      />,
    );
  });

  app.get("/acquisizione/nuova", (c) =>
    form(c, {
      mode: "nuova",
      action: "/acquisizione/nuova",
      values: { CodiceNazione: "380" },
      token: crypto.randomUUID(),
    }));

  app.post("/acquisizione/nuova", (c) =>
    submitted(
      c,
      { mode: "nuova", action: "/acquisizione/nuova" },
      (values, token, confirmed) => service.insert(operator(c), values, { token, confirmed }),
    ));

  // ---- Fragments of the form (htmx) ----

  app.get("/acquisizione/modulo/codici", async (c) =>
    c.html(
      <CodeOptions
        lookups={await lookups()}
        selected={c.req.query("CodicePrestazione") ?? ""}
        q={(c.req.query("q") ?? "").slice(0, 100)}
      />,
    ));

  app.post("/acquisizione/modulo/:blocco", async (c) => {
    const values = formValues(await c.req.parseBody({ all: true }));
    switch (c.req.param("blocco")) {
      case "cf": {
        const { message, person } = await cfCheck(c, values);
        return c.html(<CfStatusContent message={message} person={person} />);
      }
      case "precompila": {
        const { person } = await cfCheck(c, values);
        const filled = prefill(values, person);
        const l = await lookups();
        return c.html(
          <>
            <AnagraficaBlock values={filled} lookups={l} />
            <div hx-swap-oob="outerHTML:#residenza">
              <ResidenzaBlock values={filled} lookups={l} />
            </div>
            <div id="esito-cf" hx-swap-oob="innerHTML">
              <CfStatusContent message="Dati anagrafici e residenza ripresi dall'ultima prestazione trasmessa: verificarli." />
            </div>
          </>,
        );
      }
      case "residenza":
        return c.html(<RegioneBlock values={values} lookups={await lookups()} />);
      case "comune":
        return c.html(<ComuneBlock values={values} lookups={await lookups()} />);
      case "denominazione":
        return c.html(<DenominazioneBlock values={await withDenomination(values)} />);
      case "dsu":
        return c.html(<DsuBlock values={values} />);
      case "periodo":
        return c.html(<PeriodoBlock values={values} />);
      case "presa-carico":
        return c.html(<PresaCaricoBlock values={values} lookups={await lookups()} />);
      default:
        return c.notFound();
    }
  });

  // ---- Receipts ----

  const receipt = async (c: Context<AuthEnv>) => {
    const op = operator(c);
    const a = await service.repo.get(op.ente, c.req.param("id") ?? "");
    if (!a) return undefined;
    const records = await service.prestazioni.records(op.ente, [...a.inserite, ...a.annullate]);
    await service.read(op, "acquisizione.lettura", a.id);
    return { op, a, records };
  };

  app.get("/acquisizione/ricevute/:id", async (c) => {
    const found = await receipt(c);
    if (!found) return notFound(c, `acquisizione:${c.req.param("id")}`);
    const { op, a, records } = found;
    const ente = await service.repo.envelope(op.ente);
    const warnings = await service.prestazioni.warnings(op.ente, a.inserite);
    const inserite = a.inserite.map((id) => ({
      id,
      record: records.get(id)!,
      avvisi: warnings.get(id) ?? [],
    }));
    return render(
      c,
      "Ricevuta di acquisizione",
      <ReceiptPage
        acquisizione={a}
        ente={ente!}
        inserite={inserite}
        annullate={a.annullate.map((id) => ({ id, record: records.get(id)! }))}
        xml={a.cfOperatore !== null}
        nameOf={nameOf}
        notice={c.req.query("ripetuto") === "1"
          ? "Il modulo era già stato inviato: questa è la ricevuta del primo invio, nulla è stato trasmesso di nuovo."
          : undefined}
      />,
    );
  });

  app.get("/acquisizione/ricevute/:id/flusso.xml", async (c) => {
    const found = await receipt(c);
    if (!found || !found.a.cfOperatore) return notFound(c, `acquisizione:${c.req.param("id")}`);
    const { op, a, records } = found;
    const ente = (await service.repo.envelope(op.ente))!;
    const list: PsRecord[] = [
      ...a.annullate.map((id) => ({ ...records.get(id)!, TipoOperazione: "C" as const })),
      ...a.inserite.map((id) => records.get(id)!),
    ];
    // The bank of what the operation leaves active: the new version, else the cancelled one.
    const main = records.get(a.inserite[0] ?? a.annullate[0])!;
    const banca = main.PresenzaProvaMezzi === "1" ? "PSA" : "PS";
    const nome = flussoName(op.ente, banca, romeDay(a.createdAt), a.progressivo);
    c.header("Content-Disposition", `attachment; filename="${nome}.xml"`);
    return c.body(
      flussoXml({
        nome,
        ente: {
          codice: ente.codice,
          denominazione: ente.denominazione,
          belfioreSede: ente.belfioreSede,
          cfOperatore: a.cfOperatore!,
        },
      }, list),
      200,
      { "Content-Type": "application/xml; charset=utf-8" },
    );
  });

  // ---- A record: detail, rettifica, annullamento ----

  app.get("/acquisizione/prestazioni/:id", async (c) => {
    const id = recordId(c);
    const found = id && await service.detail(operator(c), id);
    if (!found) return notFound(c, `prestazione:${c.req.param("id")}`);
    return render(
      c,
      `Prestazione n. ${id}`,
      <DetailPage {...found} canWrite nameOf={nameOf} />,
    );
  });

  const activeRecord = async (c: Context<AuthEnv>) => {
    const id = recordId(c);
    if (!id) return undefined;
    const stored = await service.prestazioni.get(operator(c).ente, id);
    if (!stored) return undefined;
    const record = (await service.prestazioni.records(stored.ente_id, [id])).get(id)!;
    return { id, stored, record };
  };
  const labelOf = (r: PsRecord) => `${r.Cognome} ${r.Nome}, ${r.CodicePrestazione}`;

  app.get("/acquisizione/prestazioni/:id/rettifica", async (c) => {
    const found = await activeRecord(c);
    if (!found) return notFound(c, `prestazione:${c.req.param("id")}`);
    const { id, stored, record } = found;
    if (stored.stato !== "attiva") {
      return render(
        c,
        "Errore: La prestazione è cambiata",
        <SupersededPage id={id} what="la rettifica" />,
        409,
      );
    }
    await service.read(operator(c), "prestazione.lettura", String(id));
    return form(c, {
      mode: "rettifica",
      action: `/acquisizione/prestazioni/${id}/rettifica`,
      values: recordToValues(record),
      token: crypto.randomUUID(),
      replaces: { id, label: labelOf(record), altriIndirizzi: record.Indirizzi.length - 1 },
    });
  });

  app.post("/acquisizione/prestazioni/:id/rettifica", async (c) => {
    const found = await activeRecord(c);
    if (!found) return notFound(c, `prestazione:${c.req.param("id")}`);
    const { id, record } = found;
    return submitted(
      c,
      {
        mode: "rettifica",
        action: `/acquisizione/prestazioni/${id}/rettifica`,
        replaces: { id, label: labelOf(record), altriIndirizzi: record.Indirizzi.length - 1 },
      },
      (values, token, confirmed) =>
        service.correct(operator(c), id, values, {
          token,
          confirmed,
          motivo: text(values, "_motivo").slice(0, 500) || undefined,
        }),
    );
  });

  app.get("/acquisizione/prestazioni/:id/annulla", async (c) => {
    const found = await activeRecord(c);
    if (!found) return notFound(c, `prestazione:${c.req.param("id")}`);
    if (found.stored.stato !== "attiva") {
      return render(
        c,
        "Errore: La prestazione è cambiata",
        <SupersededPage id={found.id} what="l'annullamento" />,
        409,
      );
    }
    await service.read(operator(c), "prestazione.lettura", String(found.id));
    return render(
      c,
      `Annullare la prestazione n. ${found.id}?`,
      <CancelPage
        id={found.id}
        record={found.record}
        token={crypto.randomUUID()}
        ente={operator(c).ente}
        csrf={csrf(c)}
      />,
    );
  });

  app.post("/acquisizione/prestazioni/:id/annulla", async (c) => {
    const found = await activeRecord(c);
    if (!found) return notFound(c, `prestazione:${c.req.param("id")}`);
    const values = formValues(await c.req.parseBody({ all: true }));
    const wrongEnte = otherEnte(c, text(values, "_ente"));
    if (wrongEnte) return wrongEnte;
    const motivo = text(values, "motivo");
    const sentToken = text(values, "_token");
    const token = TOKEN.test(sentToken) ? sentToken : crypto.randomUUID();
    if (motivo.length < 3 || motivo.length > 500) {
      await service.read(operator(c), "prestazione.lettura", String(found.id));
      return render(
        c,
        `Errore: Annullare la prestazione n. ${found.id}?`,
        <CancelPage
          id={found.id}
          record={found.record}
          token={token}
          ente={operator(c).ente}
          csrf={csrf(c)}
          motivo={motivo}
          errors={{
            motivo: "Motivo dell'annullamento: indicare il motivo, da 3 a 500 caratteri.",
          }}
        />,
        422,
      );
    }
    const outcome = await service.cancel(operator(c), found.id, motivo, token);
    if (outcome.kind === "riusato") return reused(c);
    if (outcome.kind === "superata") {
      return render(
        c,
        "Errore: La prestazione è cambiata",
        <SupersededPage id={found.id} what="l'annullamento" />,
        409,
      );
    }
    return toReceipt(c, outcome);
  });

  return app;
}
