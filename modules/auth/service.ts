/**
 * Login, choice of the active ente, logout and the per-request check of a
 * session: the rules of who gets in, independent of HTTP.
 * @module
 */
import type { Audit } from "../platform/audit.ts";
import { accessProblem, romeDay } from "./access.ts";
import { verifyNothing, verifyPassword } from "./passwords.ts";
import type { Abilitazione, IdentityRepo, Scope, Utente } from "./repo.ts";
import type { Session, SessionStore } from "./sessions.ts";
import { type LoginThrottle, throttleKeys } from "./throttle.ts";

/** Who is making a request. */
export interface AuthState {
  session: Session;
  user: Utente;
  /** The enablement the user is acting under; null until they choose one. */
  active: Abilitazione | null;
  /** Every enablement valid today whose ente is active. */
  enablements: Abilitazione[];
}

/** Where a request comes from. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId?: string;
}

/** The outcome of a login attempt. */
export type LoginOutcome =
  | { ok: true; token: string; state: AuthState }
  | { ok: false; status: 401 | 403 | 429; message: string; retryAfter?: number };

/** The message for a wrong name or password: the same whether or not the account exists. */
export const GENERIC_LOGIN_ERROR = "Nome utente o password non corretti.";

/** The data scope of an enablement. */
export function scopeOf(active: Abilitazione): Scope {
  if (active.ruolo === "amministratore") return { kind: "nazionale" };
  if (active.ruolo === "referente_territoriale") {
    return { kind: "regione", regione: active.regione! };
  }
  return { kind: "ente", ente: active.enteCodice! };
}

/** The identity services. */
export class AuthService {
  constructor(
    readonly repo: IdentityRepo,
    readonly sessions: SessionStore,
    readonly throttle: LoginThrottle,
    readonly audit: Audit,
    readonly now: () => Date = () => new Date(),
  ) {}

  /** Checks credentials and opens a session. */
  async login(username: string, password: string, meta: RequestMeta): Promise<LoginOutcome> {
    const actor = username.trim().slice(0, 100) || "(vuoto)";
    const event = { actor, ip: meta.ip, requestId: meta.requestId };
    const user = await this.repo.findForLogin(username.trim());
    const keys = throttleKeys(username, meta.ip, user?.id);
    const wait = await this.throttle.attempt(keys);
    if (wait > 0) {
      await this.audit.record({ ...event, action: "login.bloccato", details: { attesa_s: wait } });
      return {
        ok: false,
        status: 429,
        retryAfter: wait,
        message: `Troppi tentativi di accesso non riusciti. Riprovare tra ${describeWait(wait)}.`,
      };
    }
    const valid = user
      ? await verifyPassword(user.passwordHash, password)
      : await verifyNothing(password);
    if (!user || !valid) {
      await this.audit.record({ ...event, action: "login.fallito" });
      return { ok: false, status: 401, message: GENERIC_LOGIN_ERROR };
    }
    await this.throttle.succeed(keys);
    return await this.signIn(user, meta);
  }

  /**
   * Opens a session for a user whose identity was proved — by password here,
   * or by another way in (a SPID/CIE OpenID Connect callback looks the user up
   * by codice fiscale and calls this): checks the account, its enablements
   * and the ente's access restrictions, then creates the session.
   */
  async signIn(user: Utente, meta: RequestMeta): Promise<LoginOutcome> {
    const event = { actor: user.username, ip: meta.ip, requestId: meta.requestId };
    const refuse = async (reason: string, message: string): Promise<LoginOutcome> => {
      await this.audit.record({ ...event, action: "login.rifiutato", details: { motivo: reason } });
      return { ok: false, status: 403, message };
    };
    if (user.stato !== "attivo") {
      return await refuse(
        "utente sospeso",
        "L'utenza è sospesa. Rivolgersi al referente SIUSS dell'ente.",
      );
    }
    const enablements = await this.usableEnablements(user.id);
    if (enablements.length === 0) {
      return await refuse(
        "nessuna abilitazione valida",
        "L'utenza non ha abilitazioni valide oggi, o l'ente è sospeso. Rivolgersi al referente SIUSS dell'ente.",
      );
    }
    // With several enti, signing in needs at least one whose networks and hours allow it now.
    const problem = this.restrictionsProblem(enablements, meta.ip);
    if (problem) return await refuse("restrizioni di accesso dell'ente", problem);
    const active = enablements.length === 1 ? enablements[0] : null;
    const { token, session } = await this.sessions.create(user.id, active?.id ?? null, meta);
    await this.audit.record({ ...event, ente: active?.enteCodice, action: "login.riuscito" });
    return { ok: true, token, state: { session, user, active, enablements } };
  }

