/**
 * Flows of an ente: their state, counts and checkpoint, their stored file
 * (read back block by block) and their rejected records. Every query takes
 * the ente and filters by it.
 * @module
 */
import { concat } from "../platform/bytes.ts";
import { binaryRows, copyIn, copyOut, firstBinaryFields } from "../platform/copy.ts";
import type { Queryable, Sql } from "../platform/db.ts";
import type { JobQueue } from "../platform/jobs.ts";
import { BLOCK_BYTES, type IntakeReport, type Tipo } from "./intake.ts";
import { INGEST_ATTEMPTS, INGEST_JOB } from "./ingest.ts";

/** Flow states (SPEC §6). */
export type Stato = "RICEVUTO" | "IN_ELABORAZIONE" | "ELABORATO" | "RIFIUTATO";
/** Flow outcomes (SPEC §6, with OK_CON_SCARTI). */
export type Esito = "OK" | "OK_CON_SCARTI" | "RICHIESTA_INVALIDA" | "ERRORE_GENERICO";

/** A flow as its pages show it. */
export interface Flusso {
  enteId: string;
  id: number;
  nomeFile: string;
  nomeFlusso: string | null;
  tipo: Tipo | null;
  formato: "csv" | "xml" | null;
  modalita: "invio" | "verifica";
  atomico: boolean;
  stato: Stato;
  esito: Esito | null;
  sha256: string | null;
  dimensione: number;
  codifica: string | null;
  separatore: string | null;
  operatore: string;
  cfOperatore: string | null;
  acquisizioneId: string | null;
  posizione: number;
  totale: number | null;
  ricevuti: number;
  accettati: number;
  scartati: number;
  annullati: number;
  avvisi: number;
  motivi: { riga: number; messaggio: string }[];
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** A line of the rejected-records report. */
export interface Scarto {
  posizione: number;
  chiave: string | null;
  regola: string;
  campo: string | null;
  valore: string | null;
  messaggio: string;
}

/** Filters of the flow list. */
export interface FlowFilters {
  dal?: string;
  al?: string;
  tipo?: Tipo;
  stato?: Stato;
  esito?: Esito;
}

const PAGE_SIZE = 20;

const columns = (sql: Sql | Queryable) =>
  sql`ente_id as "enteId", id, nome_file as "nomeFile", nome_flusso as "nomeFlusso", tipo,
    formato, modalita, atomico, stato, esito, sha256, dimensione, codifica, separatore, operatore,
    cf_operatore as "cfOperatore", acquisizione_id as "acquisizioneId", posizione, totale, ricevuti, accettati, scartati,
    annullati, avvisi, motivi, created_at as "createdAt", started_at as "startedAt",
    finished_at as "finishedAt"`;

/** The flows repository. */
export class FlussiRepo {
  constructor(readonly sql: Sql, readonly options: { copy?: boolean } = {}) {}

  /** Registers a flow being received. */
  async create(
    ente: string,
    f: {
      nomeFile: string;
      modalita: "invio" | "verifica";
      atomico: boolean;
      operatore: string;
      cfOperatore: string | null;
    },
  ): Promise<number> {
    const [{ id }] = await this.sql`
      insert into flussi (ente_id, nome_file, modalita, atomico, operatore, cf_operatore)
      values (${ente}, ${f.nomeFile.slice(0, 255)}, ${f.modalita}, ${f.atomico}, ${f.operatore},
              ${f.cfOperatore})
      returning id`;
    return id;
  }

  /** A flow of `ente`, or undefined. */
  async get(ente: string, id: number, tx: Queryable = this.sql): Promise<Flusso | undefined> {
    const [row] = await tx<Flusso[]>`
      select ${columns(this.sql)} from flussi where ente_id = ${ente} and id = ${id}`;
    return row;
  }

  /** The flow of `ente` in `invio` already holding this file, if any. */
  async withSha(ente: string, sha256: string): Promise<Flusso | undefined> {
    const [row] = await this.sql<Flusso[]>`
      select ${columns(this.sql)} from flussi
      where ente_id = ${ente} and sha256 = ${sha256} and modalita = 'invio' and stato <> 'RIFIUTATO'
        and esito is distinct from 'ERRORE_GENERICO'`;
    return row;
  }

  /** Refuses a flow as a whole. */
  async refuse(
    ente: string,
    id: number,
    f:
      & { sha256?: string; dimensione: number; motivi: { riga: number; messaggio: string }[] }
      & Partial<Pick<Flusso, "tipo" | "formato" | "codifica">>,
  ): Promise<void> {
    await this.sql`
      update flussi set stato = 'RIFIUTATO', esito = 'RICHIESTA_INVALIDA', finished_at = now(),
        sha256 = ${f.sha256 ?? null}, dimensione = ${f.dimensione}, tipo = ${f.tipo ?? null},
        formato = ${f.formato ?? null}, codifica = ${f.codifica ?? null},
        motivi = ${this.sql.json(f.motivi)}
      where ente_id = ${ente} and id = ${id}`;
  }

