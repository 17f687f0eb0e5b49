import assert from "node:assert/strict";
import { dbTest } from "../_db.ts";
import { authApp, PASSWORD } from "./_client.ts";

const body = (html: string) =>
  html.replace(/<main[\s\S]*?>|<\/main>[\s\S]*/g, "").replace(/^[\s\S]*<main/, "");

dbTest(
  "login: by user name or codice fiscale; `next` brings back to the page asked for",
  async (_t, db) => {
    const { client, audit } = await authApp(db);
    const byName = client();
    const res = await byName.post("/login", {
      username: "operatore.h501",
      password: PASSWORD,
      next: "/acquisizione?x=1",
    });
    assert.equal(res.headers.get("Location"), "/acquisizione?x=1");
    const byCf = client();
    const cf = await byCf.post("/login", {
      username: "rssmra80a01h501u",
      password: PASSWORD,
      next: "//evil.example",
    });
    assert.equal(cf.status, 303);
    assert.equal(cf.headers.get("Location"), "/", "an outside address is never a destination");
    const [event] = await audit.recent({ action: "login.riuscito" });
    assert.equal(event.actor, "operatore.h501");
    assert.equal(event.ente, "H501");
    assert.equal(event.ip, "10.0.0.7");
  },
);

dbTest("login: wrong password and unknown user get the same answer, audited", async (_t, db) => {
  const { client, audit } = await authApp(db);
  const wrong = await client("10.0.0.1").post("/login", {
    username: "operatore.h501",
    password: "sbagliata",
  });
  const unknown = await client("10.0.0.2").post("/login", {
    username: "nessuno.mai",
    password: "sbagliata",
  });
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  const strip = (h: string) =>
    body(h).replaceAll("operatore.h501", "X").replaceAll("nessuno.mai", "X");
  assert.equal(strip(wrong.html), strip(unknown.html));
  assert.match(wrong.html, /Nome utente o password non corretti/);
  assert.match(wrong.html, /<title>Errore: Accesso – SIUSS<\/title>/);
  assert.equal((await audit.recent({ action: "login.fallito" })).length, 2);
});

dbTest("login: empty fields are named in the error summary", async (_t, db) => {
  const { client } = await authApp(db);
  const res = await client().post("/login", { username: "", password: "" });
  assert.equal(res.status, 422);
  assert.match(
    res.html,
    /<a href="#campo-username">Inserire il codice fiscale o il nome utente\.<\/a>/,
  );
  assert.match(res.html, /<a href="#campo-password">Inserire la password\.<\/a>/);
});