  /**
   * Makes one of the user's enablements the active one, with a new session
   * token. Undefined when the id is not one of the user's valid enablements.
   */
  async choose(
    state: AuthState,
    abilitazioneId: number,
    meta: RequestMeta,
  ): Promise<{ token: string; state: AuthState } | { problem: string } | undefined> {
    const chosen = state.enablements.find((e) => e.id === abilitazioneId);
    const event = { actor: state.user.username, ip: meta.ip, requestId: meta.requestId };
    if (!chosen) {
      await this.audit.record({
        ...event,
        action: "ente.scelta_negata",
        object: String(abilitazioneId),
      });
      return undefined;
    }
    const problem = this.accessProblemOf(chosen, meta.ip);
    if (problem) return { problem };
    const { token, session } = await this.sessions.rotate(state.session, chosen.id, meta);
    await this.audit.record({
      ...event,
      ente: chosen.enteCodice,
      action: "ente.scelta",
      object: String(chosen.id),
    });
    return { token, state: { ...state, session, active: chosen } };
  }

  /** Ends the session. */
  async logout(state: AuthState, meta: RequestMeta): Promise<void> {
    await this.sessions.invalidate(state.session.id);
    await this.audit.record({
      actor: state.user.username,
      ente: state.active?.enteCodice,
      action: "logout",
      ip: meta.ip,
      requestId: meta.requestId,
    });
  }

  /**
   * The state of a request's session token, or a refusal when the ente's
   * restrictions forbid this request; undefined when there is no valid session.
   */
  async resolve(
    token: string,
    ip: string | null,
  ): Promise<AuthState | { refused: string } | undefined> {
    const session = await this.sessions.validate(token);
    if (!session) return undefined;
    const user = await this.repo.userById(session.utenteId);
    if (!user || user.stato !== "attivo") {
      await this.sessions.invalidate(session.id);
      return undefined;
    }
    const enablements = await this.usableEnablements(user.id);
    const active = enablements.find((e) => e.id === session.abilitazioneId) ?? null;
    const state = { session, user, active, enablements };
    const problem = active
      ? this.accessProblemOf(active, ip)
      : this.restrictionsProblem(enablements, ip);
    if (problem) {
      // The session ends with the refusal: it cannot linger, touched by refused requests.
      await this.sessions.invalidate(session.id);
      await this.audit.record({
        actor: user.username,
        ente: active?.enteCodice,
        action: "accesso.fuori_orario_o_rete",
        ip,
      });
      return { refused: problem };
    }
    return state;
  }

  private async usableEnablements(utenteId: number): Promise<Abilitazione[]> {
    const all = await this.repo.enablementsOf(utenteId, romeDay(this.now()));
    return all.filter((e) => e.enteCodice === null || e.enteStato === "attivo");
  }

  /** The first enablement's problem when none of them may be used now from `ip`. */
  private restrictionsProblem(enablements: Abilitazione[], ip: string | null): string | undefined {
    const problems = enablements.map((e) => this.accessProblemOf(e, ip));
    return problems.every(Boolean) ? problems[0] : undefined;
  }

  private accessProblemOf(e: Abilitazione, ip: string | null): string | undefined {
    if (!e.enteCodice) return undefined;
    return accessProblem(
      {
        ipConsentiti: e.enteIpConsentiti,
        orarioInizio: e.enteOrarioInizio,
        orarioFine: e.enteOrarioFine,
      },
      ip,
      this.now(),
    );
  }
}

function describeWait(seconds: number): string {
  return seconds < 60 ? `${seconds} secondi` : `${Math.ceil(seconds / 60)} minuti`;
}
