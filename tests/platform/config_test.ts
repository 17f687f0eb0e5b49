import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../modules/platform/config.ts";

Deno.test("config: defaults for an empty environment use the embedded database with demo data", () => {
  const c = loadConfig({});
  assert.equal(c.port, 8000);
  assert.equal(c.host, "127.0.0.1");
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.dataDir, "./data");
  assert.equal(c.demo, true);
  assert.equal(c.role, "all");
  assert.equal(c.https, false);
});

Deno.test("config: a given DATABASE_URL gets no demo data unless DEMO=1", () => {
  const url = "postgres://postgres@127.0.0.1:5432/siuss";
  assert.equal(loadConfig({ DATABASE_URL: url }).demo, false);
  assert.equal(loadConfig({ DATABASE_URL: url, DEMO: "1" }).demo, true);
  assert.equal(loadConfig({ DEMO: "0" }).demo, false);
});

Deno.test("config: an https BASE_URL turns on HTTPS behaviour", () => {
  assert.equal(loadConfig({ BASE_URL: "https://siuss.example.it" }).https, true);
  assert.equal(loadConfig({ BASE_URL: "http://localhost:8000" }).https, false);
});

Deno.test("config: empty variables count as unset", () => {
  assert.equal(loadConfig({ PORT: "", DATABASE_URL: "" }).port, 8000);
});

Deno.test("config: bad values are all named in one Italian message, without the database password", () => {
  assert.throws(
    () =>
      loadConfig({
        PORT: "abc",
        ROLE: "boss",
        DATABASE_URL: "mysql://u:segreta@h/db",
        BASE_URL: "ftp://x",
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /Configurazione non valida/);
      assert.match(error.message, /PORT = "abc": deve essere un numero intero/);
      assert.match(error.message, /ROLE = "boss": valori ammessi: web, worker, all/);
      assert.match(error.message, /DATABASE_URL = \(nascosto\): deve iniziare con postgres:\/\//);
      assert.match(error.message, /BASE_URL = "ftp:\/\/x"/);
      assert.doesNotMatch(error.message, /segreta/);
      return true;
    },
  );
  assert.throws(
    () => loadConfig({ PORT: "70000" }),
    /PORT = "70000": deve essere al massimo 65535/,
  );
});
