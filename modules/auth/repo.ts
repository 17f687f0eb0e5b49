/**
 * Users, enti and enablements in PostgreSQL. Every function that reads or
 * changes a person's data takes the caller's {@linkcode Scope}, derived from
 * the session, and filters by it in SQL: an object outside the scope is
 * reported exactly like one that does not exist.
 * @module
 */
import type postgres from "postgres";
import type { Queryable, Sql } from "../platform/db.ts";
import { isEnteRole, type Ruolo } from "./roles.ts";

/** Whose data a request may see: one ente, one region (aggregates only), or all. */
export type Scope =
  | { kind: "ente"; ente: string }
  | { kind: "regione"; regione: string }
  | { kind: "nazionale" };

/** A user as shown to others. */
export interface Utente {
  id: number;
  username: string;
  codiceFiscale: string | null;
  nome: string;
  cognome: string;
  email: string | null;
  stato: "attivo" | "sospeso";
}

/** An enablement with what the session needs of its ente or region. */
export interface Abilitazione {
  id: number;
  utenteId: number;
  ruolo: Ruolo;
  enteCodice: string | null;
  enteDenominazione: string | null;
  enteStato: "attivo" | "sospeso" | null;
  enteIpConsentiti: string[];
  enteOrarioInizio: string | null;
  enteOrarioFine: string | null;
  regione: string | null;
  regioneDenominazione: string | null;
  validoDal: string;
  validoAl: string | null;
}

/** An ente of the registry. */
export interface Ente {
  codice: string;
  tipo: string;
  denominazione: string;
  belfioreSede: string;
  regione: string;
  regioneDenominazione: string;
  pec: string | null;
  stato: "attivo" | "sospeso";
  ipConsentiti: string[];
  orarioInizio: string | null;
  orarioFine: string | null;
}

/** A page of results. */
export interface Page<T> {
  items: T[];
  page: number;
  pages: number;
  total: number;
}

