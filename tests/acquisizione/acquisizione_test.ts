import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { parseStringPromise } from "xml2js";
import { FlussoDocument } from "../../modules/prestazioni/schema_ps.ts";
import { fromFlatInput } from "../../modules/prestazioni/record.ts";
import { OFFICIAL_DIR } from "../../modules/prestazioni/official.ts";
import { dbTest } from "../_db.ts";
import { authApp, type Client } from "../auth/_client.ts";
import { VALID_ROW } from "../prestazioni/_fixtures.ts";
import { xsdVerdicts } from "../prestazioni/_xsd.ts";

/** A new form's token, as the page carries it. */
async function openForm(client: Client, path = "/acquisizione/nuova"): Promise<string> {
  const page = await client.get(path);
  assert.equal(page.status, 200, path);
  return page.html.match(/name="_token" value="([^"]+)"/)![1];
}

/** The receipt a submission was sent to (without the "repeated" flag of a second submission). */
const receiptOf = (res: Response & { html?: string }) => {
  const summary = res.html?.match(/<div class="error-summary"[\s\S]*?<\/ul>/)?.[0];
  assert.equal(res.status, 303, summary ?? "");
  const location = res.headers.get("Location")!;
  assert.match(location, /^\/acquisizione\/ricevute\/[0-9a-f-]{36}(\?ripetuto=1)?$/);
  return location.replace("?ripetuto=1", "");
};

const ONE_OFF = {
  ...VALID_ROW,
  CodiceFiscale: "BNCLCU85M41F205T",
  Cognome: "Bianchi",
  Nome: "Lucia",
  AnnoNascita: "1985",
  LuogoNascita: "F205",
  Genere: "2",
  CodiceRegione: "03",
  CodiceComune: "015146",
  CodicePrestazione: "A1.07",
  DenominazionePrestazione: "",
  ProtocolloDomanda: "2024/U-77",
  PresenzaProvaMezzi: "4",
  CaratterePrestazione: "2",
  NumeroProtocolloDSU: "",
  AnnoProtocolloDSU: "",
  DataDSU: "",
  DataInizioPrestazione: "",
  DataFinePrestazione: "",
  ImportoMensile: "",
  ImportoQuotaEnte: "",
  ImportoQuotaUtente: "",
  DataErogazionePrestazione: "2024-05-20",
  ImportoPrestazione: "1.234,56",
};

