/**
 * The section's own reads: web acquisitions as operations (what each did, to
 * which record), the latest personal data an ente transmitted for a person,
 * and the ente's envelope data. Every query is filtered by the ente asked.
 * @module
 */
import type { Queryable, Sql } from "../platform/db.ts";
import type { Indirizzo } from "../prestazioni/record.ts";

/** What a web acquisition did. */
export type Operazione = "inserimento" | "annullamento" | "rettifica";

/** A web acquisition of an ente, as its receipt shows it. */
export interface Acquisizione {
  id: string;
  enteId: string;
  operazione: Operazione | null;
  canale: string;
  operatore: string;
  cfOperatore: string | null;
  motivo: string | null;
  createdAt: Date;
  /** The progressive number of its flow name. */
  progressivo: number;
  /** The records this acquisition stored. */
  inserite: number[];
  /** The records this acquisition cancelled (annullamento, rettifica). */
  annullate: number[];
}

/** A line of the list of recent operations. */
export interface Operation {
  id: string;
  operazione: Operazione | null;
  createdAt: Date;
  operatore: string;
  prestazioneId: number | null;
  codiceFiscale: string | null;
  cognome: string | null;
  nome: string | null;
  codicePrestazione: string | null;
  protocolloDomanda: string | null;
}

/** A page of operations. */
export interface OperationsPage {
  items: Operation[];
  page: number;
  pages: number;
}

/** Personal data an ente already transmitted for a codice fiscale. */
export interface KnownPerson {
  Cognome: string;
  Nome: string;
  AnnoNascita: string;
  LuogoNascita: string;
  Genere: string;
  CodiceCittadinanza: string;
  CodiceSecondaCittadinanza: string | null;
  Indirizzi: Indirizzo[];
}

/** The envelope data of an ente (Ente/@Denominazione, Ente/@Indirizzo). */
export interface EnteEnvelope {
  codice: string;
  denominazione: string;
  belfioreSede: string;
}

const PAGE_SIZE = 20;

/** The section's queries. */
export class AcquisizioneRepo {
  constructor(readonly sql: Sql) {}

  /**
   * Opens a web acquisition carrying the form's token; undefined when an
   * acquisition of `ente` already carries it (the form was sent twice).
   * Inside a transaction the insert waits for a concurrent one with the same
   * token, so exactly one of two simultaneous submissions gets through.
   */
  async open(
    tx: Queryable,
    ente: string,
    a: { operazione: Operazione; operatore: string; cfOperatore: string | null; motivo?: string },
    form: { token: string; impronta: string },
  ): Promise<string | undefined> {
    const [row] = await tx`
      insert into acquisizioni (ente_id, canale, operatore, cf_operatore, operazione, motivo,
                                idempotenza, impronta)
      values (${ente}, 'web', ${a.operatore}, ${a.cfOperatore}, ${a.operazione},
              ${a.motivo ?? null}, ${form.token}, ${form.impronta})
      on conflict (ente_id, idempotenza) where idempotenza is not null do nothing
      returning id`;
    return row?.id;
  }

  /** The acquisition of `ente` that carries the form token, with the fingerprint of what it did. */
  async byToken(
    ente: string,
    idempotenza: string,
  ): Promise<{ id: string; impronta: string | null } | undefined> {
    const [row] = await this.sql<{ id: string; impronta: string | null }[]>`
      select id, impronta from acquisizioni where ente_id = ${ente} and idempotenza = ${idempotenza}`;
    return row;
  }

  /**
   * A web acquisition of `ente` with the records it stored and cancelled, or
   * undefined (flows have their own receipts, in Trasmissione flussi).
   */
  async get(ente: string, id: string): Promise<Acquisizione | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.sql`
      select a.id, a.ente_id, a.operazione, a.canale, a.operatore, a.cf_operatore, a.motivo,
             a.created_at, a.progressivo,
             array(select p.id from prestazioni p where p.ente_id = a.ente_id and p.acquisizione_id = a.id
                   order by p.id) as inserite,
             array(select p.id from prestazioni p where p.ente_id = a.ente_id and p.annullata_da = a.id
                   order by p.id) as annullate
      from acquisizioni a where a.ente_id = ${ente} and a.id = ${id}::uuid and a.canale = 'web'`;
    if (!row) return undefined;
    return {
      id: row.id,
      enteId: row.ente_id,
      operazione: row.operazione,
      canale: row.canale,
      operatore: row.operatore,
      cfOperatore: row.cf_operatore,
      motivo: row.motivo,
      createdAt: row.created_at,
      progressivo: row.progressivo,
      inserite: row.inserite.map(Number),
      annullate: row.annullate.map(Number),
    };
  }

  /** The ente's web operations, newest first. */
  async recent(ente: string, page: number): Promise<OperationsPage> {
    const [{ total }] = await this.sql`
      select count(*) as total from acquisizioni where ente_id = ${ente} and canale = 'web'`;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const current = Math.min(Math.max(1, page), pages);
    const rows = await this.sql`
      select a.id, a.operazione, a.created_at, a.operatore, r.id as prestazione_id, r.codice_fiscale,
             r.cognome, r.nome, r.codice_prestazione, r.protocollo_domanda
      from (select * from acquisizioni where ente_id = ${ente} and canale = 'web'
            order by created_at desc limit ${PAGE_SIZE} offset ${(current - 1) * PAGE_SIZE}) a
      left join lateral (
        select p.id, p.codice_fiscale, p.cognome, p.nome, p.codice_prestazione, p.protocollo_domanda
        from prestazioni p
        where p.ente_id = a.ente_id and (p.acquisizione_id = a.id or p.annullata_da = a.id)
        order by (p.acquisizione_id = a.id) desc limit 1
      ) r on true
      order by a.created_at desc`;
    return {
      page: current,
      pages,
      items: rows.map((r) => ({
        id: r.id,
        operazione: r.operazione,
        createdAt: r.created_at,
        operatore: r.operatore,
        prestazioneId: r.prestazione_id,
        codiceFiscale: r.codice_fiscale,
        cognome: r.cognome,
        nome: r.nome,
        codicePrestazione: r.codice_prestazione,
        protocolloDomanda: r.protocollo_domanda,
      })),
    };
  }

  /** The personal data of the latest record `ente` transmitted for `cf`, if any. */
  async knownPerson(ente: string, cf: string): Promise<KnownPerson | undefined> {
    const [row] = await this.sql<KnownPerson[]>`
      select cognome as "Cognome", nome as "Nome", anno_nascita as "AnnoNascita",
             luogo_nascita as "LuogoNascita", genere as "Genere",
             codice_cittadinanza as "CodiceCittadinanza",
             codice_seconda_cittadinanza as "CodiceSecondaCittadinanza", indirizzi as "Indirizzi"
      from prestazioni where ente_id = ${ente} and codice_fiscale = ${cf}
      order by id desc limit 1`;
    return row;
  }

  /** The ente's name and seat, for the XML envelope. */
  async envelope(ente: string): Promise<EnteEnvelope | undefined> {
    const [row] = await this.sql<EnteEnvelope[]>`
      select codice, denominazione, belfiore_sede as "belfioreSede" from enti where codice = ${ente}`;
    return row;
  }
}

/** Whether `id` can be an acquisition id: anything else is simply not found, never a 500. */
export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
