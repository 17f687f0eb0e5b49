/**
 * Domain benchmarks: canonical-record parsing plus all rules, in records per
 * second on one core, for CSV rows and for XML elements; and the batch insert
 * of 100 000 records through the repository, as a ratio to a plain COPY of
 * the same rows into a table with the same columns and indexes.
 * @module
 */
import { parse, stringify } from "csv/sync";
import { Builder, parseStringPromise } from "xml2js";
import { seedIdentityDemo } from "../../modules/auth/demo.ts";
import { ensureCodeTable } from "../../modules/prestazioni/code_table.ts";
import {
  CSV_COLUMNS,
  fromBeneficiarioElement,
  fromFlatInput,
  toBeneficiarioElement,
  type XmlElement,
} from "../../modules/prestazioni/record.ts";
import { loadReferenceData } from "../../modules/prestazioni/reference_data.ts";
import { type Accepted, PrestazioniRepo } from "../../modules/prestazioni/repo.ts";
import { checkRecord } from "../../modules/prestazioni/rules.ts";
import { loadRuleContext } from "../../modules/prestazioni/validation.ts";
import { migrate } from "../../modules/platform/migrate.ts";
import type { Sql } from "../../modules/platform/db.ts";
import { bestCopySeconds } from "./_db.ts";
import { flatRecord } from "./_records.ts";
import type { Figure } from "./platform.ts";

async function prepared(sql: Sql) {
  await migrate(sql);
  await seedIdentityDemo(sql);
  await ensureCodeTable(sql);
  await loadReferenceData(sql);
  return await loadRuleContext(sql);
}

/** Parsing and rules, for CSV rows and XML elements. */
export async function benchValidation(sql: Sql, n = 100_000): Promise<Figure[]> {
  const ctx = await prepared(sql);
  const rows = Array.from({ length: n }, (_, i) => flatRecord(i));
  const csv = stringify(rows, { delimiter: ";", header: true, columns: [...CSV_COLUMNS] });
  // XML elements as the streaming parser of a flow hands them over, one Beneficiario at a time.
  const builder = new Builder({ headless: true });
  const elements: XmlElement[] = [];
  for (const row of rows.slice(0, 2000)) {
    const parsed = fromFlatInput(row);
    if (!parsed.ok) throw new Error("record generato non valido");
    const xml = builder.buildObject({ Beneficiario: toBeneficiarioElement(parsed.record) });
    elements.push((await parseStringPromise(xml)).Beneficiario);
  }

  const header = csv.slice(0, csv.indexOf("\n")).split(";");
  // The same work twice: the first pass warms the JIT up (a real flow of 100 000 records
  // warms it within its first tens of thousands), the second is the steady rate reported.
  const rates = { csv: [] as number[], rows: [] as number[], xml: [] as number[] };
  for (let pass = 0; pass < 2; pass++) {
    let accepted = 0;
    let start = performance.now();
    for (const cells of parse(csv, { delimiter: ";", from_line: 2 }) as string[][]) {
      if (accepts(toRow(header, cells))) accepted++;
    }
    rates.csv.push(n / ((performance.now() - start) / 1000));
    if (accepted !== n) throw new Error(`solo ${accepted} record CSV accettati su ${n}`);

    const tokenized = parse(csv, { delimiter: ";", from_line: 2 }) as string[][];
    start = performance.now();
    for (const cells of tokenized) accepts(toRow(header, cells));
    rates.rows.push(n / ((performance.now() - start) / 1000));

    accepted = 0;
    start = performance.now();
    for (let i = 0; i < n; i++) {
      for (const p of fromBeneficiarioElement(elements[i % elements.length])) {
        if (p.ok && !checkRecord(p.record, ctx).some((v) => v.level === "scarto")) accepted++;
      }
    }
    rates.xml.push(n / ((performance.now() - start) / 1000));
    if (accepted !== n) throw new Error(`solo ${accepted} elementi XML accettati su ${n}`);
  }
  function accepts(row: Record<string, string>): boolean {
    const p = fromFlatInput(row);
    return p.ok && !checkRecord(p.record, ctx).some((v) => v.level === "scarto");
  }
  const figure = (name: string, r: number[], detail: string): Figure => ({
    name,
    value: Math.round(r[1]),
    unit: "record/s",
    detail: `${detail}; primo passaggio, a freddo: ${Math.round(r[0])}`,
  });
  return [
    figure(
      "file CSV: lettura delle righe, record canonico e regole",
      rates.csv,
      `${n} righe, un core`,
    ),
    figure("righe CSV già lette: record canonico e regole", rates.rows, `${n} righe, un core`),
    figure("elementi XML: record canonico e regole", rates.xml, `${n} elementi, un core`),
  ];
}

function toRow(header: string[], cells: string[]): Record<string, string> {
  const row: Record<string, string> = {};
  for (let j = 0; j < header.length; j++) row[header[j]] = cells[j] ?? "";
  return row;
}

/** Batch insert through the repository against COPY of the same rows (COPY only on a server). */
export async function benchInsert(sql: Sql, onServer: boolean, n = 100_000): Promise<Figure[]> {
  await prepared(sql);
  const records: Accepted[] = [];
  for (let i = 0; i < n; i++) {
    const p = fromFlatInput(flatRecord(i));
    if (!p.ok) throw new Error("record generato non valido");
    records.push({ record: p.record, warnings: [] });
  }
  // As the flows store: through COPY on a server, batches of 2 000.
  const repo = new PrestazioniRepo(sql, { copy: onServer });
  const start = performance.now();
  for (let i = 0; i < n; i += 2000) {
    await sql.begin(async (tx) => {
      const acq = await repo.newAcquisition(tx, "H501", { canale: "flusso", operatore: "bench" });
      await repo.insert(tx, "H501", acq, records.slice(i, i + 2000));
    });
  }
  const repoSeconds = (performance.now() - start) / 1000;
  const figures: Figure[] = [{
    name: "inserimento a lotti dal repository",
    value: Math.round(n / repoSeconds),
    unit: "record/s",
    detail: `${n} record in lotti da 2000${onServer ? ", tramite COPY" : ""}`,
  }];
  if (!onServer) {
    figures.push({
      name: "rapporto con COPY",
      value: 0,
      unit: "",
      detail: "non misurato: COPY non funziona sul database integrato",
    });
    return figures;
  }
  const copySeconds = await bestCopySeconds(sql);
  await sql`truncate sina, prestazioni`;
  figures.push({
    name: "rapporto repository / COPY",
    value: Math.round((copySeconds / repoSeconds) * 100) / 100,
    unit: "× COPY",
    detail: `COPY ${Math.round(n / copySeconds)} record/s, il migliore di tre`,
  });
  return figures;
}