dbTest("acquisizione: insert, receipt, double submit, errors, warnings, SINA", async (t, db) => {
  const { loggedIn, sql } = await authApp(db, { reference: true });
  const op = await loggedIn("operatore.h501");

  let receipt = "";
  let firstToken = "";
  await t.step("a periodic PSA record with DSU: 303 to its receipt", async () => {
    const token = firstToken = await openForm(op);
    const res = await op.post("/acquisizione/nuova", {
      ...VALID_ROW,
      _token: token,
      azione: "invia",
    });
    receipt = receiptOf(res);
    const page = await op.get(receipt);
    assert.equal(page.status, 200);
    assert.match(page.html, /<title>Ricevuta di acquisizione/);
    assert.match(page.html, new RegExp(receipt.split("/").at(-1)!));
    assert.match(page.html, /RSSMRA80A01H501U/);
    assert.match(page.html, /Comune di Roma \(H501\)/);
    assert.match(page.html, /operatore\.h501/);
    const [row] = await sql`select banca, importo_mensile::text, data_dsu::text from prestazioni`;
    assert.deepEqual({ ...row }, {
      banca: "PSA",
      importo_mensile: "150.00",
      data_dsu: "2024-01-10",
    });
    const [audit] =
      await sql`select actor, ente from audit_log where action = 'prestazione.inserimento'`;
    assert.deepEqual({ ...audit }, { actor: "operatore.h501", ente: "H501" });
  });

  await t.step("the same form sent again, or twice at once, stores one record", async () => {
    const again = await op.post("/acquisizione/nuova", {
      ...VALID_ROW,
      _token: firstToken,
      azione: "invia",
    });
    assert.equal(receiptOf(again), receipt);
    assert.match(again.headers.get("Location")!, /\?ripetuto=1$/);
    assert.match((await op.get(again.headers.get("Location")!)).html, /già stato inviato/);
    const changed = await op.post("/acquisizione/nuova", {
      ...VALID_ROW,
      ImportoMensile: "999",
      _token: firstToken,
      azione: "invia",
    });
    assert.equal(changed.status, 409, "a token reused with other data is refused");
    assert.match(changed.html, /Modulo già inviato/);
    const token = await openForm(op);
    const form = { ...VALID_ROW, ProtocolloDomanda: "2024/002", _token: token, azione: "invia" };
    const [a, b] = await Promise.all([
      op.post("/acquisizione/nuova", form),
      op.post("/acquisizione/nuova", form),
    ]);
    assert.equal(receiptOf(a), receiptOf(b));
    const [{ n }] = await sql`select count(*) as n from prestazioni`;
    assert.equal(n, 2);
  });

  await t.step(
    "a rejected record comes back with its input, an error summary and 422",
    async () => {
      const token = await openForm(op);
      const res = await op.post("/acquisizione/nuova", {
        ...VALID_ROW,
        Cognome: "",
        ImportoMensile: "",
        ImportoQuotaEnte: "",
        ImportoQuotaUtente: "",
        _token: token,
        azione: "invia",
      });
      assert.equal(res.status, 422);
      assert.match(res.html, /<title>Errore: Nuova prestazione/);
      assert.match(res.html, /class="error-summary"/);
      assert.match(res.html, /<a href="#campo-Cognome">Cognome: campo obbligatorio \(R01\)<\/a>/);
      assert.match(res.html, /value="RSSMRA80A01H501U"/, "the input is kept");
      const [{ n }] = await sql`select count(*) as n from acquisizioni`;
      assert.equal(n, 2, "nothing stored");
    },
  );

  await t.step("a rule of the domain (R02) names the field beside it", async () => {
    const res = await op.post("/acquisizione/nuova", {
      ...VALID_ROW,
      ProtocolloDomanda: "2024/003",
      ImportoMensile: "",
      ImportoQuotaEnte: "",
      ImportoQuotaUtente: "",
      _token: await openForm(op),
      azione: "invia",
    });
    assert.equal(res.status, 422);
    assert.match(res.html, /href="#campo-ImportoMensile">[^<]*\(R02\)/);
    assert.match(res.html, /id="campo-ImportoMensile-error"/);
  });

  await t.step("a duplicate business key is refused, pointing at the existing record", async () => {
    const res = await op.post("/acquisizione/nuova", {
      ...VALID_ROW,
      _token: await openForm(op),
      azione: "invia",
    });
    assert.equal(res.status, 422);
    assert.match(res.html, /\(R15\)/);
    const [{ id }] = await sql`select id from prestazioni order by id limit 1`;
    assert.match(res.html, new RegExp(`href="/acquisizione/prestazioni/${id}"`));
  });

  await t.step("warnings wait for an explicit confirmation", async () => {
    const token = await openForm(op);
    const form = {
      ...VALID_ROW,
      ProtocolloDomanda: "2024/004",
      PresaCarico: "1",
      AreaUtenza: "2",
      _token: token,
    };
    const first = await op.post("/acquisizione/nuova", { ...form, azione: "invia" });
    assert.equal(first.status, 200);
    assert.match(first.html, /Avvisi da confermare/);
    assert.match(first.html, /W03/);
    assert.match(first.html, /name="_avvisi" value="W03"/);
    const confirmed = await op.post("/acquisizione/nuova", {
      ...form,
      azione: "conferma",
      _avvisi: ["W03"],
    });
    const page = await op.get(receiptOf(confirmed));
    assert.match(page.html, /Avvisi/);
    assert.match(page.html, /W03/);
  });

  await t.step("a one-off PS record, denomination from the table, Italian amount", async () => {
    const res = await op.post("/acquisizione/nuova", {
      ...ONE_OFF,
      _token: await openForm(op),
      azione: "invia",
    });
    receiptOf(res);
    const [row] = await sql`
      select banca, importo_prestazione::text, denominazione_prestazione, data_inizio_prestazione
      from prestazioni where protocollo_domanda = '2024/U-77'`;
    assert.equal(row.banca, "PS");
    assert.equal(row.importo_prestazione, "1234.56");
    assert.ok(row.denominazione_prestazione.length >= 10);
    assert.equal(row.data_inizio_prestazione, null);
  });

  await t.step("a record with SINA and its lists", async () => {
    const res = await op.post("/acquisizione/nuova", {
      ...VALID_ROW,
      ProtocolloDomanda: "2024/005",
      PresaCarico: "1",
      AreaUtenza: "2",
      Mobilita: "2",
      AttivitaVitaQuotidiana: "3",
      DisturbiComportamentali: "1",
      AreaReddituale: "2",
      AreaSupporto: "1",
      FonteDerivazioneValutazione: "1",
      StrumentoValutazione: "4",
      InvCiv: ["1", "3"],
      NecessitaInterventiSociali: ["A1.04", "A2.01"],
      _token: await openForm(op),
      azione: "invia",
    });
    receiptOf(res);
    const [row] =
      await sql`select mobilita, invalidita_civile, necessita_interventi_sociali from sina`;
    assert.deepEqual({ ...row }, {
      mobilita: "2",
      invalidita_civile: ["1", "3"],
      necessita_interventi_sociali: ["A1.04", "A2.01"],
    });
  });

  await t.step("the official XML of a receipt validates against the XSD", async () => {
    const [{ id }] = await sql`
      select a.id from acquisizioni a join prestazioni p on p.acquisizione_id = a.id
      join sina s on s.prestazione_id = p.id`;
    const res = await op.request(`/acquisizione/ricevute/${id}/flusso.xml`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("Content-Disposition")!, /H501\.PSA\.\d{8}\.\d{7}\.xml/);
    const xml = await res.text();
    const xsd = await readFile(new URL("PS_PSA_SINA201812.xsd", OFFICIAL_DIR), "utf8");
    assert.deepEqual(await xsdVerdicts("PS_PSA_SINA201812.xsd", xsd, [xml]), [true]);
    assert.ok(FlussoDocument.safeParse(await parseStringPromise(xml)).success);
    assert.match(xml, /<InvCiv>3<\/InvCiv>/);
  });
});

