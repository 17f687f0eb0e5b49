/**
 * Sessions after the Lucia design: a random token goes to the browser, only
 * its SHA-256 is stored; idle timeout and absolute lifetime; a new token at
 * login and at every change of active ente or privilege; logout deletes the
 * session server-side.
 *
 * @example
 * ```ts
 * const sessions = new SessionStore(db.sql);
 * const { token } = await sessions.create(userId, null, {});
 * const session = await sessions.validate(token);
 * ```
 * @module
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import type { Sql } from "../platform/db.ts";

/** A valid session. */
export interface Session {
  id: string;
  utenteId: number;
  abilitazioneId: number | null;
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Lifetimes, in seconds. */
export interface SessionLifetimes {
  idleSeconds: number;
  absoluteSeconds: number;
}

/** 30 minutes idle, 12 hours in all. */
export const DEFAULT_LIFETIMES: SessionLifetimes = {
  idleSeconds: 30 * 60,
  absoluteSeconds: 12 * 3600,
};

// A session's last_seen_at is written at most this often, not on every request.
const TOUCH_EVERY_MS = 60_000;

function randomToken(): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
}

/** The stored id of a token: its SHA-256 in hex. */
export function sessionIdOf(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** Sessions in PostgreSQL. */
export class SessionStore {
  constructor(
    private sql: Sql,
    readonly lifetimes: SessionLifetimes = DEFAULT_LIFETIMES,
    private now: () => Date = () => new Date(),
  ) {}

  /** Opens a session; `expiresAt` carries over the absolute limit of a rotated session. */
  async create(
    utenteId: number,
    abilitazioneId: number | null,
    meta: { ip?: string | null; userAgent?: string | null; expiresAt?: Date },
  ): Promise<{ token: string; session: Session }> {
    const token = randomToken();
    const now = this.now();
    const session: Session = {
      id: sessionIdOf(token),
      utenteId,
      abilitazioneId,
      csrfToken: randomToken(),
      createdAt: now,
      expiresAt: meta.expiresAt ?? new Date(now.getTime() + this.lifetimes.absoluteSeconds * 1000),
    };
    await this.sql`
      insert into sessioni (id, utente_id, abilitazione_id, csrf_token, created_at, last_seen_at,
                            expires_at, ip, user_agent)
      values (${session.id}, ${utenteId}, ${abilitazioneId}, ${session.csrfToken}, ${now}, ${now},
              ${session.expiresAt}, ${meta.ip ?? null}, ${meta.userAgent?.slice(0, 300) ?? null})`;
    return { token, session };
  }

  /** The session of a token, or undefined when unknown, idle too long or past its lifetime. */
  async validate(token: string): Promise<Session | undefined> {
    if (!/^[a-z2-7]{32}$/.test(token)) return undefined;
    const id = sessionIdOf(token);
    const [row] = await this.sql`
      select id, utente_id, abilitazione_id, csrf_token, created_at, last_seen_at, expires_at
      from sessioni where id = ${id}`;
    if (!row) return undefined;
    const now = this.now().getTime();
    const idleLimit = row.last_seen_at.getTime() + this.lifetimes.idleSeconds * 1000;
    if (now >= row.expires_at.getTime() || now >= idleLimit) {
      await this.invalidate(id);
      return undefined;
    }
    if (now - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
      await this.sql`update sessioni set last_seen_at = ${this.now()} where id = ${id}`;
    }
    return {
      id: row.id,
      utenteId: row.utente_id,
      abilitazioneId: row.abilitazione_id,
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  /**
   * Replaces a session with a new token (and a new CSRF token) for the given
   * enablement, keeping its absolute limit: the old token stops working.
   */
  async rotate(
    old: Session,
    abilitazioneId: number | null,
    meta: { ip?: string | null; userAgent?: string | null },
  ): Promise<{ token: string; session: Session }> {
    await this.invalidate(old.id);
    return await this.create(old.utenteId, abilitazioneId, { ...meta, expiresAt: old.expiresAt });
  }

  /** Ends one session. */
  async invalidate(id: string): Promise<void> {
    await this.sql`delete from sessioni where id = ${id}`;
  }

  /** Ends every session of a user (password or privilege change, suspension). */
  async invalidateUser(utenteId: number, except?: string): Promise<void> {
    await this.sql`delete from sessioni where utente_id = ${utenteId}
                   ${except ? this.sql`and id <> ${except}` : this.sql``}`;
  }

  /** Deletes expired sessions; returns how many. */
  async purgeExpired(): Promise<number> {
    const now = this.now();
    const idleSince = new Date(now.getTime() - this.lifetimes.idleSeconds * 1000);
    const rows = await this.sql`
      delete from sessioni where expires_at <= ${now} or last_seen_at <= ${idleSince} returning id`;
    return rows.length;
  }
}
