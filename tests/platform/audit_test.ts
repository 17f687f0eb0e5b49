import assert from "node:assert/strict";
import { createAudit } from "../../modules/platform/audit.ts";
import { dbTest } from "../_db.ts";

dbTest("audit: records events and lists them newest first, by ente", async (_t, db) => {
  const audit = createAudit(db.sql);
  await audit.record({ actor: "admin", action: "ente.creazione", object: "H501", ip: "10.1.2.3" });
  await audit.record({
    actor: "RSSMRA80A01H501U",
    ente: "H501",
    action: "prestazione.lettura",
    object: "42",
    details: { records: 1 },
    requestId: "req-1",
  });
  const all = await audit.recent();
  assert.equal(all.length, 2);
  assert.equal(all[0].action, "prestazione.lettura");
  assert.deepEqual(all[0].details, { records: 1 });
  assert.equal(all[0].request_id, "req-1");
  assert.equal(all[1].ip, "10.1.2.3");
  const h501 = await audit.recent({ ente: "H501" });
  assert.deepEqual(h501.map((r) => r.object), ["42"]);
});

dbTest("audit: the log refuses update, delete and truncate", async (_t, db) => {
  const audit = createAudit(db.sql);
  await audit.record({ actor: "admin", action: "prova" });
  await assert.rejects(() => db.sql`update audit_log set actor = 'altro'`, /sola aggiunta/);
  await assert.rejects(() => db.sql`delete from audit_log`, /sola aggiunta/);
  await assert.rejects(() => db.sql`truncate audit_log`, /sola aggiunta/);
  assert.equal((await audit.recent()).length, 1);
});

dbTest(
  "audit: an event recorded in a rolled-back transaction disappears with the write",
  async (_t, db) => {
    const audit = createAudit(db.sql);
    await assert.rejects(() =>
      db.sql.begin(async (tx) => {
        await audit.record({ actor: "admin", action: "prova" }, tx);
        throw new Error("annullata");
      })
    );
    assert.equal((await audit.recent()).length, 0);
  },
);