dbTest("acquisizione: detail, annulla, rettifica, stale forms, isolation", async (t, db) => {
  const { loggedIn, sql } = await authApp(db, { reference: true });
  const op = await loggedIn("operatore.h501");
  receiptOf(
    await op.post("/acquisizione/nuova", {
      ...VALID_ROW,
      _token: await openForm(op),
      azione: "invia",
    }),
  );
  const [{ id }] = await sql`select id from prestazioni`;

  await t.step(
    "another ente's record and receipt do not exist; a consultatore may not enter",
    async () => {
      const other = await loggedIn("operatore.f205");
      assert.equal((await other.get(`/acquisizione/prestazioni/${id}`)).status, 404);
      const [{ acq }] = await sql`select id as acq from acquisizioni`;
      assert.equal((await other.get(`/acquisizione/ricevute/${acq}`)).status, 404);
      assert.equal((await other.get(`/acquisizione/prestazioni/${id}/rettifica`)).status, 404);
      const reader = await loggedIn("consultatore.h501");
      assert.equal((await reader.get("/acquisizione/nuova")).status, 403);
      assert.equal((await op.get("/acquisizione/prestazioni/abc")).status, 404);
      assert.equal((await op.get("/acquisizione/ricevute/non-un-uuid")).status, 404);
    },
  );

  let current = id;
  await t.step("rettifica: the form prefilled, then cancel + insert linked", async () => {
    const path = `/acquisizione/prestazioni/${id}/rettifica`;
    const page = await op.get(path);
    assert.match(page.html, /value="Rossi"/);
    assert.match(page.html, /value="2024-02-01"/);
    const token = page.html.match(/name="_token" value="([^"]+)"/)![1];
    const res = await op.post(path, {
      ...VALID_ROW,
      ImportoMensile: "200,00",
      ImportoQuotaEnte: "150",
      _motivo: "importo aggiornato",
      _token: token,
      azione: "invia",
    });
    const receipt = await op.get(receiptOf(res));
    assert.match(receipt.html, /Rettifica/);
    assert.match(receipt.html, /importo aggiornato/);
    const rows = await sql`select id, stato, versione, precedente_id from prestazioni order by id`;
    assert.deepEqual(rows.map((r) => ({ ...r })), [
      { id, stato: "annullata", versione: 1, precedente_id: null },
      { id: rows[1].id, stato: "attiva", versione: 2, precedente_id: id },
    ]);
    current = rows[1].id;
    const detail = await op.get(`/acquisizione/prestazioni/${current}`);
    assert.match(detail.html, new RegExp(`href="/acquisizione/prestazioni/${id}"`));
    assert.match(detail.html, /200,00 €/);
    assert.match(detail.html, /058091 – Roma/);

    const stale = await op.post(path, {
      ...VALID_ROW,
      _token: crypto.randomUUID(),
      azione: "invia",
    });
    assert.equal(stale.status, 409);
    assert.match(stale.html, /annullata o rettificata dopo l'apertura/);
  });

  await t.step(
    "annulla: a reason is required, then the record is cancelled with a receipt",
    async () => {
      const path = `/acquisizione/prestazioni/${current}/annulla`;
      const page = await op.get(path);
      const token = page.html.match(/name="_token" value="([^"]+)"/)![1];
      const empty = await op.post(path, { motivo: "", _token: token });
      assert.equal(empty.status, 422);
      assert.match(empty.html, /Motivo dell'annullamento: indicare il motivo/);
      const res = await op.post(path, { motivo: "domanda ritirata", _token: token });
      const location = receiptOf(res);
      assert.equal(
        receiptOf(await op.post(path, { motivo: "domanda ritirata", _token: token })),
        location,
      );
      const [row] = await sql`select stato from prestazioni where id = ${current}`;
      assert.equal(row.stato, "annullata");
      const again = await op.post(path, { motivo: "di nuovo", _token: crypto.randomUUID() });
      assert.equal(again.status, 409);
      const receipt = await op.get(location);
      assert.match(receipt.html, /Prestazione annullata/);
      assert.match(receipt.html, /domanda ritirata/);
    },
  );

  await t.step("the start page lists the operations with their receipts", async () => {
    const home = await op.get("/acquisizione");
    assert.equal(home.status, 200);
    assert.match(home.html, /Nuova prestazione/);
    assert.equal([...home.html.matchAll(/>Ricevuta<\/a>/g)].length, 3);
    assert.match(home.html, /Annullamento/);
    assert.doesNotMatch(home.html, /Modifica dati ente/, "only for the ente's referent");
    const referent = await loggedIn("referente.h501");
    assert.match(
      (await referent.get("/acquisizione")).html,
      /href="\/amministrazione\/enti\/H501"/,
    );
  });
});

