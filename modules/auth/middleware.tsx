/**
 * Hono middleware of the identity module: the session of each request, CSRF
 * protection of every state-changing request, and the guards of the routes.
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "node:crypto";
import type { Audit } from "../platform/audit.ts";
import { type AppEnv, render } from "../platform/web/render.tsx";
import { ErrorPage } from "../../views/pages.tsx";
import { canAny, type Permission, ROLE_LABELS } from "./roles.ts";
import type { AuthService, AuthState } from "./service.ts";

/** The Hono environment of routes that know who is asking. */
export type AuthEnv = { Variables: AppEnv["Variables"] & { auth: AuthState | null } };

/** Cookie settings: `__Host-` prefix and `Secure` over HTTPS. */
export interface CookiePolicy {
  https: boolean;
}

/** The name of the session cookie. */
export function cookieName(policy: CookiePolicy): string {
  return policy.https ? "__Host-siuss_sessione" : "siuss_sessione";
}

/** Sets the session cookie. */
export function setSessionCookie(c: Context, policy: CookiePolicy, token: string): void {
  setCookie(c, cookieName(policy), token, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: policy.https,
  });
}

/** Removes the session cookie. */
export function clearSessionCookie(c: Context, policy: CookiePolicy): void {
  deleteCookie(c, cookieName(policy), { path: "/", secure: policy.https });
}

/** Loads the session of the request into `c.var.auth` and the page context. */
export function loadSession(
  service: AuthService,
  policy: CookiePolicy,
): MiddlewareHandler<AuthEnv> {
  return createMiddleware<AuthEnv>(async (c, next) => {
    c.set("auth", null);
    const token = getCookie(c, cookieName(policy));
    if (token) {
      const resolved = await service.resolve(token, c.var.ip);
      if (resolved && "refused" in resolved) {
        clearSessionCookie(c, policy);
        return render(
          c,
          "Accesso non consentito",
          <ErrorPage title="Accesso non consentito" message={resolved.refused} />,
          403,
        );
      }
      if (resolved) exposeState(c, resolved);
      else {
        // An unknown or ended session: expired, logged out, or a stolen or planted cookie.
        clearSessionCookie(c, policy);
        await service.audit.record({
          actor: "anonimo",
          action: "sessione.rifiutata",
          object: new URL(c.req.url).pathname,
          ip: c.var.ip,
          requestId: c.var.requestId,
        });
      }
    }
    await next();
  });
}

/** Puts the state into the request and the page context. */
export function exposeState(c: Context<AuthEnv>, state: AuthState): void {
  c.set("auth", state);
  const a = state.active;
  c.set("page", {
    ...c.var.page,
    user: { nome: state.user.nome, cognome: state.user.cognome },
    csrfToken: state.session.csrfToken,
    canSwitch: state.enablements.length > 1,
    profile: a
      ? {
        label: a.enteCodice
          ? `${a.enteDenominazione} (${a.enteCodice})`
          : a.regione
          ? `Regione ${a.regioneDenominazione}`
          : "Amministrazione centrale",
        ruolo: ROLE_LABELS[a.ruolo],
      }
      : undefined,
  });
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses a state-changing request that comes from another site (Fetch
 * metadata, then Origin) or, within a session, lacks the session's token.
 */
export function csrf(
  audit: Audit,
  expectedOrigin?: string,
  streamedForms: readonly string[] = [],
): MiddlewareHandler<AuthEnv> {
  const streamed = new Set(streamedForms);
  return createMiddleware<AuthEnv>(async (c, next) => {
    if (SAFE.has(c.req.method)) return await next();
    const site = c.req.header("Sec-Fetch-Site");
    const origin = c.req.header("Origin");
    const own = expectedOrigin ?? new URL(c.req.url).origin;
    let reason: string | undefined;
    if (site && site !== "same-origin" && site !== "none") reason = `Sec-Fetch-Site ${site}`;
    else if (origin && origin !== own) reason = "Origin diverso";
    // A streamed upload is never buffered here: its handler checks the form's token itself
    // (`csrfTokenMatches`) before it stores a byte.
    else if (c.var.auth && !streamed.has(c.req.path)) {
      const sent = c.req.header("X-CSRF-Token") ?? await formToken(c);
      if (!sent || !sameToken(sent, c.var.auth.session.csrfToken)) {
        reason = "token CSRF assente o errato";
      }
    }
    if (reason) {
      await audit.record({
        actor: c.var.auth?.user.username ?? "anonimo",
        ente: c.var.auth?.active?.enteCodice,
        action: "csrf.rifiutata",
        object: new URL(c.req.url).pathname,
        details: { motivo: reason },
        ip: c.var.ip,
        requestId: c.var.requestId,
      });
      return csrfRefusal(c);
    }
    await next();
  });
}

async function formToken(c: Context): Promise<string | undefined> {
  const type = c.req.header("Content-Type") ?? "";
  if (
    !type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")
  ) {
    return undefined;
  }
  const body = await c.req.parseBody().catch(() => ({}));
  const value = (body as Record<string, unknown>)._csrf;
  return typeof value === "string" ? value : undefined;
}

/** The 403 page of a request refused by the CSRF checks. */
export function csrfRefusal(c: Context<AuthEnv>): Response | Promise<Response> {
  return render(
    c,
    "Richiesta non valida",
    <ErrorPage
      title="Richiesta non valida"
      message="La richiesta non proviene da una pagina di questo servizio o la pagina era scaduta. Tornare indietro, ricaricare la pagina e riprovare."
    />,
    403,
  );
}

/** Whether `sent` is the CSRF token of the request's session (for streamed forms). */
export function csrfTokenMatches(c: Context<AuthEnv>, sent: string | undefined): boolean {
  const expected = c.var.auth?.session.csrfToken;
  return !!sent && !!expected && sameToken(sent, expected);
}

function sameToken(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Who may reach a route: anyone signed in, or the roles having one of these permissions. */
export type Requirement = "login" | readonly Permission[];

/**
 * Guards a route: an anonymous user is sent to the login page (and back
 * afterwards), a user without an active profile to the choice of ente, a
 * user without the permission gets the 403 page (audited).
 */
export function requireAccess(requirement: Requirement, audit: Audit): MiddlewareHandler<AuthEnv> {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const state = c.var.auth;
    const url = new URL(c.req.url);
    if (!state) {
      const target = `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
      if (c.req.header("HX-Request")) c.header("HX-Redirect", target);
      return c.redirect(target, 303);
    }
    if (requirement === "login") return await next();
    if (!state.active) {
      return c.redirect(`/ente?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }
    if (!canAny(state.active.ruolo, requirement)) {
      await audit.record({
        actor: state.user.username,
        ente: state.active.enteCodice,
        action: "accesso.negato",
        object: url.pathname,
        ip: c.var.ip,
        requestId: c.var.requestId,
      });
      return render(
        c,
        "Accesso non consentito",
        <ErrorPage
          title="Accesso non consentito"
          message={`Il profilo ${
            ROLE_LABELS[state.active.ruolo]
          } non consente di usare questa funzione.`}
        />,
        403,
      );
    }
    await next();
  });
}
