import assert from "node:assert/strict";
import { seedIdentityDemo } from "../../modules/auth/demo.ts";
import { concat } from "../../modules/platform/bytes.ts";
import { CSV_COLUMNS } from "../../modules/prestazioni/record.ts";
import { BLOCK_BYTES, FlowIntake, MAX_RECORD_BYTES } from "../../modules/trasmissione/intake.ts";
import { FlussiRepo } from "../../modules/trasmissione/repo.ts";
import { inspectionWorker } from "../../modules/trasmissione/xml_inspection.ts";
import { WorkerPool } from "../../modules/platform/worker_pool.ts";
import { dbTest } from "../_db.ts";
import { rows, xmlOf } from "./_flows.ts";

const header = CSV_COLUMNS.join(";");
const row = (cf: string) => `${cf};${"x;".repeat(CSV_COLUMNS.length - 2)}y`;

// Files whose records, blank lines, quotes and long lines fall anywhere among the chunks.
const FILES: [name: string, text: string, totale: number][] = [
  ["CRLF", `${header}\r\n${row("A")}\r\n${row("B")}\r\n`, 2],
  ["no final line end", `${header}\n${row("A")}\n${row("B")}`, 2],
  ["blank and white lines", `${header}\n\n${row("A")}\n \t\r\n\n${row("B")}\n\n`, 2],
  ["quotes late", `${header}\n${row("A")}\n"a\nb";${row("B")}\n${row("C")}\n`, 3],
  ["a quote left open", `${header}\n${row("A")}\n"${row("B")}\n${row("C")}\n`, 2],
  [
    "a line too long",
    `${header}\n${row("A")}\n${"z".repeat(MAX_RECORD_BYTES + 10)}\n${row("B")}\n`,
    3,
  ],
];

/** A new flow of H501, for a file named `nomeFile`. */
function newFlow(flussi: FlussiRepo, nomeFile: string): Promise<number> {
  return flussi.create("H501", {
    nomeFile,
    modalita: "invio",
    atomico: false,
    operatore: "test",
    cfOperatore: "RSSMRA80A01H501U",
  });
}

dbTest("FlowIntake: CSV counts and problems do not depend on where chunks end", async (_t, db) => {
  await seedIdentityDemo(db.sql);
  const flussi = new FlussiRepo(db.sql, { copy: db.kind === "server" });
  for (const [name, text, totale] of FILES) {
    const bytes = new TextEncoder().encode(text);
    let first: string | undefined;
    for (const size of [bytes.length, 1, 7, 64, 4096]) {
      const flussoId = await newFlow(flussi, "f.csv");
      const intake = new FlowIntake(flussi, { ente: "H501", flussoId });
      for (let at = 0; at < bytes.length; at += size) {
        await intake.push(bytes.slice(at, at + size));
      }
      const report = await intake.finish("H501");
      assert.equal(report.totale, totale, `${name}, chunks of ${size}`);
      const seen = JSON.stringify(report.problems);
      first ??= seen;
      assert.equal(seen, first, `${name}, chunks of ${size}`);
    }
    if (name === "a line too long") assert.match(first!, /"riga":3,"messaggio":"Riga più lunga/);
    if (name === "a quote left open") assert.match(first!, /"riga":3,"messaggio":"Virgolette/);
  }
});

dbTest(
  "FlowIntake: an XML inspection worker given back inspects the next upload as a new one does",
  async (_t, db) => {
    await seedIdentityDemo(db.sql);
    const flussi = new FlussiRepo(db.sql, { copy: db.kind === "server" });
    const valid = xmlOf(rows(30));
    const files = [
      valid,
      // Against the XSD: an attribute the schema does not know, a benefit code too long.
      valid.replace("<Anagrafica ", '<Anagrafica Extra="1" ').replace(
        'CodicePrestazione="A1.04"',
        'CodicePrestazione="A1.04.99.99"',
      ),
      // Not well-formed halfway.
      valid.slice(0, valid.length / 2) + "<<",
      // Another ente's flow (R13).
      valid.replace('<Ente Codice="H501"', '<Ente Codice="F205"'),
      // Over two blocks, wrong in the last one.
      (() => {
        const large = xmlOf(rows(2500, 100));
        const at = large.lastIndexOf("<Anagrafica ") + "<Anagrafica ".length;
        return `${large.slice(0, at)}Extra="1" ${large.slice(at)}`;
      })(),
    ];
    const reportOf = async (text: string, pool?: WorkerPool) => {
      const flussoId = await newFlow(flussi, "f.xml");
      const intake = new FlowIntake(flussi, { ente: "H501", flussoId }, pool);
      const bytes = new TextEncoder().encode(text);
      for (let at = 0; at < bytes.length; at += 1000) await intake.push(bytes.slice(at, at + 1000));
      return await intake.finish("H501");
    };
    const fresh = [];
    for (const text of files) fresh.push(await reportOf(text));
    assert.equal(fresh[0].problems.length, 0);
    assert.ok(fresh.slice(1, 4).every((r) => r.problems.length > 0));
    assert.ok(files[4].length > BLOCK_BYTES);
    assert.match(JSON.stringify(fresh[4].problems), /Beneficiario n\. 2500: Anagrafica: Extra/);
    let spawned = 0;
    const pool = new WorkerPool(() => {
      spawned++;
      return inspectionWorker();
    });
    pool.start();
    try {
      for (const k of [0, 1, 0, 2, 0, 3, 1, 4, 0]) {
        assert.deepEqual(await reportOf(files[k], pool), fresh[k], `file ${k}`);
      }
      // Findings, even of a refused file, leave the worker ready for the next upload.
      assert.equal(spawned, 1);
      // An upload abandoned halfway ends its worker; the next upload has a new one.
      const flussoId = await newFlow(flussi, "f.xml");
      const abandoned = new FlowIntake(flussi, { ente: "H501", flussoId }, pool);
      await abandoned.push(new TextEncoder().encode(files[4]).slice(0, 3 * BLOCK_BYTES / 2));
      abandoned.close();
      assert.equal(spawned, 2);
      assert.deepEqual(await reportOf(files[0], pool), fresh[0]);
      assert.equal(spawned, 2);
    } finally {
      pool.stop();
    }
  },
);

dbTest(
  "FlowIntake: a chunk may be reused once taken: the file stored and its hash are the file's",
  async (_t, db) => {
    await seedIdentityDemo(db.sql);
    const flussi = new FlussiRepo(db.sql, { copy: db.kind === "server" });
    const bytes = new TextEncoder().encode(xmlOf(rows(5000, 100)));
    assert.ok(bytes.length > 2 * BLOCK_BYTES);
    const flussoId = await newFlow(flussi, "f.xml");
    const intake = new FlowIntake(flussi, { ente: "H501", flussoId });
    // One buffer for every chunk, overwritten as soon as each push resolves.
    const chunk = new Uint8Array(4099);
    for (let at = 0; at < bytes.length; at += chunk.length) {
      const piece = bytes.subarray(at, at + chunk.length);
      chunk.set(piece);
      await intake.push(chunk.subarray(0, piece.length));
      chunk.fill(0x3c);
    }
    const report = await intake.finish("H501");
    assert.deepEqual(report.problems, []);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    assert.equal(
      report.sha256,
      Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
    );
    const stored: Uint8Array[] = [];
    for await (const block of flussi.blocks("H501", flussoId)) stored.push(block);
    // Whole blocks but the last.
    assert.ok(stored.slice(0, -1).every((block) => block.length === BLOCK_BYTES));
    assert.deepEqual(concat(stored), bytes);
  },
);