dbTest("acquisizione: the form's blocks, with htmx and without JavaScript", async (t, db) => {
  const { loggedIn } = await authApp(db, { reference: true });
  const op = await loggedIn("operatore.h501");
  receiptOf(
    await op.post("/acquisizione/nuova", {
      ...VALID_ROW,
      _token: await openForm(op),
      azione: "invia",
    }),
  );
  const hx = { headers: { "HX-Request": "true" } };

  await t.step("the codice fiscale check offers the data already transmitted", async () => {
    const res = await op.post("/acquisizione/modulo/cf", { CodiceFiscale: "rssmra80a01h501u" }, hx);
    assert.equal(res.status, 200);
    assert.doesNotMatch(res.html, /id="esito-cf"/, "only the live region's content");
    assert.match(res.html, /Codice fiscale valido/);
    assert.match(res.html, /Rossi Mario/);
    const bad = await op.post("/acquisizione/modulo/cf", { CodiceFiscale: "RSSMRA80A01H501A" }, hx);
    assert.match(bad.html, /Codice fiscale non valido/);
    const unknown = await op.post(
      "/acquisizione/modulo/cf",
      { CodiceFiscale: "BNCLCU85M41F205T" },
      hx,
    );
    assert.doesNotMatch(unknown.html, /già trasmesso/);
    const filled = await op.post("/acquisizione/modulo/precompila", {
      CodiceFiscale: "RSSMRA80A01H501U",
    }, hx);
    assert.match(filled.html, /value="Rossi"/);
    assert.match(filled.html, /hx-swap-oob="outerHTML:#residenza"/);
    assert.match(filled.html, /<option value="058091" selected>Roma<\/option>/);
  });

  await t.step("conditional blocks follow the values", async () => {
    const italy = await op.post("/acquisizione/modulo/residenza", { CodiceNazione: "380" }, hx);
    assert.match(italy.html, /^<div id="blocco-residenza">/);
    assert.match(italy.html, /name="CodiceRegione"/);
    assert.doesNotMatch(italy.html, /name="CodiceNazione"/, "no list twice");
    const comuni = await op.post("/acquisizione/modulo/comune", {
      CodiceNazione: "380",
      CodiceRegione: "12",
    }, hx);
    assert.match(comuni.html, /^<div id="blocco-comune">/);
    assert.match(comuni.html, /<option value="058091" >Roma<\/option>/);
    const abroad = await op.post("/acquisizione/modulo/residenza", { CodiceNazione: "250" }, hx);
    assert.doesNotMatch(abroad.html, /CodiceComune/);
    const oneOff = await op.post("/acquisizione/modulo/periodo", { CaratterePrestazione: "2" }, hx);
    assert.match(oneOff.html, /name="DataErogazionePrestazione"/);
    assert.doesNotMatch(oneOff.html, /name="ImportoMensile"/);
    const dsu = await op.post("/acquisizione/modulo/dsu", { PresenzaProvaMezzi: "1" }, hx);
    assert.match(dsu.html, /name="NumeroProtocolloDSU"/);
    const sina = await op.post("/acquisizione/modulo/presa-carico", {
      PresaCarico: "1",
      AreaUtenza: "2",
    }, hx);
    assert.match(sina.html, /Valutazione SINA/);
    const name = await op.post("/acquisizione/modulo/denominazione", {
      CodicePrestazione: "A1.04",
    }, hx);
    assert.match(name.html, /value="Contributi economici a integrazione del reddito familiare"/);
    const codes = await op.get("/acquisizione/modulo/codici?q=maternit", hx.headers);
    assert.match(codes.html, /A1\.02/);
    assert.doesNotMatch(codes.html, /A1\.04/);
    assert.equal((await op.post("/acquisizione/modulo/altro", {}, hx)).status, 404);
  });

  await t.step(
    "without JavaScript, Aggiorna modulo opens the blocks and prefills the denomination",
    async () => {
      const page = await op.get("/acquisizione/nuova");
      assert.doesNotMatch(page.html, /name="ImportoMensile"/);
      assert.match(page.html, /<optgroup label="A1 – Contributi economici">/);
      const res = await op.post("/acquisizione/nuova", {
        CodiceFiscale: "RSSMRA80A01H501U",
        CodiceNazione: "380",
        CodiceRegione: "12",
        CodicePrestazione: "A1.04",
        CaratterePrestazione: "1",
        PresenzaProvaMezzi: "1",
        _token: crypto.randomUUID(),
        azione: "aggiorna",
      });
      assert.equal(res.status, 200);
      assert.match(res.html, /name="ImportoMensile"/);
      assert.match(res.html, /name="NumeroProtocolloDSU"/);
      assert.match(res.html, /<option value="058091" >Roma<\/option>/);
      assert.match(res.html, /value="Contributi economici a integrazione del reddito familiare"/);
      const checked = await op.post("/acquisizione/nuova", {
        CodiceFiscale: "RSSMRA80A01H501U",
        _token: crypto.randomUUID(),
        azione: "verifica_cf",
      });
      assert.match(checked.html, /Usa i dati già trasmessi/);
      const prefilled = await op.post("/acquisizione/nuova", {
        CodiceFiscale: "RSSMRA80A01H501U",
        _token: crypto.randomUUID(),
        azione: "precompila",
      });
      assert.match(prefilled.html, /value="Mario"/);
    },
  );
});

