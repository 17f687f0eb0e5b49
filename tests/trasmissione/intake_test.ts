import assert from "node:assert/strict";
import { seedIdentityDemo } from "../../modules/auth/demo.ts";
import { CSV_COLUMNS } from "../../modules/prestazioni/record.ts";
import { FlowIntake, MAX_RECORD_BYTES } from "../../modules/trasmissione/intake.ts";
import { FlussiRepo } from "../../modules/trasmissione/repo.ts";
import { dbTest } from "../_db.ts";

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

dbTest("FlowIntake: CSV counts and problems do not depend on where chunks end", async (_t, db) => {
  await seedIdentityDemo(db.sql);
  const flussi = new FlussiRepo(db.sql, { copy: db.kind === "server" });
  for (const [name, text, totale] of FILES) {
    const bytes = new TextEncoder().encode(text);
    let first: string | undefined;
    for (const size of [bytes.length, 1, 7, 64, 4096]) {
      const flussoId = await flussi.create("H501", {
        nomeFile: "f.csv",
        modalita: "invio",
        atomico: false,
        operatore: "test",
        cfOperatore: "RSSMRA80A01H501U",
      });
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
