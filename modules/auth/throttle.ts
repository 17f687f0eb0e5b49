/**
 * Login throttling, per account and per IP address, in PostgreSQL so that
 * every process of the product shares it: after a few failures each new
 * attempt must wait longer (1 s, 2 s, 4 s, …), and too many failures lock the
 * key for 15 minutes. The account key is the name typed, whether or not such
 * an account exists, so the answer reveals nothing.
 *
 * @example
 * ```ts
 * const throttle = new LoginThrottle(db.sql);
 * const wait = await throttle.attempt(throttleKeys("mario", "10.0.0.1"));
 * ```
 * @module
 */
import type { Sql } from "../platform/db.ts";

const WINDOW_MS = 15 * 60_000;
const LOCK_MS = 15 * 60_000;

/** Thresholds of one kind of key. */
interface Policy {
  /** Failures allowed before delays start. */
  free: number;
  /** Failures that lock the key. */
  lock: number;
}

const POLICIES: Record<string, Policy> = {
  utente: { free: 3, lock: 10 },
  ip: { free: 20, lock: 50 },
};

/** Keys for a login attempt: the name typed, the account once known, the address. */
export function throttleKeys(username: string, ip: string | null, userId?: number): string[] {
  const keys = [`utente:${username.trim().toLowerCase().slice(0, 100)}`];
  // The same account answers to its user name and its codice fiscale: count both ways in one key.
  if (userId !== undefined) keys.push(`utente:#${userId}`);
  if (ip) keys.push(`ip:${ip}`);
  return keys;
}

/** Shared login throttling. */
export class LoginThrottle {
  constructor(private sql: Sql, private now: () => Date = () => new Date()) {}

  /**
   * Counts an attempt on every key *before* the credentials are checked, so
   * that a burst of parallel attempts cannot slip past the limit, and returns
   * the seconds to wait: 0 when the attempt may go ahead, otherwise it was
   * refused and not counted.
   */
  async attempt(keys: string[]): Promise<number> {
    const now = this.now();
    const windowStart = new Date(now.getTime() - WINDOW_MS);
    let wait = 0;
    for (const key of keys) {
      const policy = POLICIES[key.slice(0, key.indexOf(":"))];
      const [row] = await this.sql`
        insert into login_tentativi as t (chiave, falliti, primo_fallimento_at)
        values (${key}, 1, ${now})
        on conflict (chiave) do update set
          falliti = case when t.bloccato_fino > ${now} then t.falliti
                         when t.primo_fallimento_at < ${windowStart} then 1
                         else t.falliti + 1 end,
          primo_fallimento_at = case when t.bloccato_fino > ${now} then t.primo_fallimento_at
                                     when t.primo_fallimento_at < ${windowStart} then ${now}
                                     else t.primo_fallimento_at end
        returning falliti, bloccato_fino`;
      if (row.bloccato_fino && row.bloccato_fino > now) {
        wait = Math.max(wait, Math.ceil((row.bloccato_fino.getTime() - now.getTime()) / 1000));
        continue;
      }
      const n: number = row.falliti;
      const waitMs = n >= policy.lock
        ? LOCK_MS
        : n > policy.free
        ? 1000 * 2 ** (n - policy.free - 1)
        : 0;
      if (waitMs > 0) {
        await this.sql`update login_tentativi set bloccato_fino = ${new Date(
          now.getTime() + waitMs,
        )}
                       where chiave = ${key}`;
      }
    }
    return wait;
  }

  /** After a successful check: forgets the account's attempts and gives the address its attempt back. */
  async succeed(keys: string[]): Promise<void> {
    const accounts = keys.filter((k) => k.startsWith("utente:"));
    await this.sql`delete from login_tentativi where chiave = any(${accounts})`;
    const ip = keys.find((k) => k.startsWith("ip:"));
    if (ip) {
      await this.sql`update login_tentativi set falliti = greatest(falliti - 1, 0),
                       bloccato_fino = case when falliti - 1 > ${POLICIES.ip.free} then bloccato_fino end
                     where chiave = ${ip}`;
    }
  }
}
