import assert from "node:assert/strict";
import { dbTest } from "../_db.ts";
import { authApp, PASSWORD } from "./_client.ts";

async function userId(
  sql: import("../../modules/platform/db.ts").Sql,
  username: string,
): Promise<number> {
  const [{ id }] = await sql`select id from utenti where username = ${username}`;
  return id;
}

dbTest(
  "admin: another ente's ente, user and enablement answer 404 to an ente's referent, audited",
  async (t, db) => {
    const { loggedIn, sql, audit } = await authApp(db);
    const ref = await loggedIn("referente.h501");
    const milan = await userId(sql, "operatore.f205");
    const [{ id: milanEnablement }] =
      await sql`select id from abilitazioni where utente_id = ${milan}`;
    const before = await sql`select * from abilitazioni order by id`;
    const cases: [string, "GET" | "POST", Record<string, string>][] = [
      ["/amministrazione/enti/F205", "GET", {}],
      ["/amministrazione/enti/F205", "POST", { denominazione: "Preso", belfiore_sede: "F205" }],
      [`/amministrazione/utenti/${milan}`, "GET", {}],
      [`/amministrazione/utenti/${milan}`, "POST", { nome: "X", cognome: "Y" }],
      [`/amministrazione/utenti/${milan}/password`, "POST", {}],
      [`/amministrazione/utenti/${milan}/abilitazioni`, "POST", {
        ruolo: "operatore",
        valido_dal: "2026-01-01",
      }],
      [`/amministrazione/utenti/${milan}/abilitazioni/${milanEnablement}/revoca`, "POST", {}],
      ["/amministrazione/utenti/999999", "GET", {}],
    ];
    for (const [path, method, form] of cases) {
      await t.step(`${method} ${path}`, async () => {
        const res = method === "GET" ? await ref.get(path) : await ref.post(path, form);
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.match(res.html, /L'elemento richiesto non esiste/);
      });
    }
    assert.deepEqual(await sql`select * from abilitazioni order by id`, before, "nothing changed");
    const [{ denominazione }] = await sql`select denominazione from enti where codice = 'F205'`;
    assert.equal(denominazione, "Comune di Milano");
    const list = await ref.get("/amministrazione/utenti");
    assert.doesNotMatch(list.html, /Bruni/, "Milan's operator is not listed");
    assert.match(list.html, /Rossi/);
    assert.ok((await audit.recent({ action: "accesso.fuori_ambito" })).length >= cases.length);
  },
);

dbTest(
  "admin: an ente's referent creates users on its own ente only, whatever the form says",
  async (_t, db) => {
    const { loggedIn, client, sql } = await authApp(db);
    const ref = await loggedIn("referente.h501");
    await ref.get("/amministrazione/utenti/nuovo");
    const res = await ref.post("/amministrazione/utenti/nuovo", {
      codice_fiscale: "bncgpp80a01h501e",
      nome: "Giuseppe",
      cognome: "Bianco",
      email: "",
      ruolo: "operatore",
      ente: "F205",
      valido_dal: "2026-01-01",
    });
    assert.equal(res.status, 200, res.html.replace(/^[\s\S]*<main/, "").slice(0, 1500));
    const password =
      res.html.match(/Password provvisoria: <code class="secret">([a-z2-7]+)<\/code>/)![1];
    const [row] = await sql`select a.ente_codice, a.ruolo, u.username from abilitazioni a
                          join utenti u on u.id = a.utente_id where u.codice_fiscale = 'BNCGPP80A01H501E'`;
    assert.deepEqual({ ...row }, {
      ente_codice: "H501",
      ruolo: "operatore",
      username: "BNCGPP80A01H501E",
    });
    const newcomer = client();
    assert.equal(
      (await newcomer.post("/login", { username: "BNCGPP80A01H501E", password })).status,
      303,
    );

    const admin = await ref.post("/amministrazione/utenti/nuovo", {
      codice_fiscale: "VRDGPP13R10B293P",
      nome: "G",
      cognome: "V",
      ruolo: "amministratore",
      valido_dal: "2026-01-01",
    });
    assert.equal(admin.status, 422, "a referent cannot create an administrator");
    assert.match(admin.html, /Scegliere il profilo/);
  },
);

dbTest("admin: form errors name the field and keep the input", async (_t, db) => {
  const { loggedIn } = await authApp(db);
  const admin = await loggedIn("admin");
  await admin.get("/amministrazione/enti/nuovo");
  const res = await admin.post("/amministrazione/enti/nuovo", {
    codice: "roma1",
    tipo: "comune",
    denominazione: "Comune di <b>Prova</b>",
    belfiore_sede: "XX",
    regione: "12",
    ip_consentiti: "10.0.0.0/8\nnon-una-rete",
    orario_inizio: "08:00",
    orario_fine: "",
  });
  assert.equal(res.status, 422);
  assert.match(res.html, /<title>Errore: Nuovo ente – SIUSS<\/title>/);
  assert.match(res.html, /href="#campo-codice">Il codice di un Comune è il suo codice catastale/);
  assert.match(res.html, /href="#campo-belfiore_sede">/);
  assert.match(res.html, /href="#campo-ip_consentiti">Ogni riga deve essere una rete/);
  assert.match(res.html, /href="#campo-orario_fine">Indicare entrambi gli orari/);
  assert.match(res.html, /value="Comune di <b>Prova<\/b>"/, "input kept (escaped in the page)");
  const bad = await admin.post("/amministrazione/utenti/nuovo", {
    codice_fiscale: "RSSMRA80A01H501X",
    nome: "",
    cognome: "Rossi",
    ruolo: "operatore",
    ente: "H501",
    valido_dal: "2026-01-01",
  });
  assert.match(bad.html, /Codice fiscale non valido: il carattere di controllo non è corretto/);
  assert.match(bad.html, /Indicare il nome/);
});

dbTest("admin: the administrator manages enti, users, states and enablements", async (_t, db) => {
  const { loggedIn, client, sql, audit } = await authApp(db);
  const admin = await loggedIn("admin");
  await admin.get("/amministrazione/enti/nuovo");
  const created = await admin.post("/amministrazione/enti/nuovo", {
    codice: "A944",
    tipo: "comune",
    denominazione: "Comune di Bologna",
    belfiore_sede: "A944",
    regione: "08",
    pec: "protocollo@pec.comune.bologna.it",
    ip_consentiti: "",
    orario_inizio: "",
    orario_fine: "",
  });
  assert.equal(created.status, 303);
  const dup = await admin.post("/amministrazione/enti/nuovo", {
    codice: "A944",
    tipo: "comune",
    denominazione: "Doppio",
    belfiore_sede: "A944",
    regione: "08",
  });
  assert.match(dup.html, /Esiste già un ente con codice A944/);
  const list = await admin.get("/amministrazione/enti?q=bologna");
  assert.match(list.html, /Comune di Bologna/);
  assert.match(list.html, /1 enti/);

  const operatore = await userId(sql, "operatore.h501");
  const c = await loggedIn("operatore.h501");
  const added = await admin.post(`/amministrazione/utenti/${operatore}/abilitazioni`, {
    ruolo: "consultatore",
    ente: "A944",
    valido_dal: "2026-01-01",
  });
  assert.equal(added.status, 303);
  assert.equal(
    (await c.get("/acquisizione")).status,
    303,
    "a change of privilege ends the user's sessions",
  );
  const again = client();
  await again.post("/login", { username: "operatore.h501", password: PASSWORD });
  assert.match((await again.get("/ente")).html, /Consultatore – Comune di Bologna \(A944\)/);

  const suspend = await admin.post(`/amministrazione/utenti/${operatore}/stato`, {
    stato: "sospeso",
  });
  assert.equal(suspend.status, 303);
  assert.equal((await again.get("/profilo")).status, 303, "suspension ends the sessions");
  const [{ n }] =
    await sql`select count(*) as n from audit_log where action like 'utente.%' or action like 'abilitazione.%'`;
  assert.equal(n, 2);
  assert.ok((await audit.recent({ action: "ente.creazione" })).length === 1);
});

dbTest("admin: revoking an enablement takes effect at once", async (_t, db) => {
  const { loggedIn, client, sql } = await authApp(db);
  const ref = await loggedIn("referente.h501");
  const consultatore = await userId(sql, "consultatore.h501");
  const [{ id }] = await sql`select id from abilitazioni where utente_id = ${consultatore}`;
  const page = await ref.get(`/amministrazione/utenti/${consultatore}`);
  assert.match(page.html, /Consultatore – Comune di Roma \(H501\)/);
  const res = await ref.post(
    `/amministrazione/utenti/${consultatore}/abilitazioni/${id}/revoca`,
    {},
  );
  assert.equal(res.status, 303);
  const login = await client().post("/login", {
    username: "consultatore.h501",
    password: PASSWORD,
  });
  assert.equal(login.status, 403);
});
