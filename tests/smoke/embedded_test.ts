import assert from "node:assert/strict";
import { join } from "node:path";
import { openDatabase } from "../../modules/platform/db.ts";
import { spawnDeno, startServer } from "../_process.ts";
import { SECTIONS } from "../../views/sections.ts";

const noSanitizers = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name:
    "smoke: the embedded default starts with demo data, answers /ready and persists across restarts",
  ...noSanitizers,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "siuss-smoke-" });
    try {
      const first = await startServer({ DATA_DIR: dataDir });
      const base = `http://127.0.0.1:${first.port}`;
      try {
        const ready = await fetch(`${base}/ready`);
        assert.equal(ready.status, 200);
        assert.equal((await ready.json()).status, "ready");
        const home = await (await fetch(base)).text();
        for (const s of SECTIONS) assert.ok(home.includes(`href="${s.path}"`), s.path);
        assert.match(home, /Ambiente dimostrativo/);
      } finally {
        const status = await first.stop("SIGTERM");
        assert.equal(status.code, 0);
        assert.ok(first.lines.some((l) => l.includes("arresto completato")));
      }
      assert.ok(first.lines.some((l) => l.includes("migrazioni applicate")));

      const db = await openDatabase({ dataDir: join(dataDir, "pg") });
      await db.sql`insert into app_settings (key, value) values ('smoke', '"segno"')`;
      await db.close();

      const second = await startServer({ DATA_DIR: dataDir });
      try {
        assert.equal((await fetch(`http://127.0.0.1:${second.port}/ready`)).status, 200);
      } finally {
        assert.equal((await second.stop("SIGINT")).code, 0);
      }
      assert.ok(
        !second.lines.some((l) => l.includes("migrazioni applicate")),
        "nothing to migrate again",
      );

      const again = await openDatabase({ dataDir: join(dataDir, "pg") });
      const [row] = await again.sql`select value from app_settings where key = 'smoke'`;
      await again.close();
      assert.equal(row?.value, "segno");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "smoke: an unreachable database or a bad setting stops the start with a clear message",
  ...noSanitizers,
  async fn() {
    const unreachable = spawnDeno("main.ts", {
      DATABASE_URL: "postgres://postgres:segreta@127.0.0.1:1/siuss",
    });
    const s1 = await unreachable.stop("SIGCONT");
    assert.equal(s1.code, 1);
    const out1 = unreachable.lines.join("\n");
    assert.match(out1, /Database non raggiungibile \(127\.0\.0\.1:1\/siuss\)/);
    assert.doesNotMatch(out1, /segreta|^\s+at /m);

    const badPort = spawnDeno("main.ts", { PORT: "ottomila" });
    const s2 = await badPort.stop("SIGCONT");
    assert.equal(s2.code, 1);
    assert.match(badPort.lines.join("\n"), /PORT = "ottomila": deve essere un numero intero/);
  },
});
