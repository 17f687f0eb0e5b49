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
 * const wait = await throttle.retryAfter(["utente:mario", "ip:10.0.0.1"]);
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

/** Keys for a login attempt. */
export function throttleKeys(username: string, ip: string | null): string[] {
  const keys = [`utente:${username.trim().toLowerCase().slice(0, 100)}`];
  if (ip) keys.push(`ip:${ip}`);
  return keys;
}

/** Shared login throttling. */
export class LoginThrottle {
  constructor(private sql: Sql, private now: () => Date = () => new Date()) {}

  /** Seconds to wait before the next attempt is accepted; 0 when it may go ahead. */
  async retryAfter(keys: string[]): Promise<number> {
    const now = this.now().getTime();
    const rows = await this.sql`
      select bloccato_fino from login_tentativi where chiave = any(${keys}) and bloccato_fino is not null`;
    const until = Math.max(0, ...rows.map((r) => r.bloccato_fino.getTime()));
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  /** Counts a failure on each key and sets the wait it earns. */
  async fail(keys: string[]): Promise<void> {
    const now = this.now();
    for (const key of keys) {
      const policy = POLICIES[key.slice(0, key.indexOf(":"))];
      const [row] = await this.sql`
        insert into login_tentativi as t (chiave, falliti, primo_fallimento_at)
        values (${key}, 1, ${now})
        on conflict (chiave) do update set
          falliti = case when t.primo_fallimento_at < ${new Date(now.getTime() - WINDOW_MS)}
                         and (t.bloccato_fino is null or t.bloccato_fino < ${now})
                    then 1 else t.falliti + 1 end,
          primo_fallimento_at = case when t.primo_fallimento_at < ${new Date(
        now.getTime() - WINDOW_MS,
      )}
                         and (t.bloccato_fino is null or t.bloccato_fino < ${now})
                    then ${now} else t.primo_fallimento_at end
        returning falliti`;
      const n = row.falliti;
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
  }

  /** Clears the account's failures after a successful login. */
  async succeed(keys: string[]): Promise<void> {
    await this.sql`delete from login_tentativi where chiave = ${keys[0]}`;
  }
}