dbTest("acquisizione: Modifica dati ente by the ente's referent, audited", async (_t, db) => {
  const { loggedIn, sql, audit } = await authApp(db);
  const referent = await loggedIn("referente.h501");
  const start = await referent.get("/acquisizione");
  assert.match(start.html, /href="\/amministrazione\/enti\/H501"[^>]*>\s*Modifica dati ente/);
  const res = await referent.post("/amministrazione/enti/H501", {
    denominazione: "Roma Capitale",
    belfiore_sede: "H501",
    pec: "protocollo@pec.comune.roma.it",
    ip_consentiti: "",
    orario_inizio: "",
    orario_fine: "",
  });
  assert.equal(res.status, 303);
  const [ente] = await sql`select denominazione, pec from enti where codice = 'H501'`;
  assert.deepEqual({ ...ente }, {
    denominazione: "Roma Capitale",
    pec: "protocollo@pec.comune.roma.it",
  });
  const [event] = await audit.recent({ action: "ente.modifica" });
  assert.equal(event.actor, "referente.h501");
  assert.equal((await referent.get("/amministrazione/enti/F205")).status, 404);
  const operator = await loggedIn("operatore.h501");
  assert.equal((await operator.get("/amministrazione/enti/H501")).status, 403);
});

dbTest(
  "acquisizione: hostile and stale input is refused without a trace of it stored",
  async (t, db) => {
    const { loggedIn, sql, acquisizione } = await authApp(db, { reference: true });
    const op = await loggedIn("operatore.h501");
    const send = async (form: Record<string, string | string[]>) =>
      op.post("/acquisizione/nuova", { ...form, _token: await openForm(op), azione: "invia" });

    await t.step("control characters are refused by field, never a 500", async () => {
      for (const bad of ["Ro\u0000ssi", "Ro\u0001ssi", "Ro\uFFFEssi"]) {
        const res = await send({ ...VALID_ROW, Cognome: bad });
        assert.equal(res.status, 422, JSON.stringify(bad));
        assert.match(res.html, /Cognome: contiene un carattere di controllo non ammesso \(R01\)/);
      }
    });

    await t.step("a page number that is not a small integer is the first page", async () => {
      for (const pagina of ["1.01", "-3", "abc", "99999999999"]) {
        assert.equal((await op.get(`/acquisizione?pagina=${pagina}`)).status, 200, pagina);
      }
    });

    await t.step("an unknown region has no comuni, and is not remembered", async () => {
      const res = await op.post("/acquisizione/modulo/comune", {
        CodiceNazione: "380",
        CodiceRegione: "x".repeat(10_000),
      }, { headers: { "HX-Request": "true" } });
      assert.equal(res.status, 200);
      assert.doesNotMatch(res.html, /<option value="\d{6}"/);
    });

    await t.step("a form opened for another ente is refused", async () => {
      const res = await op.post("/acquisizione/nuova", {
        ...VALID_ROW,
        _ente: "F205",
        _token: await openForm(op),
        azione: "invia",
      });
      assert.equal(res.status, 409);
      assert.match(res.html, /aperto per l'ente F205/);
    });

    await t.step("SINA is sent only for a disabled person taken in charge", async () => {
      const res = await send({
        ...VALID_ROW,
        ProtocolloDomanda: "SINA/1",
        PresaCarico: "2",
        Mobilita: "2",
        AttivitaVitaQuotidiana: "3",
      });
      receiptOf(res);
      const [{ n }] = await sql`select count(*) as n from sina`;
      assert.equal(n, 0);
    });

    await t.step(
      "without JavaScript, a new code replaces the denomination the old one proposed",
      async () => {
        const res = await op.post("/acquisizione/nuova", {
          CodicePrestazione: "A1.07",
          _codice_denominazione: "A1.04",
          DenominazionePrestazione: "Contributi economici a integrazione del reddito familiare",
          _token: crypto.randomUUID(),
          azione: "aggiorna",
        });
        assert.match(res.html, /value="Contributi e integrazioni a rette per asili nido"/);
        const edited = await op.post("/acquisizione/nuova", {
          CodicePrestazione: "A1.07",
          _codice_denominazione: "A1.04",
          DenominazionePrestazione: "Testo scritto dall'operatore",
          _token: crypto.randomUUID(),
          azione: "aggiorna",
        });
        assert.match(edited.html, /value="Testo scritto dall'operatore"/);
      },
    );

    await t.step("a rettifica keeps the addresses the form does not show", async () => {
      const enteId = "H501";
      const record = fromFlatInput({
        ...VALID_ROW,
        ProtocolloDomanda: "DUE/IND",
      });
      assert.ok(record.ok);
      const second = { CodiceNazione: "250" };
      const id = await sql.begin(async (tx) => {
        const acq = await acquisizione.service.prestazioni.newAcquisition(tx, enteId, {
          canale: "flusso",
          operatore: "test",
        });
        const [o] = await acquisizione.service.prestazioni.insert(tx, enteId, acq, [{
          record: { ...record.record, Indirizzi: [...record.record.Indirizzi, second] },
          warnings: [],
        }]);
        return o.ok ? o.id : 0;
      });
      const path = `/acquisizione/prestazioni/${id}/rettifica`;
      const page = await op.get(path);
      assert.match(page.html, /altri 1 indirizzi/);
      const token = page.html.match(/name="_token" value="([^"]+)"/)![1];
      receiptOf(
        await op.post(path, {
          ...VALID_ROW,
          ProtocolloDomanda: "DUE/IND",
          ImportoMensile: "160",
          ImportoQuotaEnte: "110",
          _token: token,
          azione: "invia",
        }),
      );
      const [row] = await sql`select indirizzi from prestazioni where precedente_id = ${id}`;
      assert.equal(row.indirizzi.length, 2);
      assert.equal(row.indirizzi[1].CodiceNazione, "250");
      const cancel = await op.post(`/acquisizione/prestazioni/${id}/annulla`, {
        motivo: "stesso token di un'altra operazione",
        _token: token,
      });
      assert.equal(cancel.status, 409, "a token is bound to its operation");
    });
  },
);