dbTest(
  "login: suspended user, suspended ente, expired enablement: clear messages after the password",
  async (_t, db) => {
    const { client, sql, clock } = await authApp(db);
    await sql`update utenti set stato = 'sospeso' where username = 'consultatore.h501'`;
    const suspended = await client().post("/login", {
      username: "consultatore.h501",
      password: PASSWORD,
    });
    assert.equal(suspended.status, 403);
    assert.match(suspended.html, /L'utenza è sospesa/);
    const guess = await client().post("/login", {
      username: "consultatore.h501",
      password: "indovino",
    });
    assert.match(
      guess.html,
      /Nome utente o password non corretti/,
      "without the password nothing is told",
    );

    await sql`update enti set stato = 'sospeso' where codice = 'F205'`;
    const ente = await client().post("/login", { username: "operatore.f205", password: PASSWORD });
    assert.equal(ente.status, 403);
    assert.match(ente.html, /non ha abilitazioni valide oggi, o l'ente è sospeso/);

    await sql`update abilitazioni set valido_al = '2026-03-09'
            where utente_id = (select id from utenti where username = 'referente.h501')`;
    clock.time = new Date("2026-03-10T10:00:00Z");
    const expired = await client().post("/login", {
      username: "referente.h501",
      password: PASSWORD,
    });
    assert.equal(expired.status, 403);
  },
);

dbTest("login: a suspended user's open session ends at the next request", async (_t, db) => {
  const { loggedIn, sql } = await authApp(db);
  const c = await loggedIn("operatore.h501");
  await sql`update utenti set stato = 'sospeso' where username = 'operatore.h501'`;
  assert.equal((await c.get("/acquisizione")).status, 303);
});

dbTest("login: progressive delay, then lockout with 429 and Retry-After", async (_t, db) => {
  const { client, clock, audit } = await authApp(db);
  const c = client();
  const attempt = (password = "sbagliata") =>
    c.post("/login", { username: "operatore.h501", password });
  for (let i = 1; i <= 4; i++) assert.equal((await attempt()).status, 401, `failure ${i}`);
  const slowed = await attempt();
  assert.equal(slowed.status, 429, "the 4th failure imposes a wait");
  assert.equal(slowed.headers.get("Retry-After"), "1");
  assert.match(slowed.html, /Troppi tentativi di accesso non riusciti\. Riprovare tra 1 secondi/);
  for (let i = 5; i <= 10; i++) {
    clock.advance(60_000);
    assert.equal((await attempt()).status, 401, `failure ${i}`);
  }
  clock.advance(60_000);
  const locked = await attempt(PASSWORD);
  assert.equal(locked.status, 429, "locked even with the right password");
  assert.equal(locked.headers.get("Retry-After"), String(15 * 60 - 60));
  assert.match(locked.html, /Riprovare tra 14 minuti/);
  clock.advance(15 * 60_000);
  assert.equal((await attempt(PASSWORD)).status, 303, "the lock expires");
  assert.ok((await audit.recent({ action: "login.bloccato" })).length >= 2);
});

dbTest(
  "login: too many failures from one address lock that address for every account",
  async (_t, db) => {
    const { client } = await authApp(db);
    const c = client("192.0.2.50");
    for (let i = 0; i < 50; i++) {
      const res = await c.post("/login", { username: `inesistente${i}`, password: "x" });
      assert.equal(res.status, i < 20 ? 401 : res.status);
    }
    const res = await c.post("/login", { username: "operatore.h501", password: PASSWORD });
    assert.equal(res.status, 429);
    const other = await client("192.0.2.51").post("/login", {
      username: "operatore.h501",
      password: PASSWORD,
    });
    assert.equal(other.status, 303, "another address is not affected");
  },
);

dbTest("csrf: cross-site and token-less state changes are refused and audited", async (_t, db) => {
  const { loggedIn, client, audit } = await authApp(db);
  const c = await loggedIn("operatore.h501");
  const form = {
    attuale: PASSWORD,
    nuova: "una nuova frase segreta",
    conferma: "una nuova frase segreta",
  };
  const noToken = await c.post("/profilo/password", form, { csrf: null });
  assert.equal(noToken.status, 403);
  assert.match(noToken.html, /Richiesta non valida/);
  const badToken = await c.post("/profilo/password", form, { csrf: "x".repeat(32) });
  assert.equal(badToken.status, 403);
  const crossSite = await c.post("/profilo/password", form, {
    headers: { "Sec-Fetch-Site": "cross-site" },
  });
  assert.equal(crossSite.status, 403);
  const otherOrigin = await c.post("/logout", {}, {
    headers: { "Sec-Fetch-Site": "", Origin: "https://evil.example" },
  });
  assert.equal(otherOrigin.status, 403);
  assert.equal((await c.get("/acquisizione")).status, 200, "nothing was changed: still signed in");
  const forgedLogin = await client().post("/login", {
    username: "operatore.h501",
    password: PASSWORD,
  }, {
    headers: { "Sec-Fetch-Site": "cross-site" },
  });
  assert.equal(forgedLogin.status, 403);
  assert.equal((await audit.recent({ action: "csrf.rifiutata" })).length, 5);
  const viaHeader = await c.request("/logout", {
    method: "POST",
    headers: { "X-CSRF-Token": c.csrf!, "HX-Request": "true" },
  });
  assert.equal(viaHeader.status, 303, "htmx requests carry the token in a header");
});

dbTest(
  "access restrictions: IP allow-list and time window at login and on every request",
  async (_t, db) => {
    const { loggedIn, client, sql, clock } = await authApp(db);
    await sql`update enti set ip_consentiti = '{10.0.0.0/8, 2001:db8::/32}' where codice = 'H501'`;
    const outside = await client("192.168.1.9").post("/login", {
      username: "operatore.h501",
      password: PASSWORD,
    });
    assert.equal(outside.status, 403);
    assert.match(outside.html, /l'indirizzo 192\.168\.1\.9 non è tra quelli registrati/);
    const inside = await loggedIn("operatore.h501", "10.20.30.40");
    assert.equal((await inside.get("/acquisizione")).status, 200);
    await loggedIn("operatore.h501", "2001:db8::1");
    inside.ip = "192.168.1.9";
    const moved = await inside.get("/acquisizione");
    assert.equal(moved.status, 403, "checked on every request");

    await sql`update enti set ip_consentiti = '{}', orario_inizio = '08:00', orario_fine = '14:00'
            where codice = 'H501'`;
    clock.time = new Date("2026-03-10T12:59:00Z"); // 13:59 in Rome
    const day = await loggedIn("operatore.h501");
    assert.equal((await day.get("/acquisizione")).status, 200);
    clock.time = new Date("2026-03-10T13:01:00Z"); // 14:01 in Rome
    const late = await day.get("/acquisizione");
    assert.equal(late.status, 403);
    assert.match(late.html, /solo dalle 08:00 alle 14:00/);
  },
);

dbTest(
  "profile: password change needs the old one, ends other sessions, renews this one",
  async (_t, db) => {
    const { loggedIn, client, audit } = await authApp(db);
    const other = await loggedIn("operatore.h501");
    const c = await loggedIn("operatore.h501");
    const before = c.token;
    const wrong = await c.post("/profilo/password", { attuale: "no", nuova: "x", conferma: "x" });
    assert.equal(wrong.status, 422);
    assert.match(wrong.html, /La password attuale non è corretta/);
    const short = await c.post("/profilo/password", {
      attuale: PASSWORD,
      nuova: "corta",
      conferma: "corta",
    });
    assert.match(short.html, /almeno 12 caratteri/);
    const mismatch = await c.post("/profilo/password", {
      attuale: PASSWORD,
      nuova: "una nuova frase segreta",
      conferma: "un'altra frase",
    });
    assert.match(mismatch.html, /non coincidono/);
    const ok = await c.post("/profilo/password", {
      attuale: PASSWORD,
      nuova: "una nuova frase segreta",
      conferma: "una nuova frase segreta",
    });
    assert.equal(ok.status, 303);
    assert.notEqual(c.token, before);
    assert.match((await c.get(ok.headers.get("Location")!)).html, /Password cambiata/);
    assert.equal((await other.get("/profilo")).status, 303, "the other session ended");
    assert.equal(
      (await client().post("/login", { username: "operatore.h501", password: PASSWORD })).status,
      401,
    );
    assert.equal(
      (await client().post("/login", {
        username: "operatore.h501",
        password: "una nuova frase segreta",
      })).status,
      303,
    );
    assert.equal((await audit.recent({ action: "password.cambio" })).length, 1);
  },
);

dbTest("profile: shows the enablements and the recent logins", async (_t, db) => {
  const { loggedIn } = await authApp(db);
  const c = await loggedIn("multi.ente");
  const page = await c.get("/profilo");
  assert.match(page.html, /Operatore – Comune di Roma \(H501\)/);
  assert.match(page.html, /Operatore – Comune di Milano \(F205\)/);
  assert.match(page.html, /da 10\.0\.0\.7/);
});
