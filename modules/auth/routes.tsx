/**
 * Routes of the identity module: `GET|POST /login`, `POST /logout`,
 * `GET|POST /ente` (choice of the active ente), `GET /profilo`,
 * `POST /profilo/password`.
 * @module
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { validateForm } from "../platform/web/forms.ts";
import { render } from "../platform/web/render.tsx";
import { hashPassword, passwordProblem, verifyPassword } from "./passwords.ts";
import {
  type AuthEnv,
  clearSessionCookie,
  type CookiePolicy,
  exposeState,
  requireAccess,
  setSessionCookie,
} from "./middleware.tsx";
import { type AuthService, GENERIC_LOGIN_ERROR } from "./service.ts";
import { throttleKeys } from "./throttle.ts";
import { ChooseEntePage, LoginPage, ProfilePage } from "./views.tsx";

/**
 * A local path to return to after login; anything else becomes `/`. Control
 * characters, blanks and backslashes are refused anywhere: browsers drop or
 * reinterpret them, turning `/\t/evil.example` into another site.
 */
export function safeNext(next: unknown): string {
  // deno-lint-ignore no-control-regex -- control characters are exactly what must be refused
  return typeof next === "string" && /^\/(?!\/)[^\x00-\x20\x7f\\]*$/.test(next) && next.length < 500
    ? next
    : "/";
}

const loginSchema = z.object({
  username: z.string().trim().min(1, "Inserire il codice fiscale o il nome utente.").max(
    100,
    GENERIC_LOGIN_ERROR,
  ),
  password: z.string().min(1, "Inserire la password.").max(256, GENERIC_LOGIN_ERROR),
});

/** The identity routes. */
export function authRoutes(service: AuthService, policy: CookiePolicy): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const meta = (c: Context<AuthEnv>) => ({
    ip: c.var.ip,
    userAgent: c.req.header("User-Agent") ?? null,
    requestId: c.var.requestId,
  });

  app.get("/login", (c) => {
    if (c.var.auth) return c.redirect(safeNext(c.req.query("next")), 303);
    const notice = c.req.query("uscita") === "1" ? "Sessione chiusa correttamente." : undefined;
    return render(c, "Accesso", <LoginPage next={c.req.query("next")} notice={notice} />);
  });

  app.post("/login", async (c) => {
    const body = await c.req.parseBody();
    const next = safeNext(body.next);
    const form = validateForm(loginSchema, body);
    if (!form.ok) {
      return render(
        c,
        "Errore: Accesso",
        <LoginPage username={form.values.username} next={next} errors={form.errors} />,
        422,
      );
    }
    // A session presented at login is discarded: the new one gets a new token (no fixation).
    if (c.var.auth) await service.sessions.invalidate(c.var.auth.session.id);
    const outcome = await service.login(form.data.username, form.data.password, meta(c));
    if (!outcome.ok) {
      if (outcome.retryAfter) c.header("Retry-After", String(outcome.retryAfter));
      return render(
        c,
        "Errore: Accesso",
        <LoginPage
          username={form.data.username}
          next={next}
          errors={{ username: outcome.message }}
        />,
        outcome.status,
      );
    }
    setSessionCookie(c, policy, outcome.token);
    const target = outcome.state.active ? next : `/ente?next=${encodeURIComponent(next)}`;
    return c.redirect(target, 303);
  });

  app.post("/logout", async (c) => {
    if (c.var.auth) await service.logout(c.var.auth, meta(c));
    clearSessionCookie(c, policy);
    return c.redirect("/login?uscita=1", 303);
  });

  app.use("/ente", requireAccess("login", service.audit));
  app.get("/ente", (c) => {
    const state = c.var.auth!;
    return render(
      c,
      "Scelta dell'ente",
      <ChooseEntePage
        enablements={state.enablements}
        activeId={state.active?.id}
        next={c.req.query("next")}
        csrf={state.session.csrfToken}
      />,
    );
  });

  app.post("/ente", async (c) => {
    const state = c.var.auth!;
    const body = await c.req.parseBody();
    const next = safeNext(body.next);
    const id = Number(body.abilitazione);
    const chosen = Number.isSafeInteger(id) ? await service.choose(state, id, meta(c)) : undefined;
    if (!chosen || "problem" in chosen) {
      return render(
        c,
        "Errore: Scelta dell'ente",
        <ChooseEntePage
          enablements={state.enablements}
          next={next}
          csrf={state.session.csrfToken}
          error={chosen?.problem ?? "Scegliere uno degli enti elencati."}
        />,
        chosen ? 403 : 422,
      );
    }
    setSessionCookie(c, policy, chosen.token);
    exposeState(c, chosen.state);
    return c.redirect(next, 303);
  });

  app.use("/profilo", requireAccess("login", service.audit));
  app.use("/profilo/*", requireAccess("login", service.audit));
  const profile = async (
    c: Context<AuthEnv>,
    extra: { errors?: Record<string, string>; notice?: string } = {},
    status: 200 | 422 | 429 = 200,
  ) => {
    const state = c.var.auth!;
    const logins = await service.audit.recent({
      actor: state.user.username,
      action: "login.riuscito",
      limit: 10,
    });
    return render(
      c,
      extra.errors ? "Errore: Profilo" : "Profilo",
      <ProfilePage
        user={state.user}
        enablements={state.enablements}
        logins={logins}
        csrf={state.session.csrfToken}
        {...extra}
      />,
      status,
    );
  };
  app.get(
    "/profilo",
    (c) =>
      profile(c, {
        notice: c.req.query("esito") === "password" ? "Password cambiata." : undefined,
      }),
  );

  app.post("/profilo/password", async (c) => {
    const state = c.var.auth!;
    const body = await c.req.parseBody();
    const form = validateForm(
      z.object({
        attuale: z.string().min(1, "Inserire la password attuale."),
        nuova: z.string().min(1, "Inserire la nuova password."),
        conferma: z.string(),
      }),
      body,
    );
    if (!form.ok) return profile(c, { errors: form.errors }, 422);
    const { attuale, nuova, conferma } = form.data;
    // Guessing the current password from a stolen session is throttled like a login.
    const keys = throttleKeys(state.user.username, c.var.ip, state.user.id);
    const wait = await service.throttle.attempt(keys);
    if (wait > 0) {
      c.header("Retry-After", String(wait));
      return profile(c, {
        errors: { attuale: "Troppi tentativi non riusciti: riprovare più tardi." },
      }, 429);
    }
    const account = await service.repo.findForLogin(state.user.username);
    if (!account || !await verifyPassword(account.passwordHash, attuale)) {
      return profile(c, { errors: { attuale: "La password attuale non è corretta." } }, 422);
    }
    await service.throttle.succeed(keys);
    const problem = passwordProblem(nuova, state.user.username) ??
      (nuova !== conferma ? "Le due password non coincidono." : undefined) ??
      (nuova === attuale ? "La nuova password deve essere diversa da quella attuale." : undefined);
    if (problem) return profile(c, { errors: { nuova: problem } }, 422);
    await service.repo.setPassword(state.user.id, await hashPassword(nuova));
    // A changed password ends every other session and renews this one's token.
    await service.sessions.invalidateUser(state.user.id, state.session.id);
    const { token } = await service.sessions.rotate(
      state.session,
      state.active?.id ?? null,
      meta(c),
    );
    setSessionCookie(c, policy, token);
    await service.audit.record({
      actor: state.user.username,
      ente: state.active?.enteCodice,
      action: "password.cambio",
      ip: c.var.ip,
      requestId: c.var.requestId,
    });
    return c.redirect("/profilo?esito=password", 303);
  });

  return app;
}
