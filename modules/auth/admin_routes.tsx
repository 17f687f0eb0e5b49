/**
 * Administration routes under `/amministrazione`: the administrator manages
 * enti, users of any ente and enablements; an ente's referent manages its
 * own ente's data, users and enablements. Every query is scoped by the
 * session's active profile; an object outside it answers 404.
 * @module
 */
import { type Context, Hono } from "hono";
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import type postgres from "postgres";
import type { z } from "zod";
import { pageParam, validateForm } from "../platform/web/forms.ts";
import { render } from "../platform/web/render.tsx";
import { ErrorPage } from "../../views/pages.tsx";
import { romeDay } from "./access.ts";
import { enablementSchema, enteSchema, newUserSchema, personSchema } from "./admin_forms.ts";
import {
  AdminHome,
  EnteForm,
  EntiList,
  NewUtenteForm,
  UtenteDetail,
  UtentiList,
} from "./admin_views.tsx";
import { type AuthEnv, requireAccess } from "./middleware.tsx";
import { hashPassword } from "./passwords.ts";
import type { Ente, NewEnablement, Scope } from "./repo.ts";
import { isEnteRole } from "./roles.ts";
import { type AuthService, scopeOf } from "./service.ts";

type Values = Record<string, string | undefined>;

/** A temporary password: 16 characters of base32, about 80 bits. */
function temporaryPassword(): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(10)));
}

function isUniqueViolation(error: unknown): boolean {
  return (error as postgres.PostgresError)?.code === "23505";
}

function isMissingReference(error: unknown): boolean {
  return (error as postgres.PostgresError)?.code === "23503";
}

function enteValues(e: Ente): Values {
  return {
    codice: e.codice,
    tipo: e.tipo,
    denominazione: e.denominazione,
    belfiore_sede: e.belfioreSede,
    regione: e.regione,
    pec: e.pec ?? "",
    stato: e.stato,
    ip_consentiti: e.ipConsentiti.join("\n"),
    orario_inizio: e.orarioInizio ?? "",
    orario_fine: e.orarioFine ?? "",
  };
}

function toEnte(d: z.infer<ReturnType<typeof enteSchema>>, codice: string, current?: Ente) {
  return {
    codice,
    tipo: d.tipo ?? current!.tipo,
    denominazione: d.denominazione,
    belfioreSede: d.belfiore_sede,
    regione: d.regione ?? current!.regione,
    pec: d.pec,
    stato: (d.stato ?? current!.stato) as Ente["stato"],
    ipConsentiti: d.ip_consentiti,
    orarioInizio: d.orario_inizio,
    orarioFine: d.orario_fine,
  };
}

