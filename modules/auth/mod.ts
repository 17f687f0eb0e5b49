/**
 * Identity, enti and access control: who may do what on whose data.
 *
 * @example
 * ```ts
 * const auth = createAuth(db.sql, audit, { https: false });
 * const app = createApp(deps, (app) => auth.install(app));
 * ```
 * @module
 */
import type { Hono } from "hono";
import type { Audit } from "../platform/audit.ts";
import type { Sql } from "../platform/db.ts";
import type { JobHandler } from "../platform/jobs.ts";
import type { AppEnv } from "../platform/web/render.tsx";
import { adminRoutes } from "./admin_routes.tsx";
import { type AuthEnv, csrf, loadSession, requireAccess, type Requirement } from "./middleware.tsx";
import { IdentityRepo } from "./repo.ts";
import { authRoutes } from "./routes.tsx";
import { AuthService } from "./service.ts";
import { SessionStore } from "./sessions.ts";
import { LoginThrottle } from "./throttle.ts";

export { type AuthEnv, requireAccess };
export { csrfRefusal, csrfTokenMatches } from "./middleware.tsx";
export { type AuthState, scopeOf } from "./service.ts";
export type { Scope } from "./repo.ts";
export { can, type Permission, type Ruolo } from "./roles.ts";
export { seedIdentityDemo } from "./demo.ts";

/** Who may open each section: anyone, anyone signed in, or the holders of a permission. */
export const SECTION_ACCESS: Record<string, Requirement | "pubblico"> = {
  "/informazioni": "pubblico",
  "/acquisizione": ["acquisizione"],
  "/trasmissione": ["trasmissione"],
  "/consultazione": ["consultazione.ente", "consultazione.regione", "consultazione.nazionale"],
  "/strumenti": ["strumenti"],
  "/news": "login",
  "/cooperazione": ["cooperazione"],
};

/** Options of the identity module. */
export interface AuthOptions {
  https: boolean;
  /** The public origin, when known (`BASE_URL`): state-changing requests must come from it. */
  origin?: string;
  idleMinutes?: number;
  maxHours?: number;
  now?: () => Date;
  /** POST paths whose multipart body is streamed: their handler checks the CSRF token. */
  streamedForms?: readonly string[];
}

/** The identity module, ready to install into the application. */
export interface Auth {
  service: AuthService;
  /** Adds session loading, CSRF protection, the guards of the sections and the routes. */
  install(app: Hono<AppEnv>): void;
  /** Background jobs of the module. */
  jobs: Record<string, JobHandler>;
}

/** Builds the identity module. */
export function createAuth(sql: Sql, audit: Audit, options: AuthOptions): Auth {
  const now = options.now ?? (() => new Date());
  const service = new AuthService(
    new IdentityRepo(sql),
    new SessionStore(sql, {
      idleSeconds: (options.idleMinutes ?? 30) * 60,
      absoluteSeconds: (options.maxHours ?? 12) * 3600,
    }, now),
    new LoginThrottle(sql, now),
    audit,
    now,
  );
  return {
    service,
    install(app) {
      const typed = app as unknown as Hono<AuthEnv>;
      typed.use(loadSession(service, options));
      typed.use(csrf(audit, options.origin, options.streamedForms));
      for (const [path, requirement] of Object.entries(SECTION_ACCESS)) {
        if (requirement === "pubblico") continue;
        typed.use(path, requireAccess(requirement, audit));
        typed.use(`${path}/*`, requireAccess(requirement, audit));
      }
      typed.route("/", authRoutes(service, options));
      typed.route("/", adminRoutes(service));
    },
    jobs: {
      "sessioni.pulizia": async () => ({ eliminate: await service.sessions.purgeExpired() }),
    },
  };
}
