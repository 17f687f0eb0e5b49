import assert from "node:assert/strict";
import { sessionIdOf } from "../../modules/auth/sessions.ts";
import { dbTest } from "../_db.ts";
import { authApp, PASSWORD } from "./_client.ts";

const MIN = 60_000;

dbTest(
  "sessions: only the token's SHA-256 is stored; the cookie is HttpOnly and SameSite=Lax",
  async (_t, db) => {
    const { client, sql } = await authApp(db);
    const c = client();
    const res = await c.post("/login", { username: "operatore.h501", password: PASSWORD });
    assert.equal(res.status, 303);
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith("siuss_sessione="))!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    const rows = await sql`select id from sessioni`;
    assert.deepEqual(rows.map((r) => r.id), [sessionIdOf(c.token!)]);
    assert.notEqual(rows[0].id, c.token);
  },
);

dbTest(
  "sessions: the token changes at login, even over an existing session (no fixation)",
  async (_t, db) => {
    const { client } = await authApp(db);
    const c = client();
    await c.post("/login", { username: "operatore.h501", password: PASSWORD });
    const first = c.token!;
    const again = await c.post("/login", { username: "consultatore.h501", password: PASSWORD });
    assert.equal(again.status, 303);
    assert.notEqual(c.token, first);
    const stolen = client();
    stolen.cookies.set("siuss_sessione", first);
    assert.equal((await stolen.get("/profilo")).status, 303, "the replaced token opens nothing");
  },
);

dbTest(
  "sessions: choosing the active ente rotates the token and the header shows the ente",
  async (_t, db) => {
    const { client, audit } = await authApp(db);
    const c = client();
    const login = await c.post("/login", { username: "multi.ente", password: PASSWORD });
    assert.equal(login.headers.get("Location"), "/ente?next=%2F");
    const page = await c.get("/ente");
    assert.match(page.html, /Nessun ente selezionato/);
    const ids = [...page.html.matchAll(/name="abilitazione" id="abilitazione-(\d+)"/g)].map((m) =>
      m[1]
    );
    assert.equal(ids.length, 2);
    assert.equal(
      (await c.get("/acquisizione")).status,
      303,
      "no active ente yet: sent to choose one",
    );
    const before = c.token!;
    const chosen = await c.post("/ente", { abilitazione: ids[0] });
    assert.equal(chosen.status, 303);
    assert.notEqual(c.token, before);
    const home = await c.get("/acquisizione");
    assert.equal(home.status, 200);
    assert.match(home.html, /Ente attivo<\/span> <strong>Comune di Milano \(F205\)<\/strong>/);
    await c.post("/ente", { abilitazione: ids[1] });
    assert.match((await c.get("/")).html, /Comune di Roma \(H501\)/);
    const old = client();
    old.cookies.set("siuss_sessione", before);
    assert.equal((await old.get("/profilo")).status, 303);
    assert.equal((await audit.recent({ action: "ente.scelta" })).length, 2);
  },
);

dbTest("sessions: naming another user's enablement is refused and audited", async (_t, db) => {
  const { loggedIn, sql, audit } = await authApp(db);
  const c = await loggedIn("multi.ente");
  const [{ id }] = await sql`
    select a.id from abilitazioni a join utenti u on u.id = a.utente_id where u.username = 'admin'`;
  const res = await c.post("/ente", { abilitazione: String(id) });
  assert.equal(res.status, 422);
  assert.match(res.html, /Scegliere uno degli enti elencati/);
  assert.equal((await audit.recent({ action: "ente.scelta_negata" }))[0].object, String(id));
});

dbTest("sessions: idle timeout of 30 minutes and absolute lifetime of 12 hours", async (_t, db) => {
  const { loggedIn, clock } = await authApp(db);
  const idle = await loggedIn("operatore.h501");
  clock.advance(29 * MIN);
  assert.equal((await idle.get("/acquisizione")).status, 200);
  clock.advance(29 * MIN);
  assert.equal((await idle.get("/acquisizione")).status, 200, "activity keeps it alive");
  clock.advance(31 * MIN);
  const expired = await idle.get("/acquisizione");
  assert.equal(expired.status, 303);
  assert.equal(expired.headers.get("Location"), "/login?next=%2Facquisizione");

  const busy = await loggedIn("operatore.h501");
  for (let i = 0; i < 35; i++) {
    clock.advance(20 * MIN);
    const res = await busy.get("/acquisizione");
    if (i < 35 && (i + 1) * 20 < 12 * 60) {
      assert.equal(res.status, 200, `after ${(i + 1) * 20} minutes`);
    } else assert.equal(res.status, 303, `after ${(i + 1) * 20} minutes`);
  }
});

dbTest(
  "sessions: logout invalidates the session server-side; the old cookie opens nothing",
  async (_t, db) => {
    const { loggedIn, client, audit } = await authApp(db);
    const c = await loggedIn("operatore.h501");
    const token = c.token!;
    await c.get("/acquisizione");
    const out = await c.post("/logout", {});
    assert.equal(out.status, 303);
    assert.equal(out.headers.get("Location"), "/login?uscita=1");
    assert.equal(c.token, undefined, "the cookie is cleared");
    const thief = client();
    thief.cookies.set("siuss_sessione", token);
    assert.equal((await thief.get("/acquisizione")).status, 303);
    assert.equal((await audit.recent({ action: "logout" })).length, 1);
    const [refused] = await audit.recent({ action: "sessione.rifiutata" });
    assert.equal(refused.object, "/acquisizione", "the stolen cookie's use is audited");
  },
);

dbTest("sessions: expired sessions are purged by the recurring job", async (_t, db) => {
  const { loggedIn, clock, auth, sql } = await authApp(db);
  await loggedIn("operatore.h501");
  await loggedIn("admin");
  clock.advance(31 * MIN);
  await loggedIn("referente.h501");
  const result = await auth.jobs["sessioni.pulizia"]({} as never);
  assert.deepEqual(result, { eliminate: 2 });
  const [{ n }] = await sql`select count(*) as n from sessioni`;
  assert.equal(n, 1);
});