/** The administration routes. */
export function adminRoutes(service: AuthService): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const { repo, audit } = service;
  const guard = requireAccess(["gestione.ente", "amministrazione"], audit);
  const centralOnly = requireAccess(["amministrazione"], audit);
  app.use("/amministrazione", guard);
  app.use("/amministrazione/*", guard);

  const ctx = (c: Context<AuthEnv>) => {
    const state = c.var.auth!;
    const scope: Scope = scopeOf(state.active!);
    return {
      state,
      scope,
      central: scope.kind === "nazionale",
      csrf: state.session.csrfToken,
      today: romeDay(service.now()),
      record: (action: string, object?: string, details?: Record<string, unknown>) =>
        audit.record({
          actor: state.user.username,
          ente: scope.kind === "ente" ? scope.ente : null,
          action,
          object,
          details,
          ip: c.var.ip,
          requestId: c.var.requestId,
        }),
    };
  };
  const notFound = async (c: Context<AuthEnv>, object: string) => {
    await ctx(c).record("accesso.fuori_ambito", object);
    return render(
      c,
      "Pagina non trovata",
      <ErrorPage title="Pagina non trovata" message="L'elemento richiesto non esiste." />,
      404,
    );
  };
  const page = (c: Context<AuthEnv>) => pageParam(c.req.query("pagina"));
  const refuse = (c: Context<AuthEnv>, message: string) =>
    render(
      c,
      "Operazione non consentita",
      <ErrorPage title="Operazione non consentita" message={message} />,
      403,
    );
  const sharedAccount = async (c: Context<AuthEnv>, id: number) => {
    await ctx(c).record("accesso.negato", `utente:${id}`, {
      motivo: "utenza abilitata anche su altri enti",
    });
    return refuse(
      c,
      "L'utenza è abilitata anche su altri enti o ha un profilo centrale: i suoi dati e la sua password sono gestiti dall'amministrazione.",
    );
  };
  const ownEnablements = async (c: Context<AuthEnv>) => {
    await ctx(c).record("accesso.negato", `utente:${c.var.auth!.user.id}`, {
      motivo: "proprie abilitazioni",
    });
    return refuse(
      c,
      "Non è possibile modificare le proprie abilitazioni: rivolgersi a un altro referente o all'amministrazione.",
    );
  };

  app.get("/amministrazione", (c) => {
    const { central, scope } = ctx(c);
    return render(
      c,
      "Amministrazione",
      <AdminHome central={central} ente={scope.kind === "ente" ? scope.ente : undefined} />,
    );
  });

  // ---- Enti ----

  app.get("/amministrazione/enti", centralOnly, async (c) => {
    const q = c.req.query("q") ?? "";
    const result = await repo.listEnti(q, page(c));
    const notice = c.req.query("esito") === "creato" ? "Ente creato." : undefined;
    return render(c, "Enti", <EntiList result={result} q={q} notice={notice} />);
  });

  app.get("/amministrazione/enti/nuovo", centralOnly, async (c) => {
    const { csrf } = ctx(c);
    return render(
      c,
      "Nuovo ente",
      <EnteForm mode="nuovo" central values={{}} regioni={await repo.regioni()} csrf={csrf} />,
    );
  });

  app.post("/amministrazione/enti/nuovo", centralOnly, async (c) => {
    const { csrf, record } = ctx(c);
    const form = validateForm(enteSchema("nuovo", true), await c.req.parseBody());
    const again = async (errors: Record<string, string>) =>
      render(
        c,
        "Errore: Nuovo ente",
        <EnteForm
          mode="nuovo"
          central
          values={form.values}
          errors={errors}
          regioni={await repo.regioni()}
          csrf={csrf}
        />,
        422,
      );
    if (!form.ok) return again(form.errors);
    const codice = form.data.codice!;
    try {
      await repo.createEnte(toEnte(form.data, codice));
    } catch (error) {
      if (isUniqueViolation(error)) {
        return again({ codice: `Esiste già un ente con codice ${codice}.` });
      }
      if (isMissingReference(error)) {
        return again({ regione: "Scegliere una regione dell'elenco." });
      }
      throw error;
    }
    await record("ente.creazione", codice);
    return c.redirect("/amministrazione/enti?esito=creato", 303);
  });

  app.get("/amministrazione/enti/:codice", async (c) => {
    const { scope, central, csrf } = ctx(c);
    const ente = await repo.getEnte(scope, c.req.param("codice"));
    if (!ente) return notFound(c, `ente:${c.req.param("codice")}`);
    await ctx(c).record("ente.lettura", ente.codice);
    const notice = c.req.query("esito") === "salvato" ? "Dati dell'ente salvati." : undefined;
    return render(
      c,
      ente.denominazione,
      <EnteForm
        mode="modifica"
        central={central}
        values={enteValues(ente)}
        regioni={await repo.regioni()}
        csrf={csrf}
        notice={notice}
        title={ente.denominazione}
      />,
    );
  });

  app.post("/amministrazione/enti/:codice", async (c) => {
    const { scope, central, csrf, record } = ctx(c);
    const codice = c.req.param("codice");
    const current = await repo.getEnte(scope, codice);
    if (!current) return notFound(c, `ente:${codice}`);
    const form = validateForm(enteSchema("modifica", central), await c.req.parseBody());
    if (!form.ok) {
      return render(
        c,
        "Errore: " + current.denominazione,
        <EnteForm
          mode="modifica"
          central={central}
          values={{ ...form.values, codice }}
          errors={form.errors}
          title={current.denominazione}
          regioni={await repo.regioni()}
          csrf={csrf}
        />,
        422,
      );
    }
    await repo.updateEnte(scope, codice, toEnte(form.data, codice, current));
    await record("ente.modifica", codice, { campi: Object.keys(form.values) });
    return c.redirect(`/amministrazione/enti/${codice}?esito=salvato`, 303);
  });

  // ---- Users ----

  app.get("/amministrazione/utenti", async (c) => {
    const { scope, central, record } = ctx(c);
    const q = c.req.query("q") ?? "";
    const result = await repo.listUsers(scope, q, page(c));
    await record("utenti.elenco", undefined, {
      ricerca: q !== "",
      pagina: result.page,
      righe: result.items.length,
    });
    return render(c, "Utenti", <UtentiList result={result} q={q} central={central} />);
  });

  const newUserForm = async (
    c: Context<AuthEnv>,
    values: Values,
    errors?: Record<string, string>,
  ) => {
    const { central, csrf } = ctx(c);
    return render(
      c,
      errors ? "Errore: Nuovo utente" : "Nuovo utente",
      <NewUtenteForm
        central={central}
        values={values}
        errors={errors}
        regioni={await repo.regioni()}
        csrf={csrf}
      />,
      errors ? 422 : 200,
    );
  };

  app.get("/amministrazione/utenti/nuovo", (c) => newUserForm(c, { valido_dal: ctx(c).today }));

  app.post("/amministrazione/utenti/nuovo", async (c) => {
    const { scope, central, record } = ctx(c);
    const body = await c.req.parseBody();
    const person = validateForm(newUserSchema(central), body);
    const enabling = validateForm(enablementSchema(central), body);
    if (!person.ok || !enabling.ok) {
      return newUserForm(c, person.values, {
        ...(person.ok ? {} : person.errors),
        ...(enabling.ok ? {} : enabling.errors),
      });
    }
    const password = temporaryPassword();
    const p = person.data;
    let id: number;
    try {
      id = await repo.createUser(scope, {
        username: (p.username as string | null) ?? p.codice_fiscale!,
        codiceFiscale: p.codice_fiscale,
        nome: p.nome,
        cognome: p.cognome,
        email: p.email,
        passwordHash: await hashPassword(password),
      }, toEnablement(enabling.data, scope));
    } catch (error) {
      if (isUniqueViolation(error)) {
        return newUserForm(c, person.values, {
          codice_fiscale:
            "Non è possibile creare un'utenza con questo codice fiscale o nome utente. Se la persona ha già un'utenza, chiedere all'amministrazione di abilitarla sull'ente.",
        });
      }
      if (isMissingReference(error)) {
        return newUserForm(c, person.values, { ente: "L'ente indicato non esiste." });
      }
      throw error;
    }
    await record("utente.creazione", String(id));
    return detail(c, id, { temporaryPassword: password, notice: "Utente creato." });
  });

  const detail = async (
    c: Context<AuthEnv>,
    id: number,
    extra: {
      values?: Values;
      errors?: Record<string, string>;
      newEnablement?: Values;
      enablementErrors?: Record<string, string>;
      notice?: string;
      temporaryPassword?: string;
    } = {},
  ) => {
    const { scope, central, csrf, today, record } = ctx(c);
    const user = await repo.getUser(scope, id);
    if (!user) return notFound(c, `utente:${id}`);
    await record("utente.lettura", String(id));
    const failed = extra.errors || extra.enablementErrors;
    return render(
      c,
      `${failed ? "Errore: " : ""}${user.cognome} ${user.nome}`,
      <UtenteDetail
        user={user}
        enablements={await repo.enablementsInScope(scope, id)}
        central={central}
        values={extra.values ?? { nome: user.nome, cognome: user.cognome, email: user.email ?? "" }}
        errors={extra.errors}
        newEnablement={extra.newEnablement ?? { valido_dal: today }}
        enablementErrors={extra.enablementErrors}
        regioni={await repo.regioni()}
        csrf={csrf}
        notice={extra.notice}
        temporaryPassword={extra.temporaryPassword}
        today={today}
      />,
      failed ? 422 : 200,
    );
  };
  const userId = (c: Context<AuthEnv>) => {
    const id = Number(c.req.param("id"));
    return Number.isSafeInteger(id) && id > 0 ? id : 0;
  };
  const notices: Record<string, string> = {
    salvato: "Dati salvati.",
    abilitato: "Abilitazione aggiunta.",
    revocato: "Abilitazione revocata.",
    sospeso: "Utenza sospesa.",
    attivo: "Utenza riattivata.",
  };

  app.get(
    "/amministrazione/utenti/:id",
    (c) => detail(c, userId(c), { notice: notices[c.req.query("esito") ?? ""] }),
  );

  app.post("/amministrazione/utenti/:id", async (c) => {
    const { scope, record } = ctx(c);
    const id = userId(c);
    const form = validateForm(personSchema, await c.req.parseBody());
    if (!form.ok) return detail(c, id, { values: form.values, errors: form.errors });
    if (!await repo.getUser(scope, id)) return notFound(c, `utente:${id}`);
    if (!await repo.updateUser(scope, id, form.data)) return sharedAccount(c, id);
    await record("utente.modifica", String(id));
    return c.redirect(`/amministrazione/utenti/${id}?esito=salvato`, 303);
  });

  app.post("/amministrazione/utenti/:id/password", async (c) => {
    const { scope, record } = ctx(c);
    const id = userId(c);
    if (!await repo.getUser(scope, id)) return notFound(c, `utente:${id}`);
    if (!await repo.ownsUser(scope, id)) return sharedAccount(c, id);
    const password = temporaryPassword();
    await repo.setPassword(id, await hashPassword(password));
    await service.sessions.invalidateUser(id);
    await record("utente.password_provvisoria", String(id));
    return detail(c, id, { temporaryPassword: password });
  });

  app.post("/amministrazione/utenti/:id/stato", centralOnly, async (c) => {
    const { record } = ctx(c);
    const id = userId(c);
    const stato = (await c.req.parseBody()).stato === "sospeso" ? "sospeso" : "attivo";
    if (!await repo.setUserState(id, stato)) return notFound(c, `utente:${id}`);
    if (stato === "sospeso") await service.sessions.invalidateUser(id);
    await record(stato === "sospeso" ? "utente.sospensione" : "utente.riattivazione", String(id));
    return c.redirect(`/amministrazione/utenti/${id}?esito=${stato}`, 303);
  });

  app.post("/amministrazione/utenti/:id/abilitazioni", async (c) => {
    const { scope, central, record, state } = ctx(c);
    const id = userId(c);
    if (id === state.user.id) return ownEnablements(c);
    const form = validateForm(enablementSchema(central), await c.req.parseBody());
    if (!form.ok) {
      return detail(c, id, { newEnablement: form.values, enablementErrors: form.errors });
    }
    try {
      if (!await repo.addEnablement(scope, id, toEnablement(form.data, scope))) {
        return notFound(c, `utente:${id}`);
      }
    } catch (error) {
      if (!isMissingReference(error)) throw error;
      return detail(c, id, {
        newEnablement: form.values,
        enablementErrors: { ente: "L'ente indicato non esiste." },
      });
    }
    // A change of privilege: the user's sessions end, the next login sees the new profile.
    await service.sessions.invalidateUser(id);
    await record("abilitazione.aggiunta", String(id), { ruolo: form.data.ruolo });
    return c.redirect(`/amministrazione/utenti/${id}?esito=abilitato`, 303);
  });

  app.post("/amministrazione/utenti/:id/abilitazioni/:aid/revoca", async (c) => {
    const { scope, today, record, state } = ctx(c);
    const id = userId(c);
    if (id === state.user.id) return ownEnablements(c);
    const aid = Number(c.req.param("aid"));
    if (!Number.isSafeInteger(aid) || !await repo.revokeEnablement(scope, id, aid, today)) {
      return notFound(c, `abilitazione:${c.req.param("aid")}`);
    }
    await service.sessions.invalidateUser(id);
    await record("abilitazione.revoca", String(aid), { utente: id });
    return c.redirect(`/amministrazione/utenti/${id}?esito=revocato`, 303);
  });

  return app;
}

function toEnablement(
  d: z.infer<ReturnType<typeof enablementSchema>>,
  scope: Scope,
): NewEnablement {
  const enteRole = isEnteRole(d.ruolo);
  return {
    ruolo: d.ruolo,
    // An ente's referent always enables on its own ente, whatever the form says.
    enteCodice: scope.kind === "ente" ? scope.ente : enteRole ? d.ente : null,
    regione: scope.kind === "nazionale" && d.ruolo === "referente_territoriale" ? d.regione : null,
    validoDal: d.valido_dal,
    validoAl: d.valido_al,
  };
}
