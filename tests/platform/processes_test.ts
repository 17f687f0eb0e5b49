import assert from "node:assert/strict";
import { readMigrations } from "../../modules/platform/migrate.ts";
import { dbTest, onServer } from "../_db.ts";
import { startServer } from "../_process.ts";

if (!onServer) {
  console.log(
    "saltato: avvio concorrente di due processi: richiede un server PostgreSQL (TEST_DATABASE_URL); " +
      "il database integrato esegue una query alla volta, quindi il secondo processo in attesa del lock " +
      "delle migrazioni bloccherebbe anche il primo",
  );
}

dbTest(
  "processes: two app processes starting at once on one database migrate once",
  async (_t, db) => {
    const env = { DATABASE_URL: db.url, ROLE: "all", DEMO: "0" };
    const [a, b] = await Promise.all([startServer(env), startServer(env)]);
    try {
      for (const p of [a, b]) {
        const res = await fetch(`http://127.0.0.1:${p.port}/ready`);
        assert.equal(res.status, 200);
        assert.equal((await res.json()).status, "ready");
      }
    } finally {
      const statuses = await Promise.all([a.stop(), b.stop()]);
      assert.deepEqual(statuses.map((s) => s.code), [0, 0], "both stop cleanly on SIGTERM");
    }
    const files = await readMigrations();
    const rows = await db.sql`select version from schema_migrations order by version`;
    assert.deepEqual(rows.map((r) => r.version), files.map((f) => f.version));
    const migrated = [a, b].filter((p) => p.lines.some((l) => l.includes("migrazioni applicate")));
    assert.equal(migrated.length, 1, "exactly one process applied the migrations");
  },
  { migrated: false, ignore: !onServer },
);
