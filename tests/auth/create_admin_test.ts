import assert from "node:assert/strict";
import { createAdmin } from "../../modules/auth/create_admin.ts";
import { dbTest } from "../_db.ts";
import { spawnDeno } from "../_process.ts";

dbTest(
  "admin:create: creates an administrator who can log in; refuses weak or duplicate data",
  async (_t, db) => {
    const id = await createAdmin(db.sql, {
      username: "capo",
      nome: "Ada",
      cognome: "Lovelace",
      password: "una password lunga abbastanza",
    });
    const [row] = await db.sql`select ruolo, ente_codice from abilitazioni where utente_id = ${id}`;
    assert.deepEqual({ ...row }, { ruolo: "amministratore", ente_codice: null });
    await assert.rejects(
      () =>
        createAdmin(db.sql, {
          username: "capo",
          nome: "A",
          cognome: "B",
          password: "un'altra password lunga",
        }),
      /Esiste già un utente capo/,
    );
    await assert.rejects(
      () => createAdmin(db.sql, { username: "altro", nome: "A", cognome: "B", password: "corta" }),
      /almeno 12 caratteri/,
    );
  },
);

Deno.test({
  name: "admin:create: the command reads the data from the environment",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "siuss-admin-" });
    try {
      const env = {
        DATA_DIR: dataDir,
        ADMIN_USERNAME: "primo.admin",
        ADMIN_NOME: "Primo",
        ADMIN_COGNOME: "Amministratore",
        ADMIN_PASSWORD: "una password lunga abbastanza",
      };
      const ok = spawnDeno("main.ts", env, ["admin:create"]);
      const status = await ok.stop("SIGCONT");
      assert.equal(status.code, 0, ok.lines.join("\n"));
      assert.ok(ok.lines.some((l) => l.includes("Amministratore primo.admin creato")));
      const again = spawnDeno("main.ts", env, ["admin:create"]);
      assert.equal((await again.stop("SIGCONT")).code, 1);
      assert.ok(again.lines.some((l) => l.includes("Esiste già un utente primo.admin")));
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
