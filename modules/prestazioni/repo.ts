/**
 * Storage of benefit records: one repository used by every channel. Records
 * are never deleted: a cancellation marks a record `annullata`, a correction
 * (rettifica) cancels and inserts atomically, linking the new version to the
 * old. Every function takes the ente whose data it touches and filters by it.
 *
 * @example
 * ```ts
 * const repo = new PrestazioniRepo(db.sql);
 * await db.sql.begin(async (tx) => {
 *   const acq = await repo.newAcquisition(tx, "H501", { canale: "web", operatore: "RSSMRA80A01H501U" });
 *   const [outcome] = await repo.insert(tx, "H501", acq, [{ record, warnings: [] }]);
 * });
 * ```
 * @module
 */
import { copyIn } from "../platform/copy.ts";
import type { Queryable, Sql, Transaction } from "../platform/db.ts";
import type { Indirizzo, PsRecord } from "./record.ts";
import { referenceDate, type Violation } from "./rules.ts";

/** Who and how a submission arrived. */
export interface AcquisitionMeta {
  canale: "web" | "flusso" | "api" | "waas";
  operatore: string;
  flussoId?: number;
}

/** A record ready to store, with the warnings it was accepted with. */
export interface Accepted {
  record: PsRecord;
  warnings: Violation[];
}

/**
 * Records to store through `COPY`, written ahead as text (see
 * {@linkcode LineWriter} and {@linkcode sinaLine}): what a flow's worker
 * sends instead of the records themselves.
 */
export interface CopyBatch {
  /** The business key of each record. */
  keys: string[];
  /** The `ProtocolloDomanda` of each, which an R15 names. */
  protocolli: string[];
  /** The `COPY` line of each. */
  lines: EncodedLines;
  /** The SINA line of each, or `""` for a record without an assessment. */
  sina: string[];
}

/**
 * `COPY` lines in UTF-8, each ended by a line feed (a line holds none of its
 * own: `COPY` escapes them): bytes a worker can hand over without a copy,
 * and that need no encoding on their way to the database.
 */
export interface EncodedLines {
  bytes: Uint8Array;
  /** Where each line ends, after its line feed. */
  ends: Uint32Array;
}

/**
 * The `COPY` lines of records to store, written straight into UTF-8 bytes
 * ({@linkcode EncodedLines}): each value escaped and encoded as it is
 * copied, into a buffer reused after each {@linkcode LineWriter.take}.
 * (Lines built as strings and then encoded cost twice as much: the
 * concatenations, then the flattening and encoding of the whole.)
 */
export class LineWriter {
  #bytes = new Uint8Array(1 << 16);
  #used = 0;
  #ends: number[] = [];

  /** Lines added since the last {@linkcode take}. */
  get length(): number {
    return this.#ends.length;
  }

  /** Adds the line of a record to store: every column but the id, ending in a line feed. */
  add(ente: string, acquisizione: string, { record, warnings }: Accepted): void {
    for (let c = 0; c < COLUMNS.length; c++) {
      if (c > 0) this.#byte(TAB);
      const v = COLUMNS[c][2](record, warnings, ente, acquisizione);
      if (v === null || v === undefined) this.#text("\\N", false);
      else this.#text(asText(v), true);
    }
    this.#byte(LF);
    this.#ends.push(this.#used);
  }

  /** The lines added since the last call, in an array of their own size. */
  take(): EncodedLines {
    const lines = { bytes: this.#bytes.slice(0, this.#used), ends: Uint32Array.from(this.#ends) };
    this.#used = 0;
    this.#ends = [];
    return lines;
  }

  #byte(b: number) {
    this.#room(1);
    this.#bytes[this.#used++] = b;
  }

  /** `s` in UTF-8 (a lone surrogate as U+FFFD, as `TextEncoder` writes it), `COPY`-escaped if `escape`. */
  #text(s: string, escape: boolean) {
    // At most three bytes per UTF-16 unit: a pair takes four, an escape two.
    this.#room(3 * s.length);
    const b = this.#bytes;
    let at = this.#used;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        const escaped = escape ? COPY_ESCAPED[c] : 0;
        if (escaped) {
          b[at++] = BACKSLASH;
          b[at++] = escaped;
        } else b[at++] = c;
      } else if (c < 0x800) {
        b[at++] = 0xc0 | (c >> 6);
        b[at++] = 0x80 | (c & 0x3f);
      } else if ((c & 0xf800) !== 0xd800) {
        at = utf8Three(b, at, c);
      } else if (c < 0xdc00 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        b[at++] = 0xf0 | (cp >> 18);
        b[at++] = 0x80 | ((cp >> 12) & 0x3f);
        b[at++] = 0x80 | ((cp >> 6) & 0x3f);
        b[at++] = 0x80 | (cp & 0x3f);
      } else at = utf8Three(b, at, 0xfffd);
    }
    this.#used = at;
  }

  #room(n: number) {
    if (this.#used + n <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(2 * this.#bytes.length, this.#used + n));
    grown.set(this.#bytes.subarray(0, this.#used));
    this.#bytes = grown;
  }
}