  /**
   * Accepts a flow that passed the first stage: records what it is, opens its
   * acquisition (when it stores), and enqueues its ingestion, atomically.
   * Throws a unique violation (23505) when the same file was accepted meanwhile.
   */
  async accept(
    ente: string,
    id: number,
    report: IntakeReport,
    f: {
      modalita: "invio" | "verifica";
      atomico: boolean;
      codifica: string | null;
      operatore: string;
      queue: JobQueue;
    },
  ): Promise<void> {
    await this.sql.begin(async (tx) => {
      let acquisizione: string | null = null;
      if (f.modalita === "invio") {
        [{ id: acquisizione }] = await tx`
          insert into acquisizioni (ente_id, canale, operatore, flusso_id)
          values (${ente}, 'flusso', ${f.operatore}, ${id}) returning id`;
      }
      await tx`
        update flussi set tipo = ${report.tipo!}, formato = ${report.formato!},
          codifica = ${f.codifica}, separatore = ${report.separatore ?? null},
          sha256 = ${report.sha256}, dimensione = ${report.bytes}, totale = ${report.totale},
          nome_flusso = ${report.nomeFlusso ?? null},
          modalita = ${f.modalita}, atomico = ${f.atomico}, acquisizione_id = ${acquisizione}
        where ente_id = ${ente} and id = ${id}`;
      await f.queue.enqueue(INGEST_JOB, { ente, flusso: id }, {
        tx,
        maxAttempts: INGEST_ATTEMPTS,
      });
    });
    // Committed: a worker of this process starts the flow now, not at its next poll.
    f.queue.wakeWorkers();
  }

  /**
   * Upkeep, run by a recurring job: a flow whose ingestion job failed for
   * good (its worker died on the last attempt) is closed with
   * ERRORE_GENERICO; the files of refused flows and dry runs are deleted
   * after `retentionDays` (accepted flows keep theirs).
   */
  async upkeep(retentionDays = 30): Promise<{ chiusi: number; file: number }> {
    const closed = await this.sql`
      update flussi f set stato = 'ELABORATO', esito = 'ERRORE_GENERICO', finished_at = now(),
        motivi = ${
      this.sql.json([{
        riga: 0,
        messaggio: "Elaborazione interrotta da un errore interno: inviare di nuovo il file.",
      }])
    }
      where f.stato in ('RICEVUTO', 'IN_ELABORAZIONE') and exists (
        select 1 from jobs j where j.kind = ${INGEST_JOB} and j.state = 'failed'
          and j.payload ->> 'ente' = f.ente_id and (j.payload ->> 'flusso')::bigint = f.id)
      returning id`;
    const files = await this.sql`
      delete from flussi_blocchi b using flussi f
      where f.ente_id = b.ente_id and f.id = b.flusso_id
        and (f.stato = 'RIFIUTATO' or f.modalita = 'verifica')
        and f.finished_at < now() - make_interval(days => ${retentionDays})
      returning b.flusso_id`;
    return { chiusi: closed.length, file: new Set(files.map((f) => f.flusso_id)).size };
  }

  /** Deletes a flow that was never accepted (a duplicate file, an upload cut short). */
  async discard(ente: string, id: number): Promise<void> {
    await this.sql`delete from flussi where ente_id = ${ente} and id = ${id}`;
  }

  /**
   * Stores block `n` of a flow's file (of at most {@linkcode BLOCK_BYTES}), as
   * rows of at most {@linkcode PART_BYTES}, in one statement. On a server
   * through binary `COPY`, which carries the bytes as they are; on the
   * embedded database as Base64, the cheapest text the driver can carry (it
   * would write bytea as hex).
   */
  async storeBlock(ente: string, id: number, n: number, data: Uint8Array): Promise<void> {
    if (data.length > BLOCK_BYTES) throw new RangeError(`blocco di ${data.length} byte`);
    const parts: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += PART_BYTES) {
      parts.push(data.subarray(at, at + PART_BYTES));
    }
    const first = n * PARTS_PER_BLOCK;
    if (!this.options.copy) {
      await this.sql`
        insert into flussi_blocchi (ente_id, flusso_id, n, dati)
        select ${ente}, ${id}, ${first} + k - 1, decode(part, 'base64')
        from unnest(${parts.map((p) => p.toBase64())}::text[]) with ordinality as u(part, k)`;
      return;
    }
    const rows = binaryRows(
      parts.map((bytes, k) => [{ text: ente }, { int8: id }, { int4: first + k }, { bytes }]),
    );
    // A transaction of its own: the statement after the data reads the COPY's outcome.
    await this.sql.begin((tx) =>
      copyIn(
        tx,
        "copy flussi_blocchi (ente_id, flusso_id, n, dati) from stdin (format binary)",
        [rows],
      )
    );
  }

