import assert from "node:assert/strict";
import { Hono } from "hono";
import { accessProblem, ipInCidr, isCidr } from "../../modules/auth/access.ts";
import { enablementSchema, enteSchema, newUserSchema } from "../../modules/auth/admin_forms.ts";
import { safeNext } from "../../modules/auth/routes.tsx";
import { clientIp } from "../../modules/platform/web/client_ip.ts";
import { dbTest } from "../_db.ts";
import { authApp, PASSWORD } from "./_client.ts";

Deno.test("hardening: `next` never leads to another site", () => {
  for (
    const bad of [
      "//evil.example",
      "/\\evil.example",
      "/\t/evil.example",
      "/ /x",
      "https://evil.example",
      "x",
    ]
  ) {
    assert.equal(safeNext(bad), "/", JSON.stringify(bad));
  }
  assert.equal(safeNext("/acquisizione?pagina=2"), "/acquisizione?pagina=2");
  assert.equal(safeNext("/%09/evil.example"), "/%09/evil.example", "still encoded: a local path");
});

Deno.test("hardening: behind a proxy the client is the address the proxy appended last", async () => {
  const app = new Hono();
  app.get("/", (c) => c.text(String(clientIp(c, true))));
  const res = await app.request("/", { headers: { "X-Forwarded-For": "10.1.2.3, 203.0.113.9" } });
  assert.equal(await res.text(), "203.0.113.9", "the spoofable first entry is ignored");
  const direct = new Hono();
  direct.get("/", (c) => c.text(String(clientIp(c, false))));
  const env = { remoteAddr: { hostname: "198.51.100.4" } };
  assert.equal(
    await (await direct.request("/", { headers: { "X-Forwarded-For": "10.1.2.3" } }, env)).text(),
    "198.51.100.4",
  );
});

Deno.test("hardening: CIDR and IP parsing refuse what PostgreSQL would refuse", () => {
  assert.equal(isCidr("10.0.0.0/8"), true);
  assert.equal(isCidr("10.0.0.1/8"), false, "host bits set");
  assert.equal(isCidr("2001:db8::/32"), true);
  assert.equal(isCidr("2001:db8::1/32"), false);
  assert.equal(isCidr("12345::/16"), false, "a group of more than 4 digits");
  assert.equal(isCidr("1:2:3:4:5:6:7:8::9"), false, "too many groups around ::");
  assert.equal(isCidr("10.0.0.0/33"), false);
  assert.equal(ipInCidr("1:2:3:4:5:6:7:8::9", "::/0"), false);
  assert.equal(ipInCidr("::ffff:10.1.2.3", "10.0.0.0/8"), true);
  const rules = { ipConsentiti: [], orarioInizio: "22:00", orarioFine: "06:00" };
  assert.equal(
    accessProblem(rules, null, new Date("2026-03-10T23:30:00Z")),
    undefined,
    "past midnight",
  );
  assert.match(
    accessProblem(rules, null, new Date("2026-03-10T12:00:00Z"))!,
    /dalle 22:00 alle 06:00/,
  );
});

Deno.test("hardening: forms refuse impossible dates, empty windows and CF-shaped user names", () => {
  const e = enablementSchema(true).safeParse({ ruolo: "amministratore", valido_dal: "2024-02-30" });
  assert.equal(e.success, false);
  const w = enteSchema("modifica", false).safeParse({
    denominazione: "X",
    belfiore_sede: "H501",
    orario_inizio: "08:00",
    orario_fine: "08:00",
  });
  assert.match(JSON.stringify(w.error?.issues), /diverso da quello di inizio/);
  const u = newUserSchema(true).safeParse({
    nome: "A",
    cognome: "B",
    username: "rssmra80a01h501u",
  });
  assert.match(JSON.stringify(u.error?.issues), /forma di un codice fiscale/);
});

dbTest(
  "hardening: a referent cannot take over an account shared with another ente, nor its own enablements",
  async (_t, db) => {
    const { loggedIn, sql } = await authApp(db);
    const ref = await loggedIn("referente.h501");
    const id = async (u: string) =>
      (await sql`select id from utenti where username = ${u}`)[0].id as number;
    const multi = await id("multi.ente");
    const reset = await ref.post(`/amministrazione/utenti/${multi}/password`, {});
    assert.equal(reset.status, 403);
    assert.match(reset.html, /abilitata anche su altri enti/);
    const edit = await ref.post(`/amministrazione/utenti/${multi}`, {
      nome: "Preso",
      cognome: "X",
    });
    assert.equal(edit.status, 403);
    const [{ nome }] = await sql`select nome from utenti where id = ${multi}`;
    assert.equal(nome, "Francesca");
    const own = await ref.post(
      `/amministrazione/utenti/${await id("consultatore.h501")}/password`,
      {},
    );
    assert.equal(own.status, 200, "an account of its own ente only is the referent's to manage");
    const self = await id("referente.h501");
    const extend = await ref.post(`/amministrazione/utenti/${self}/abilitazioni`, {
      ruolo: "referente_ente",
      valido_dal: "2026-01-01",
    });
    assert.equal(extend.status, 403);
    assert.match(extend.html, /proprie abilitazioni/);
  },
);

dbTest("hardening: a burst of parallel wrong passwords cannot exceed the limit", async (_t, db) => {
  const { client } = await authApp(db);
  const c = client("10.9.9.9");
  await Promise.all(
    Array.from(
      { length: 12 },
      () => c.post("/login", { username: "operatore.h501", password: "sbagliata" }),
    ),
  );
  const res = await c.post("/login", { username: "operatore.h501", password: PASSWORD });
  assert.equal(res.status, 429);
});

dbTest(
  "hardening: several enti and none reachable from here: no session at all",
  async (_t, db) => {
    const { client, loggedIn, sql } = await authApp(db);
    await sql`update enti set ip_consentiti = '{10.0.0.0/8}' where codice in ('H501', 'F205')`;
    const outside = await client("192.0.2.1").post("/login", {
      username: "multi.ente",
      password: PASSWORD,
    });
    assert.equal(outside.status, 403);
    await sql`update enti set ip_consentiti = '{}' where codice = 'F205'`;
    const c = await loggedIn("multi.ente", "192.0.2.1");
    assert.match((await c.get("/ente")).html, /Comune di Milano/);
    const [{ id: romaId }] = await sql`
    select a.id from abilitazioni a join utenti u on u.id = a.utente_id
    where u.username = 'multi.ente' and a.ente_codice = 'H501'`;
    const refused = await c.post("/ente", { abilitazione: String(romaId) });
    assert.equal(refused.status, 403);
    assert.match(refused.html, /non è tra quelli registrati/);
  },
);