function utf8Three(b: Uint8Array, at: number, c: number): number {
  b[at] = 0xe0 | (c >> 12);
  b[at + 1] = 0x80 | ((c >> 6) & 0x3f);
  b[at + 2] = 0x80 | (c & 0x3f);
  return at + 3;
}

/** The `COPY` lines of `records`. */
function linesOf(ente: string, acquisizione: string, records: readonly Accepted[]): EncodedLines {
  const writer = new LineWriter();
  for (const accepted of records) writer.add(ente, acquisizione, accepted);
  return writer.take();
}

const LF = 10;
const TAB = 9;
const BACKSLASH = 92;

/** The outcome of storing one record, in the order given. */
export type StoreOutcome = { ok: true; id: number } | { ok: false; violation: Violation };

/** The business key of a record (SPEC §3.5). */
export function businessKey(r: PsRecord): string {
  return [r.CodiceFiscale, r.CodicePrestazione, r.ProtocolloDomanda, referenceDate(r) ?? ""].join(
    "|",
  );
}

/** A column a stored record fills: its name, its type, and its value for a record. */
type Column = readonly [
  name: string,
  type: string,
  value: (r: PsRecord, warnings: Violation[], ente: string, acquisizione: string) => unknown,
];

// The columns a stored record fills (the others keep their defaults), with their values.
// The ente and the acquisition come first: a line written ahead starts with them (see `insertLines`).
const COLUMNS: readonly Column[] = [
  ["ente_id", "text", (_r, _w, ente) => ente],
  ["acquisizione_id", "uuid", (_r, _w, _e, acquisizione) => acquisizione],
  ["banca", "text", (r) => r.PresenzaProvaMezzi === "1" ? "PSA" : "PS"],
  ["codice_fiscale", "text", (r) => r.CodiceFiscale],
  ["codice_prestazione", "text", (r) => r.CodicePrestazione],
  ["protocollo_domanda", "text", (r) => r.ProtocolloDomanda],
  ["data_riferimento", "date", (r) => referenceDate(r)!],
  ["cognome", "text", (r) => r.Cognome],
  ["nome", "text", (r) => r.Nome],
  ["anno_nascita", "text", (r) => r.AnnoNascita],
  ["luogo_nascita", "text", (r) => r.LuogoNascita],
  ["genere", "text", (r) => r.Genere],
  ["codice_cittadinanza", "text", (r) => r.CodiceCittadinanza],
  ["codice_seconda_cittadinanza", "text", (r) => r.CodiceSecondaCittadinanza ?? null],
  ["indirizzi", "jsonb", (r) => r.Indirizzi],
  ["denominazione_prestazione", "text", (r) => r.DenominazionePrestazione],
  ["presenza_prova_mezzi", "text", (r) => r.PresenzaProvaMezzi],
  ["carattere_prestazione", "text", (r) => r.CaratterePrestazione!],
  ["numero_protocollo_dsu", "text", (r) => r.NumeroProtocolloDSU ?? null],
  ["anno_protocollo_dsu", "text", (r) => r.AnnoProtocolloDSU ?? null],
  ["data_dsu", "date", (r) => r.DataDSU ?? null],
  ["data_evento", "date", (r) => r.DataEvento ?? null],
  ["data_inizio_prestazione", "date", (r) => r.DataInizioPrestazione ?? null],
  ["data_fine_prestazione", "date", (r) => r.DataFinePrestazione ?? null],
  ["data_erogazione_prestazione", "date", (r) => r.DataErogazionePrestazione ?? null],
  ["periodo_erogazione", "smallint", (r) => r.PeriodoErogazione ?? null],
  ["importo_prestazione", "numeric", (r) => r.ImportoPrestazione ?? null],
  ["importo_mensile", "numeric", (r) => r.ImportoMensile ?? null],
  ["importo_quota_ente", "numeric", (r) => r.ImportoQuotaEnte ?? null],
  ["importo_quota_utente", "numeric", (r) => r.ImportoQuotaUtente ?? null],
  ["importo_quota_ssn", "numeric", (r) => r.ImportoQuotaSSN ?? null],
  ["importo_quota_richiesta", "numeric", (r) => r.ImportoQuotaRichiesta ?? null],
  ["importo_soglia_isee", "numeric", (r) => r.ImportoSogliaISEE ?? null],
  ["ore_servizio_mensile", "numeric", (r) => r.OreServizioMensile ?? null],
  ["presa_carico", "text", (r) => r.PresaCarico],
  ["area_utenza", "text", (r) => r.AreaUtenza ?? null],
  [
    "avvisi",
    "jsonb",
    (_r, warnings) => warnings.map(({ rule, field, message }) => ({ rule, field, message })),
  ],
];

