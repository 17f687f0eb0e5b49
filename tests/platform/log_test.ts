import assert from "node:assert/strict";
import { createLogger, redact } from "../../modules/platform/log.ts";

Deno.test("log: codici fiscali, partite IVA and e-mail addresses are masked", () => {
  assert.equal(
    redact(
      "CF RSSMRA80A01H501U, omocodico RSSMRA80A01H50MU, ente 80078750587, mario@comune.roma.it",
    ),
    "CF [riservato], omocodico [riservato], ente [riservato], [riservato]",
  );
  assert.equal(redact('relation "jobs" does not exist'), 'relation "jobs" does not exist');
});

Deno.test("log: lines below the level are dropped; fields are JSON", () => {
  const lines: string[] = [];
  const log = createLogger("warn", (l) => lines.push(l));
  log.info("scartata");
  log.warn("tenuta", { job: 7 });
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0]);
  assert.equal(entry.level, "warn");
  assert.equal(entry.msg, "tenuta");
  assert.equal(entry.job, 7);
});