  /**
   * The blocks of a flow's file, in order, one at a time; inside a
   * transaction, read through it (`tx`).
   */
  async *blocks(ente: string, id: number, tx: Queryable = this.sql): AsyncGenerator<Uint8Array> {
    for (let n = 0;; n++) {
      const parts = await this.#parts(ente, id, n * PARTS_PER_BLOCK, tx);
      if (parts.length === 0) return;
      yield parts.length === 1 ? parts[0] : concat(parts);
    }
  }

  /**
   * The rows of a block, from row `first`, in order. (A file stored before
   * blocks were cut into parts has a row per block, numbered in order too: a
   * block's range then holds several whole blocks, read together.)
   */
  async #parts(ente: string, id: number, first: number, tx: Queryable): Promise<Uint8Array[]> {
    const end = first + PARTS_PER_BLOCK;
    if (!this.options.copy) {
      const rows = await tx`
        select encode(dati, 'base64') as dati from flussi_blocchi
        where ente_id = ${ente} and flusso_id = ${id} and n >= ${first} and n < ${end}
        order by n`;
      return rows.map((row) => Uint8Array.fromBase64(row.dati));
    }
    // COPY takes no parameters: the literals are written here, the ente's quoted, the numbers
    // checked to be integers.
    if (!Number.isSafeInteger(id) || !Number.isSafeInteger(first)) throw new RangeError("blocco");
    return firstBinaryFields(
      await copyOut(
        tx,
        `copy (select dati from flussi_blocchi where ente_id = ${literal(ente)}
           and flusso_id = ${id} and n >= ${first} and n < ${end} order by n)
         to stdout (format binary)`,
      ),
    );
  }

  /** A page of the ente's flows, newest first. */
  async list(
    ente: string,
    filters: FlowFilters,
    page: number,
  ): Promise<{ items: Flusso[]; page: number; pages: number }> {
    const sql = this.sql;
    const where = sql`ente_id = ${ente}
      ${filters.dal ? sql`and created_at >= ${filters.dal}::date` : sql``}
      ${filters.al ? sql`and created_at < ${filters.al}::date + 1` : sql``}
      ${filters.tipo ? sql`and tipo = ${filters.tipo}` : sql``}
      ${filters.stato ? sql`and stato = ${filters.stato}` : sql``}
      ${filters.esito ? sql`and esito = ${filters.esito}` : sql``}`;
    const [{ total }] = await sql`select count(*) as total from flussi where ${where}`;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const current = Math.min(Math.max(1, page), pages);
    const items = await sql<Flusso[]>`
      select ${columns(sql)} from flussi where ${where}
      order by created_at desc, id desc limit ${PAGE_SIZE} offset ${(current - 1) * PAGE_SIZE}`;
    return { items: [...items], page: current, pages };
  }

  /** A page of a flow's rejected records, in file order. */
  async scarti(
    ente: string,
    id: number,
    page: number,
    size = 50,
  ): Promise<{ items: Scarto[]; page: number; pages: number; total: number }> {
    const [{ total }] = await this.sql`
      select count(*) as total from flussi_scarti where ente_id = ${ente} and flusso_id = ${id}`;
    const pages = Math.max(1, Math.ceil(total / size));
    const current = Math.min(Math.max(1, page), pages);
    const items = await this.sql<Scarto[]>`
      select posizione, chiave, regola, campo, valore, messaggio from flussi_scarti
      where ente_id = ${ente} and flusso_id = ${id}
      order by posizione, id limit ${size} offset ${(current - 1) * size}`;
    return { items: [...items], page: current, pages, total };
  }

  /**
   * Every rejected record of a flow, in file order, 2 000 at a time. Keyset
   * pages, not a cursor: a slow download must not hold a connection (the
   * embedded database has only one).
   */
  async *allScarti(ente: string, id: number): AsyncGenerator<Scarto[]> {
    let after = { posizione: -1, id: 0 };
    for (;;) {
      const rows = await this.sql<(Scarto & { id: number })[]>`
        select id, posizione, chiave, regola, campo, valore, messaggio from flussi_scarti
        where ente_id = ${ente} and flusso_id = ${id}
          and (posizione, id) > (${after.posizione}, ${after.id})
        order by posizione, id limit 2000`;
      if (rows.length === 0) return;
      after = rows.at(-1)!;
      yield rows.map(({ id: _, ...s }) => s);
    }
  }
}

/**
 * The most bytes a stored row of a file holds. A row of a megabyte cost the
 * server more than its data: each copy of a value that large (received,
 * decoded, made a tuple) is memory the allocator maps afresh, page by page;
 * rows of 64 KiB reuse the memory of the previous ones.
 */
export const PART_BYTES = 64 * 1024;
const PARTS_PER_BLOCK = BLOCK_BYTES / PART_BYTES;

/** `text` as an escaped SQL string literal: read alike whatever `standard_conforming_strings` is. */
const literal = (text: string): string =>
  `E'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