/** A record's values in `COLUMNS` order. */
function rowValues(ente: string, acquisizione: string, { record, warnings }: Accepted): unknown[] {
  const values = new Array<unknown>(COLUMNS.length);
  for (let c = 0; c < COLUMNS.length; c++) {
    values[c] = COLUMNS[c][2](record, warnings, ente, acquisizione);
  }
  return values;
}

// One array per column, unnested by PostgreSQL: a batch of any size is one prepared statement
// with 37 parameters (PostgreSQL allows 65 535), planned once per connection.
const INSERT_SQL = `
  insert into prestazioni (${COLUMNS.map(([name]) => name).join(", ")})
  select * from unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::text[]::${type}[]`).join(", ")})
  on conflict (ente_id, codice_fiscale, codice_prestazione, protocollo_domanda, data_riferimento)
    where stato = 'attiva' do nothing
  returning id, codice_fiscale || '|' || codice_prestazione || '|' || protocollo_domanda || '|' ||
    data_riferimento::text as key`;

// Below this many rows a batch is not worth `COPY`'s extra round trips.
const COPY_MIN = 100;

const COPY_SQL = `copy prestazioni (id, ${COLUMNS.map(([name]) => name).join(", ")}) from stdin`;
const STAGE_COPY_SQL = COPY_SQL.replace("copy prestazioni", "copy prestazioni_copia");
const STAGE_INSERT_SQL = `
  insert into prestazioni overriding system value select * from prestazioni_copia
  on conflict (ente_id, codice_fiscale, codice_prestazione, protocollo_domanda, data_riferimento)
    where stato = 'attiva' do nothing
  returning id`;

// The SINA assessment's one-value columns and their attributes.
const SINA_ATTRIBUTES: Record<string, string> = {
  mobilita: "Mobilita",
  attivita_vita_quotidiana: "AttivitaVitaQuotidiana",
  disturbi_area_cognitiva: "DisturbiAreaCognitiva",
  disturbi_comportamentali: "DisturbiComportamentali",
  necessita_cure_sanitarie: "NecessitaCureSanitarie",
  area_reddituale: "AreaReddituale",
  area_supporto: "AreaSupporto",
  fonte_derivazione_valutazione: "FonteDerivazioneValutazione",
  strumento_valutazione: "StrumentoValutazione",
  fonte_derivazione_invalidita: "FonteDerivazioneInvalidita",
};

// The columns of a stored assessment, in the order `insert` builds its rows.
const SINA_COLUMNS: readonly (readonly [string, string])[] = [
  ["ente_id", "text"],
  ["prestazione_id", "int8"],
  ...Object.keys(SINA_ATTRIBUTES).map((column) => [column, "text"] as const),
  ["necessita_interventi_sociali", "text[]"],
  ["invalidita_civile", "text[]"],
];

// An array column travels as a text array of array literals, cast row by row.
const SINA_INSERT_SQL = `
  insert into sina (${SINA_COLUMNS.map(([name]) => name).join(", ")})
  select ${
  SINA_COLUMNS.map(([, type], i) => type === "text[]" ? `c${i}::text[]` : `c${i}`).join(", ")
}
  from unnest(${
  SINA_COLUMNS.map(([, type], i) =>
    type === "text[]" ? `$${i + 1}::text[]` : `$${i + 1}::text[]::${type}[]`
  )
    .join(", ")
}) as u(${SINA_COLUMNS.map((_, i) => `c${i}`).join(", ")})`;

const SINA_COPY_SQL = `copy sina (${SINA_COLUMNS.map(([name]) => name).join(", ")}) from stdin`;

/** `COPY`'s text format of a row. */
function copyText(values: readonly unknown[]): string {
  let line = "";
  for (let c = 0; c < values.length; c++) {
    const v = values[c];
    if (c > 0) line += "\t";
    if (v === null || v === undefined) line += "\\N";
    else {
      const s = asText(v);
      line += escapes(s) ? s.replace(COPY_SPECIALS, (ch) => COPY_ESCAPES[ch]) : s;
    }
  }
  return line;
}

/** Whether `s` holds a character `COPY` escapes: a loop, cheaper than a regular expression on short values. */
function escapes(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80 && COPY_ESCAPED[c]) return true;
  }
  return false;
}

/** A SINA assessment's values in `SINA_COLUMNS` order, but for its ente and record id. */
function sinaValues(s: NonNullable<PsRecord["SINA"]>): unknown[] {
  const attrs = s as unknown as Record<string, string | undefined>;
  return [
    ...Object.values(SINA_ATTRIBUTES).map((name) => attrs[name] ?? null),
    arrayLiteral(s.NecessitaInterventiSociali),
    arrayLiteral(s.InvCiv),
  ];
}

/** The `COPY` line of a SINA assessment but for its ente and record id, which storing prepends. */
export const sinaLine = (s: NonNullable<PsRecord["SINA"]>): string => copyText(sinaValues(s));

/** A value as PostgreSQL reads it in text: JSON for objects (the `jsonb` columns). */
const asText = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);

const COPY_SPECIALS = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
};
// The same escapes for bytes (`LineWriter`): the character after the backslash, by code (0: none).
const COPY_ESCAPED = new Uint8Array(0x80);
for (const [c, escape] of Object.entries(COPY_ESCAPES)) {
  COPY_ESCAPED[c.charCodeAt(0)] = escape.charCodeAt(1);
}

/**
 * A PostgreSQL array literal of text values, written directly: the generic
 * serializer of the driver costs more than the insert itself on large batches.
 */
function arrayLiteral(values: readonly unknown[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = "NULL";
    else {
      const s = asText(v);
      // Most values hold neither quote nor backslash: no regular expression for them.
      parts[i] = s.includes('"') || s.includes("\\")
        ? `"${s.replace(/[\\"]/g, "\\$&")}"`
        : `"${s}"`;
    }
  }
  return `{${parts.join(",")}}`;
}