/** A case-insensitive `like` pattern matching `q` anywhere, with its wildcards escaped. */
function likePattern(q: string): string {
  return `%${q.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Rows per page in the administration lists. */
export const PAGE_SIZE = 20;

const userColumns = (sql: Queryable) =>
  sql`u.id, u.username, u.codice_fiscale, u.nome, u.cognome, u.email, u.stato`;

function toUtente(r: Record<string, unknown>): Utente {
  return {
    id: r.id as number,
    username: r.username as string,
    codiceFiscale: r.codice_fiscale as string | null,
    nome: r.nome as string,
    cognome: r.cognome as string,
    email: r.email as string | null,
    stato: r.stato as Utente["stato"],
  };
}

function toAbilitazione(r: Record<string, unknown>): Abilitazione {
  return {
    id: r.id as number,
    utenteId: r.utente_id as number,
    ruolo: r.ruolo as Ruolo,
    enteCodice: r.ente_codice as string | null,
    enteDenominazione: r.ente_denominazione as string | null,
    enteStato: r.ente_stato as Abilitazione["enteStato"],
    enteIpConsentiti: (r.ente_ip_consentiti as string[] | null) ?? [],
    enteOrarioInizio: r.ente_orario_inizio as string | null,
    enteOrarioFine: r.ente_orario_fine as string | null,
    regione: r.regione as string | null,
    regioneDenominazione: r.regione_denominazione as string | null,
    validoDal: r.valido_dal as string,
    validoAl: r.valido_al as string | null,
  };
}

function toEnte(r: Record<string, unknown>): Ente {
  return {
    codice: r.codice as string,
    tipo: r.tipo as string,
    denominazione: r.denominazione as string,
    belfioreSede: r.belfiore_sede as string,
    regione: r.regione as string,
    regioneDenominazione: r.regione_denominazione as string,
    pec: r.pec as string | null,
    stato: r.stato as Ente["stato"],
    ipConsentiti: (r.ip_consentiti as string[] | null) ?? [],
    orarioInizio: r.orario_inizio as string | null,
    orarioFine: r.orario_fine as string | null,
  };
}

/** The identity repository. */
export class IdentityRepo {
  constructor(readonly sql: Sql) {}

  // ---- Login and session (no scope: the user acts on their own account) ----

  /** The account a login name or codice fiscale designates, with its password hash. */
  async findForLogin(login: string): Promise<(Utente & { passwordHash: string }) | undefined> {
    const [r] = await this.sql`
      select ${userColumns(this.sql)}, u.password_hash from utenti u
      where lower(u.username) = lower(${login}) or u.codice_fiscale = upper(${login})
      order by lower(u.username) = lower(${login}) desc
      limit 1`;
    return r && { ...toUtente(r), passwordHash: r.password_hash };
  }

  /** One user by id, for the user's own session. */
  async userById(id: number): Promise<Utente | undefined> {
    const [r] = await this.sql`select ${userColumns(this.sql)} from utenti u where u.id = ${id}`;
    return r && toUtente(r);
  }

  /** The user's enablements valid on `day` (YYYY-MM-DD), with their ente or region. */
  async enablementsOf(utenteId: number, day: string): Promise<Abilitazione[]> {
    return await this.enablements(this.sql`
      a.utente_id = ${utenteId}
      and a.valido_dal <= ${day}::date and (a.valido_al is null or a.valido_al >= ${day}::date)`);
  }

  /** Sets a new password hash. */
  async setPassword(utenteId: number, passwordHash: string): Promise<void> {
    await this.sql`update utenti set password_hash = ${passwordHash}, password_changed_at = now(),
                   updated_at = now() where id = ${utenteId}`;
  }

  // ---- Administration (scoped) ----

  /** Users visible in `scope`, searched by name, codice fiscale or login name. */
  async listUsers(scope: Scope, q: string, page: number): Promise<Page<Utente>> {
    const sql = this.sql;
    const like = likePattern(q);
    const where = sql`
      where ${this.userInScope(scope)}
        ${
      q.trim()
        ? sql`and (lower(u.cognome || ' ' || u.nome) like ${like} or lower(u.nome || ' ' || u.cognome) like ${like}
               or lower(u.username) like ${like} or lower(coalesce(u.codice_fiscale, '')) like ${like})`
        : sql``
    }`;
    const [{ total }] = await sql`select count(*) as total from utenti u ${where}`;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const current = Math.min(Math.max(1, page), pages);
    const rows = await sql`
      select ${userColumns(sql)} from utenti u ${where}
      order by u.cognome, u.nome, u.id limit ${PAGE_SIZE} offset ${(current - 1) * PAGE_SIZE}`;
    return { items: rows.map(toUtente), page: current, pages, total };
  }

  /** A user visible in `scope`, or undefined. */
  async getUser(scope: Scope, id: number): Promise<Utente | undefined> {
    const [r] = await this.sql`
      select ${userColumns(this.sql)} from utenti u where u.id = ${id} and ${
      this.userInScope(scope)
    }`;
    return r && toUtente(r);
  }

  /** The user's enablements visible in `scope` (an ente's referent sees only its ente's). */
  async enablementsInScope(scope: Scope, utenteId: number): Promise<Abilitazione[]> {
    if (scope.kind === "regione") return [];
    return await this.enablements(this.sql`
      a.utente_id = ${utenteId}
      ${scope.kind === "ente" ? this.sql`and a.ente_codice = ${scope.ente}` : this.sql``}`);
  }

  private async enablements(where: postgres.PendingQuery<postgres.Row[]>): Promise<Abilitazione[]> {
    const rows = await this.sql`
      select a.id, a.utente_id, a.ruolo, a.ente_codice, a.regione,
             a.valido_dal::text, a.valido_al::text,
             e.denominazione as ente_denominazione, e.stato as ente_stato,
             e.ip_consentiti::text[] as ente_ip_consentiti,
             to_char(e.orario_inizio, 'HH24:MI') as ente_orario_inizio,
             to_char(e.orario_fine, 'HH24:MI') as ente_orario_fine,
             coalesce(r.denominazione, re.denominazione) as regione_denominazione
      from abilitazioni a
      left join enti e on e.codice = a.ente_codice
      left join regioni r on r.codice = a.regione
      left join regioni re on re.codice = e.regione
      where ${where}
      order by a.ruolo = 'amministratore' desc, e.denominazione nulls first, a.valido_dal desc, a.id`;
    return rows.map(toAbilitazione);
  }

  /** Creates a user with a first enablement; in an ente scope the enablement is on that ente. */
  async createUser(
    scope: Scope,
    user: Omit<Utente, "id" | "stato"> & { passwordHash: string },
    first: NewEnablement,
  ): Promise<number> {
    return await this.sql.begin(async (tx) => {
      const [{ id }] = await tx`
        insert into utenti (username, codice_fiscale, nome, cognome, email, password_hash)
        values (${user.username}, ${user.codiceFiscale}, ${user.nome}, ${user.cognome}, ${user.email},
                ${user.passwordHash})
        returning id`;
      await this.insertEnablement(tx, scope, id, first);
      return id;
    });
  }

  /**
   * Whether the whole account is in `scope`'s hands: an ente's referent may
   * change an account's personal data or password only when every enablement
   * of it is on that ente (a person who also works for another ente, or an
   * administrator, is changed by the administration).
   */
  async ownsUser(scope: Scope, id: number): Promise<boolean> {
    if (scope.kind === "nazionale") return Boolean(await this.getUser(scope, id));
    if (scope.kind === "regione") return false;
    const [row] = await this.sql`
      select bool_and(a.ente_codice is not distinct from ${scope.ente}) as own
      from abilitazioni a where a.utente_id = ${id}`;
    return row?.own === true;
  }

  /** Updates a user's personal data; false unless the account is owned by `scope`. */
  async updateUser(
    scope: Scope,
    id: number,
    data: Pick<Utente, "nome" | "cognome" | "email">,
  ): Promise<boolean> {
    if (!await this.ownsUser(scope, id)) return false;
    const rows = await this.sql`
      update utenti u set nome = ${data.nome}, cognome = ${data.cognome}, email = ${data.email},
        updated_at = now()
      where u.id = ${id} returning u.id`;
    return rows.length === 1;
  }

  /** Suspends or reactivates an account (administrators only: it affects every ente). */
  async setUserState(id: number, stato: Utente["stato"]): Promise<boolean> {
    const rows = await this.sql`update utenti set stato = ${stato}, updated_at = now()
                                where id = ${id} returning id`;
    return rows.length === 1;
  }

  /** Adds an enablement to a user visible in `scope`; false when the user is not visible. */
  async addEnablement(scope: Scope, utenteId: number, e: NewEnablement): Promise<boolean> {
    if (!await this.getUser(scope, utenteId)) return false;
    await this.insertEnablement(this.sql, scope, utenteId, e);
    return true;
  }

  /**
   * Ends an enablement from today on (deletes it if it had not started yet);
   * false when it is not visible in `scope`.
   */
  async revokeEnablement(
    scope: Scope,
    utenteId: number,
    id: number,
    today: string,
  ): Promise<boolean> {
    const inScope = scope.kind === "ente" ? this.sql`and ente_codice = ${scope.ente}` : this.sql``;
    if (scope.kind === "regione") return false;
    const deleted = await this.sql`
      delete from abilitazioni where id = ${id} and utente_id = ${utenteId} ${inScope}
        and valido_dal >= ${today}::date returning id`;
    if (deleted.length) return true;
    const ended = await this.sql`
      update abilitazioni set valido_al = ${today}::date - 1
      where id = ${id} and utente_id = ${utenteId} ${inScope}
        and (valido_al is null or valido_al >= ${today}::date) returning id`;
    return ended.length === 1;
  }

  // ---- Enti ----

  /** Enti of the registry, searched by code or name (administrators). */
  async listEnti(q: string, page: number): Promise<Page<Ente>> {
    const sql = this.sql;
    const like = likePattern(q);
    const where = q.trim()
      ? sql`where lower(e.codice) like ${like} or lower(e.denominazione) like ${like}`
      : sql``;
    const [{ total }] = await sql`select count(*) as total from enti e ${where}`;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const current = Math.min(Math.max(1, page), pages);
    const rows = await sql`
      select ${this.enteColumns()} from enti e join regioni r on r.codice = e.regione ${where}
      order by e.denominazione, e.codice limit ${PAGE_SIZE} offset ${(current - 1) * PAGE_SIZE}`;
    return { items: rows.map(toEnte), page: current, pages, total };
  }

  /** An ente visible in `scope` (its own for an ente's referent), or undefined. */
  async getEnte(scope: Scope, codice: string): Promise<Ente | undefined> {
    if (scope.kind === "regione") return undefined;
    const [r] = await this.sql`
      select ${this.enteColumns()} from enti e join regioni r on r.codice = e.regione
      where e.codice = ${codice}
        ${scope.kind === "ente" ? this.sql`and e.codice = ${scope.ente}` : this.sql``}`;
    return r && toEnte(r);
  }

  /** Creates an ente (administrators). */
  async createEnte(e: Omit<Ente, "regioneDenominazione">): Promise<void> {
    await this.sql`
      insert into enti (codice, tipo, denominazione, belfiore_sede, regione, pec, stato,
                        ip_consentiti, orario_inizio, orario_fine)
      values (${e.codice}, ${e.tipo}, ${e.denominazione}, ${e.belfioreSede}, ${e.regione}, ${e.pec},
              ${e.stato}, ${e.ipConsentiti}::cidr[], ${e.orarioInizio}, ${e.orarioFine})`;
  }

  /**
   * Updates an ente visible in `scope`. An ente's referent changes its name,
   * PEC, seat and access restrictions; type, region and state are the
   * administrators'.
   */
  async updateEnte(
    scope: Scope,
    codice: string,
    e: Omit<Ente, "codice" | "regioneDenominazione">,
  ): Promise<boolean> {
    if (scope.kind === "regione") return false;
    const central = scope.kind === "nazionale";
    const rows = await this.sql`
      update enti set denominazione = ${e.denominazione}, belfiore_sede = ${e.belfioreSede},
        pec = ${e.pec}, ip_consentiti = ${e.ipConsentiti}::cidr[],
        orario_inizio = ${e.orarioInizio}, orario_fine = ${e.orarioFine},
        ${
      central ? this.sql`tipo = ${e.tipo}, regione = ${e.regione}, stato = ${e.stato},` : this.sql``
    }
        updated_at = now()
      where codice = ${codice} ${
      central ? this.sql`` : this.sql`and codice = ${(scope as { ente: string }).ente}`
    }
      returning codice`;
    return rows.length === 1;
  }

  /** The regions, for pickers. */
  async regioni(): Promise<{ codice: string; denominazione: string }[]> {
    return [
      ...await this.sql<{ codice: string; denominazione: string }[]>`
      select codice, denominazione from regioni order by codice`,
    ];
  }

  private enteColumns() {
    return this.sql`e.codice, e.tipo, e.denominazione, e.belfiore_sede, e.regione, e.pec, e.stato,
      e.ip_consentiti::text[] as ip_consentiti, to_char(e.orario_inizio, 'HH24:MI') as orario_inizio,
      to_char(e.orario_fine, 'HH24:MI') as orario_fine, r.denominazione as regione_denominazione`;
  }

  private userInScope(scope: Scope) {
    const sql = this.sql;
    if (scope.kind === "nazionale") return sql`true`;
    if (scope.kind === "regione") return sql`false`;
    return sql`exists (select 1 from abilitazioni a where a.utente_id = u.id and a.ente_codice = ${scope.ente})`;
  }

  private async insertEnablement(tx: Queryable, scope: Scope, utenteId: number, e: NewEnablement) {
    if (scope.kind === "regione") {
      throw new Error("un referente territoriale non gestisce abilitazioni");
    }
    if (scope.kind === "ente" && (!isEnteRole(e.ruolo) || e.enteCodice !== scope.ente)) {
      throw new Error("abilitazione fuori dall'ente del referente");
    }
    await tx`
      insert into abilitazioni (utente_id, ruolo, ente_codice, regione, valido_dal, valido_al)
      values (${utenteId}, ${e.ruolo}, ${e.enteCodice}, ${e.regione}, ${e.validoDal}::date,
              ${e.validoAl}::date)`;
  }
}

/** A new enablement. */
export interface NewEnablement {
  ruolo: Ruolo;
  enteCodice: string | null;
  regione: string | null;
  validoDal: string;
  validoAl: string | null;
}
