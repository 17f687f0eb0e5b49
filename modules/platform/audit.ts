/**
 * The audit log: who did what, on which ente's data, from where. Append-only:
 * this module offers no update or delete, and the table refuses them.
 *
 * @example
 * ```ts
 * const audit = createAudit(db.sql);
 * await audit.record({ actor: "RSSMRA80A01H501U", ente: "H501", action: "prestazione.lettura", object: "42" });
 * ```
 * @module
 */
import type postgres from "postgres";
import type { Queryable, Sql } from "./db.ts";

/** One audited event. `details` holds parameters and counts, never a payload of personal data. */
export interface AuditEntry {
  /** The user (codice fiscale or service account) or `sistema`. */
  actor: string;
  /** The ente code whose data were read or written, if any. */
  ente?: string | null;
  /** A dotted verb, e.g. `login.riuscito`, `flusso.caricamento`. */
  action: string;
  /** The object acted upon (an id or a key). */
  object?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
  requestId?: string | null;
}

/** A stored audit event. */
export interface AuditRecord extends Required<Omit<AuditEntry, "requestId">> {
  id: number;
  at: Date;
  request_id: string | null;
}

/** The audit API. */
export interface Audit {
  /** Appends an event; pass `tx` to record it in the same transaction as the write it audits. */
  record(entry: AuditEntry, tx?: Queryable): Promise<void>;
  /** The newest events, optionally of one ente, one actor, one action. */
  recent(
    options?: { ente?: string; actor?: string; action?: string; limit?: number },
  ): Promise<AuditRecord[]>;
}

/** Creates the audit API over `sql`. */
export function createAudit(sql: Sql): Audit {
  return {
    async record(entry, tx: Queryable = sql) {
      await tx`
        insert into audit_log (actor, ente, action, object, details, ip, request_id)
        values (${entry.actor}, ${entry.ente ?? null}, ${entry.action}, ${entry.object ?? null},
                ${tx.json((entry.details ?? {}) as postgres.JSONValue)}, ${entry.ip ?? null},
                ${entry.requestId ?? null})`;
    },
    async recent({ ente, actor, action, limit = 50 } = {}) {
      return await sql<AuditRecord[]>`
        select id, at, actor, ente, action, object, details, host(ip) as ip, request_id
        from audit_log
        where true
          ${ente ? sql`and ente = ${ente}` : sql``}
          ${actor ? sql`and actor = ${actor}` : sql``}
          ${action ? sql`and action = ${action}` : sql``}
        order by id desc limit ${limit}`;
    },
  };
}