/** R15: the business key of the record with this `ProtocolloDomanda` is already active. */
export function duplicate(protocollo: string): Violation {
  return {
    rule: "R15",
    level: "scarto",
    field: "ProtocolloDomanda",
    value: protocollo,
    message:
      "Prestazione già presente e attiva con la stessa chiave (codice fiscale, codice, protocollo, data).",
  };
}

/** R16: no active record to cancel with the business key of the record with this `ProtocolloDomanda`. */
export function notFound(protocollo: string): Violation {
  return {
    rule: "R16",
    level: "scarto",
    field: "ProtocolloDomanda",
    value: protocollo,
    message:
      "Nessuna prestazione attiva da annullare con questa chiave (codice fiscale, codice, protocollo, data).",
  };
}

/**
 * Ids of `prestazioni`'s sequence, the next batch's asked for while a batch
 * is stored, on a connection of the pool (a sequence is outside
 * transactions), so that the next transaction does not wait for them. Ids
 * missing are asked for in the transaction itself: it never waits for the
 * pool, which it may be the last connection of. Ids never used are a gap.
 */
class IdReserve {
  #spare: number[] = [];
  #asking = false;

  constructor(private readonly sql: Sql) {}

  /** `n` fresh ids. */
  async take(tx: Queryable, n: number): Promise<number[]> {
    const ids = this.#spare.splice(0, n);
    if (ids.length < n) ids.push(...await nextIds(tx, n - ids.length));
    if (!this.#asking) {
      this.#asking = true;
      // A failure here only means the next batch asks for its own.
      nextIds(this.sql, n).then((more) => this.#spare.push(...more), () => {})
        .finally(() => this.#asking = false);
    }
    return ids;
  }
}

async function nextIds(sql: Queryable, n: number): Promise<number[]> {
  // The sequence is looked up once, by the subquery: as nextval's argument, the lookup in the
  // catalogue would run again for every id.
  const rows = await sql.unsafe(
    `select nextval((select pg_get_serial_sequence('prestazioni', 'id')::regclass))::int8 as id
     from generate_series(1, $1::int)`,
    [n],
    { prepare: true },
  );
  return rows.map((row) => Number(row.id));
}

/** Whether every line of `lines` starts with `prefix`. */
function linesStartWith(lines: EncodedLines, prefix: string): boolean {
  const head = new TextEncoder().encode(prefix);
  const { bytes, ends } = lines;
  for (let i = 0, start = 0; i < ends.length; start = ends[i++]) {
    if (ends[i] - start < head.length) return false;
    for (let b = 0; b < head.length; b++) if (bytes[start + b] !== head[b]) return false;
  }
  return true;
}

/** The lines `chosen` of `lines`, each preceded by its id (`ids[k]` for `chosen[k]`) and a tab. */
function withIds(
  lines: EncodedLines,
  chosen: readonly number[],
  ids: readonly number[],
): Uint8Array {
  const { bytes, ends } = lines;
  let size = 0;
  for (const i of chosen) size += ends[i] - (i ? ends[i - 1] : 0) + 21; // an id has ≤ 20 digits
  const out = new Uint8Array(size);
  let at = 0;
  chosen.forEach((i, k) => {
    const id = String(ids[k]);
    for (let d = 0; d < id.length; d++) out[at++] = id.charCodeAt(d);
    out[at++] = TAB;
    const start = i ? ends[i - 1] : 0;
    out.set(bytes.subarray(start, ends[i]), at);
    at += ends[i] - start;
  });
  return out.subarray(0, at);
}

/**
 * The indexes of the first record of each key, in order; `repeated` is
 * called with the index of every later one (an R15 within the batch).
 */
function firstOfEachKey(keys: string[], repeated: (i: number) => void): number[] {
  const seen = new Set<string>();
  const fresh: number[] = [];
  keys.forEach((key, i) => {
    if (seen.has(key)) repeated(i);
    else {
      seen.add(key);
      fresh.push(i);
    }
  });
  return fresh;
}

const refused = (r: PsRecord | string): StoreOutcome => ({
  ok: false,
  violation: duplicate(typeof r === "string" ? r : r.ProtocolloDomanda),
});

/**
 * A refused `COPY`'s rows, stored through a table of the session's own and
 * the statement that skips conflicts: the ids of the rows stored.
 */
async function copyThroughStage(tx: Transaction, text: Uint8Array): Promise<Set<number>> {
  // Emptied at each commit, and after each use: an all-or-nothing flow uses it many times.
  await tx.unsafe(
    `create temp table if not exists prestazioni_copia (like prestazioni including defaults)
     on commit delete rows`,
  );
  await copyIn(tx, STAGE_COPY_SQL, [text]);
  const rows = await tx.unsafe(STAGE_INSERT_SQL);
  await tx.unsafe("truncate prestazioni_copia");
  return new Set(rows.map((row) => Number(row.id)));
}

/** How the repository stores large batches. */
export interface PrestazioniRepoOptions {
  /**
   * Batches through `COPY`. A PostgreSQL server only: the embedded
   * database's socket does not carry `COPY FROM STDIN`.
   */
  copy?: boolean;
}

/** The benefit-record repository. */
export class PrestazioniRepo {
  readonly #ids: IdReserve;

  constructor(readonly sql: Sql, readonly options: PrestazioniRepoOptions = {}) {
    this.#ids = new IdReserve(sql);
  }

  /** Opens an acquisition of `ente` and returns its id (`id_acquisizione`). */
  async newAcquisition(tx: Queryable, ente: string, meta: AcquisitionMeta): Promise<string> {
    const [{ id }] = await tx`
      insert into acquisizioni (ente_id, canale, operatore, flusso_id)
      values (${ente}, ${meta.canale}, ${meta.operatore}, ${meta.flussoId ?? null}) returning id`;
    return id;
  }

  /**
   * Inserts records of `ente`; a record whose business key is already
   * active, in the database or earlier in the same batch, is refused with
   * R15. Outcomes follow the order of `records`.
   */
  async insert(
    tx: Queryable,
    ente: string,
    acquisizione: string,
    records: Accepted[],
  ): Promise<StoreOutcome[]> {
    // COPY needs a transaction: for the savepoint that lets it fail.
    if (this.options.copy === true && "savepoint" in tx && records.length >= COPY_MIN) {
      return await this.insertLines(tx as Transaction, ente, acquisizione, {
        keys: records.map((a) => businessKey(a.record)),
        protocolli: records.map((a) => a.record.ProtocolloDomanda),
        lines: linesOf(ente, acquisizione, records),
        sina: records.map((a) => a.record.SINA ? sinaLine(a.record.SINA) : ""),
      });
    }
    const outcomes: StoreOutcome[] = new Array(records.length);
    const keys = records.map((a) => businessKey(a.record));
    const fresh = firstOfEachKey(keys, (i) => outcomes[i] = refused(records[i].record));
    if (fresh.length === 0) return outcomes;
    const rows = fresh.map((i) => rowValues(ente, acquisizione, records[i]));
    const inserted = await tx.unsafe(
      INSERT_SQL,
      COLUMNS.map((_, c) => arrayLiteral(rows.map((row) => row[c]))),
      { prepare: true },
    );
    const ids = new Map(inserted.map((row) => [row.key as string, row.id as number]));
    const sina: unknown[][] = [];
    for (const i of fresh) {
      const id = ids.get(keys[i]);
      if (id === undefined) {
        outcomes[i] = refused(records[i].record);
        continue;
      }
      outcomes[i] = { ok: true, id };
      const s = records[i].record.SINA;
      if (s) sina.push([ente, id, ...sinaValues(s)]);
    }
    if (sina.length > 0) {
      await tx.unsafe(
        SINA_INSERT_SQL,
        SINA_COLUMNS.map((_, c) => arrayLiteral(sina.map((row) => row[c]))),
        { prepare: true },
      );
    }
    return outcomes;
  }

  /**
   * Inserts records of `ente` written ahead as `COPY` lines, as
   * {@linkcode insert} does (outcomes in order, R15 for a key already
   * active), through `COPY`, PostgreSQL's bulk path: ids are taken from the
   * table's sequence first (`COPY` writes an identity column as given). When
   * a key is already active (stored before, or by another transaction
   * meanwhile) the unique index refuses the whole `COPY`: the lines then go
   * to a table of the transaction's own, and from there to `prestazioni` by
   * the statement that skips conflicts. A PostgreSQL server only.
   */
  async insertLines(
    tx: Transaction,
    ente: string,
    acquisizione: string,
    batch: CopyBatch,
  ): Promise<StoreOutcome[]> {
    const { keys, protocolli, lines, sina } = batch;
    // Lines are checked to be the ente's: they were written elsewhere.
    if (!linesStartWith(lines, `${ente}\t${acquisizione}\t`) || lines.ends.length !== keys.length) {
      throw new Error(`righe COPY di un altro ente o di un'altra acquisizione (${ente})`);
    }
    const outcomes: StoreOutcome[] = new Array(keys.length);
    const fresh = firstOfEachKey(keys, (i) => outcomes[i] = refused(protocolli[i]));
    if (fresh.length === 0) return outcomes;
    const ids = await this.#ids.take(tx, fresh.length);
    const text = withIds(lines, fresh, ids);
    let stored: Set<number> | undefined; // undefined: every one
    try {
      // A savepoint of its own: a refused COPY leaves the rest of the transaction intact.
      await tx.savepoint((sp) => copyIn(sp, COPY_SQL, [text]));
    } catch {
      // Whatever refused it (a key taken, as a rule) refuses the statement too, with its own
      // error, or not: then the statement stores the batch.
      stored = await copyThroughStage(tx, text);
    }
    let sinaText = "";
    fresh.forEach((i, k) => {
      if (stored && !stored.has(ids[k])) {
        outcomes[i] = refused(protocolli[i]);
        return;
      }
      outcomes[i] = { ok: true, id: ids[k] };
      if (sina[i]) sinaText += `${ente}\t${ids[k]}\t${sina[i]}\n`;
    });
    if (sinaText) await copyIn(tx, SINA_COPY_SQL, sinaText);
    return outcomes;
  }

  /**
   * Cancels the active records of `ente` with the business keys of `records`
   * (`TipoOperazione = C`); a key with no active record is refused with R16.
   */
  async cancel(
    tx: Queryable,
    ente: string,
    acquisizione: string,
    records: PsRecord[],
  ): Promise<StoreOutcome[]> {
    if (records.length === 0) return [];
    const keys = records.map((r) => businessKey(r));
    const rows = await tx`
      update prestazioni p set stato = 'annullata', annullata_da = ${acquisizione}, annullata_at = now()
      from unnest(${records.map((r) => r.CodiceFiscale)}::text[], ${
      records.map((r) => r.CodicePrestazione)
    }::text[],
                  ${records.map((r) => r.ProtocolloDomanda)}::text[], ${
      records.map((r) => referenceDate(r)!)
    }::date[])
        as k(codice_fiscale, codice_prestazione, protocollo_domanda, data_riferimento)
      where p.ente_id = ${ente} and p.stato = 'attiva'
        and (p.codice_fiscale, p.codice_prestazione, p.protocollo_domanda, p.data_riferimento)
          = (k.codice_fiscale, k.codice_prestazione, k.protocollo_domanda, k.data_riferimento)
      returning p.id, p.codice_fiscale || '|' || p.codice_prestazione || '|' || p.protocollo_domanda || '|' ||
        p.data_riferimento::text as key`;
    const ids = new Map(rows.map((row) => [row.key as string, row.id as number]));
    const used = new Set<string>();
    return keys.map((key, i) => {
      const id = ids.get(key);
      if (id === undefined || used.has(key)) {
        return { ok: false, violation: notFound(records[i].ProtocolloDomanda) };
      }
      used.add(key);
      return { ok: true, id };
    });
  }

  /**
   * Corrects an active record of `ente` (rettifica): cancels it and inserts
   * `replacement` as its next version, atomically. Undefined when the record
   * is not an active record of `ente`.
   */
  async correct(
    tx: Queryable,
    ente: string,
    acquisizione: string,
    id: number,
    replacement: Accepted,
  ): Promise<StoreOutcome | undefined> {
    const versione = await this.cancelById(tx, ente, acquisizione, id);
    if (versione === undefined) return undefined;
    const [outcome] = await this.insert(tx, ente, acquisizione, [replacement]);
    if (outcome.ok) {
      await tx`update prestazioni set precedente_id = ${id}, versione = ${versione + 1}
               where ente_id = ${ente} and id = ${outcome.id}`;
    }
    return outcome;
  }

  /**
   * Cancels the active record `id` of `ente` and returns its version;
   * undefined when it is not an active record of `ente` (already cancelled
   * or corrected, or another ente's).
   */
  async cancelById(
    tx: Queryable,
    ente: string,
    acquisizione: string,
    id: number,
  ): Promise<number | undefined> {
    const [row] = await tx`
      update prestazioni set stato = 'annullata', annullata_da = ${acquisizione}, annullata_at = now()
      where ente_id = ${ente} and id = ${id} and stato = 'attiva' returning versione`;
    return row?.versione;
  }

  /** Corrects several records of `ente`, each as {@linkcode correct} does, in the caller's transaction. */
  async correctBatch(
    tx: Queryable,
    ente: string,
    acquisizione: string,
    corrections: { id: number; replacement: Accepted }[],
  ): Promise<(StoreOutcome | undefined)[]> {
    const outcomes: (StoreOutcome | undefined)[] = [];
    for (const c of corrections) {
      outcomes.push(await this.correct(tx, ente, acquisizione, c.id, c.replacement));
    }
    return outcomes;
  }

  /**
   * Records of `ente` by id, as the canonical record (official attribute
   * names, SINA included): what a receipt shows, the XML of a record, the
   * form of a rettifica. Ids of other enti are absent from the map.
   */
  async records(
    ente: string,
    ids: readonly number[],
    tx: Queryable = this.sql,
  ): Promise<Map<number, PsRecord>> {
    if (ids.length === 0) return new Map();
    const rows = await tx`
      select p.id, ${recordColumns(this.sql)}, to_jsonb(s) as sina
      from prestazioni p left join sina s on s.ente_id = p.ente_id and s.prestazione_id = p.id
      where p.ente_id = ${ente} and p.id = any(${ids as number[]}::bigint[])`;
    return new Map(rows.map((row) => [row.id as number, toRecord(row)]));
  }

  /** The warnings each record of `ente` was accepted with. */
  async warnings(ente: string, ids: readonly number[]): Promise<Map<number, Violation[]>> {
    if (ids.length === 0) return new Map();
    const rows = await this.sql`
      select id, avvisi from prestazioni where ente_id = ${ente} and id = any(${ids as number[]}::bigint[])`;
    return new Map(rows.map((r) => [r.id as number, r.avvisi as Violation[]]));
  }

  /** The active record of `ente` with the business key of `r`, if any (the one R15 collides with). */
  async activeWithKey(ente: string, r: PsRecord): Promise<number | undefined> {
    const [row] = await this.sql`
      select id from prestazioni
      where ente_id = ${ente} and stato = 'attiva' and codice_fiscale = ${r.CodiceFiscale}
        and codice_prestazione = ${r.CodicePrestazione} and protocollo_domanda = ${r.ProtocolloDomanda}
        and data_riferimento = ${referenceDate(r) ?? null}::date`;
    return row?.id;
  }

  /** A record of `ente` with its acquisition, or undefined (another ente's record does not exist here). */
  async get(ente: string, id: number): Promise<StoredRecord | undefined> {
    const [row] = await this.sql<StoredRecord[]>`
      select p.*, p.data_riferimento::text as data_riferimento, a.canale, a.operatore, a.created_at as acquisita_at
      from prestazioni p join acquisizioni a on a.ente_id = p.ente_id and a.id = p.acquisizione_id
      where p.ente_id = ${ente} and p.id = ${id}`;
    return row;
  }

  /** Every version of the record `id` of `ente`, oldest first: its predecessors and successors. */
  async history(ente: string, id: number): Promise<StoredRecord[]> {
    return [
      ...await this.sql<StoredRecord[]>`
      with recursive back as (
        select id, precedente_id from prestazioni where ente_id = ${ente} and id = ${id}
        union all
        select p.id, p.precedente_id from prestazioni p join back b on p.id = b.precedente_id
        where p.ente_id = ${ente}
      ), forward as (
        select id from prestazioni where ente_id = ${ente} and id = ${id}
        union all
        select p.id from prestazioni p join forward f on p.precedente_id = f.id where p.ente_id = ${ente}
      )
      select p.*, p.data_riferimento::text as data_riferimento, a.canale, a.operatore, a.created_at as acquisita_at
      from prestazioni p join acquisizioni a on a.ente_id = p.ente_id and a.id = p.acquisizione_id
      where p.ente_id = ${ente} and p.id in (select id from back union select id from forward)
      order by p.versione, p.id`,
    ];
  }
}

/** A stored record as read back, with its acquisition. */
export interface StoredRecord {
  id: number;
  ente_id: string;
  stato: "attiva" | "annullata";
  banca: "PS" | "PSA";
  versione: number;
  precedente_id: number | null;
  acquisizione_id: string;
  codice_fiscale: string;
  codice_prestazione: string;
  protocollo_domanda: string;
  data_riferimento: string;
  canale: AcquisitionMeta["canale"];
  operatore: string;
  acquisita_at: Date;
  [column: string]: unknown;
}

// The stored columns under their official attribute names; dates and amounts as text, exact.
function recordColumns(sql: Sql) {
  return sql`
    p.codice_fiscale as "CodiceFiscale", p.cognome as "Cognome", p.nome as "Nome",
    p.anno_nascita as "AnnoNascita", p.luogo_nascita as "LuogoNascita", p.genere as "Genere",
    p.codice_cittadinanza as "CodiceCittadinanza",
    p.codice_seconda_cittadinanza as "CodiceSecondaCittadinanza", p.indirizzi as "Indirizzi",
    p.codice_prestazione as "CodicePrestazione",
    p.denominazione_prestazione as "DenominazionePrestazione",
    p.protocollo_domanda as "ProtocolloDomanda", p.presenza_prova_mezzi as "PresenzaProvaMezzi",
    p.carattere_prestazione as "CaratterePrestazione",
    p.numero_protocollo_dsu as "NumeroProtocolloDSU", p.anno_protocollo_dsu as "AnnoProtocolloDSU",
    p.data_dsu::text as "DataDSU", p.data_evento::text as "DataEvento",
    p.data_inizio_prestazione::text as "DataInizioPrestazione",
    p.data_fine_prestazione::text as "DataFinePrestazione",
    p.data_erogazione_prestazione::text as "DataErogazionePrestazione",
    p.periodo_erogazione as "PeriodoErogazione",
    p.importo_prestazione::text as "ImportoPrestazione", p.importo_mensile::text as "ImportoMensile",
    p.importo_quota_ente::text as "ImportoQuotaEnte",
    p.importo_quota_utente::text as "ImportoQuotaUtente",
    p.importo_quota_ssn::text as "ImportoQuotaSSN",
    p.importo_quota_richiesta::text as "ImportoQuotaRichiesta",
    p.importo_soglia_isee::text as "ImportoSogliaISEE",
    p.ore_servizio_mensile::text as "OreServizioMensile", p.presa_carico as "PresaCarico",
    p.area_utenza as "AreaUtenza"`;
}

function toRecord(row: Record<string, unknown>): PsRecord {
  const record: Record<string, unknown> = { TipoOperazione: "I" };
  for (const [k, v] of Object.entries(row)) {
    if (v !== null && k !== "id" && k !== "sina") record[k] = v;
  }
  record.Indirizzi = (row.Indirizzi as Indirizzo[]).map((a) =>
    Object.fromEntries(Object.entries(a).filter(([, v]) => v !== null && v !== undefined))
  );
  const s = row.sina as Record<string, unknown> | null;
  if (s) {
    const sina: Record<string, unknown> = {
      NecessitaInterventiSociali: s.necessita_interventi_sociali,
      InvCiv: s.invalidita_civile,
    };
    for (const [column, name] of Object.entries(SINA_ATTRIBUTES)) {
      if (s[column] !== null) sina[name] = s[column];
    }
    record.SINA = sina;
  }
  return record as PsRecord;
}
