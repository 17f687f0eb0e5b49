import assert from "node:assert/strict";
import postgres from "postgres";
import { seedIdentityDemo } from "../../modules/auth/demo.ts";
import { fromFlatInput, type PsRecord } from "../../modules/prestazioni/record.ts";
import { type Accepted, PrestazioniRepo } from "../../modules/prestazioni/repo.ts";
import { dbTest, onServer } from "../_db.ts";
import { SINA_ATTRS, VALID_ROW } from "./_fixtures.ts";

function rec(changes: Record<string, string | undefined> = {}): PsRecord {
  const parsed = fromFlatInput({ ...VALID_ROW, ...changes });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.violations));
  return parsed.record;
}
const ok = (record: PsRecord): Accepted => ({ record, warnings: [] });

/** A SINA assessment's columns, as a CSV row gives them. */
const SINA_ROW = { ...SINA_ATTRS, InvCiv: "1|2" };

if (!onServer) {
  console.log(
    "saltato: batch tramite COPY: richiede un server PostgreSQL (TEST_DATABASE_URL), perché il " +
      "database integrato non riceve COPY FROM STDIN dal suo socket (lì i batch usano l'insert)",
  );
}

dbTest(
  "repository: batch insert, R15 duplicates (in the batch and stored), SINA in its own table",
  async (_t, db) => {
    await seedIdentityDemo(db.sql);
    const repo = new PrestazioniRepo(db.sql);
    const outcomes = await db.sql.begin(async (tx) => {
      const acq = await repo.newAcquisition(tx, "H501", {
        canale: "flusso",
        operatore: "RSSMRA80A01H501U",
      });
      return await repo.insert(tx, "H501", acq, [
        {
          record: rec(),
          warnings: [{ rule: "W02", level: "avviso", field: "Genere", value: "1", message: "m" }],
        },
        ok(rec({ ProtocolloDomanda: "2024/002", ...SINA_ROW, PresaCarico: "1", AreaUtenza: "2" })),
        ok(rec()),
      ]);
    });
    assert.equal(outcomes[0].ok, true);
    assert.equal(outcomes[1].ok, true);
    assert.deepEqual(outcomes[2], {
      ok: false,
      violation: {
        rule: "R15",
        level: "scarto",
        field: "ProtocolloDomanda",
        value: "2024/001",
        message:
          "Prestazione già presente e attiva con la stessa chiave (codice fiscale, codice, protocollo, data).",
      },
    });
    const again = await db.sql.begin(async (tx) => {
      const acq = await repo.newAcquisition(tx, "H501", { canale: "web", operatore: "x" });
      return await repo.insert(tx, "H501", acq, [ok(rec())]);
    });
    assert.equal(again[0].ok, false, "already stored and active");
    const other = await db.sql.begin(async (tx) => {
      const acq = await repo.newAcquisition(tx, "F205", { canale: "web", operatore: "x" });
      return await repo.insert(tx, "F205", acq, [ok(rec())]);
    });
    assert.equal(other[0].ok, true, "the same key in another ente is another record");

    const stored = await repo.get("H501", (outcomes[0] as { id: number }).id);
    assert.equal(stored?.banca, "PSA");
    assert.equal(stored?.importo_mensile, "150.00");
    assert.equal(stored?.data_riferimento, "2024-02-01");
    assert.deepEqual(stored?.avvisi, [{ rule: "W02", field: "Genere", message: "m" }]);
    const [s] = await db.sql`select invalidita_civile from sina where prestazione_id = ${
      (outcomes[1] as { id: number }).id
    }`;
    assert.deepEqual(s.invalidita_civile, ["1", "2"]);
  },
);

dbTest(
  "repository: cancel (R16 when not active), rettifica with linked versions, isolation between enti",
  async (_t, db) => {
    await seedIdentityDemo(db.sql);
    const repo = new PrestazioniRepo(db.sql);
    const store = (ente: string, records: PsRecord[]) =>
      db.sql.begin(async (tx) => {
        const acq = await repo.newAcquisition(tx, ente, { canale: "web", operatore: "x" });
        return await repo.insert(tx, ente, acq, records.map(ok));
      });
    const [first] = await store("H501", [rec()]);
    const id = (first as { id: number }).id;
    const [milan] = await store("F205", [rec({ ProtocolloDomanda: "MI/1" })]);
    const milanId = (milan as { id: number }).id;

    assert.equal(
      await repo.get("H501", milanId),
      undefined,
      "another ente's record does not exist here",
    );
    const foreign = await db.sql.begin(async (tx) => {
      const acq = await repo.newAcquisition(tx, "H501", { canale: "web", operatore: "x" });
      return await repo.correct(tx, "H501", acq, milanId, ok(rec({ ProtocolloDomanda: "MI/1" })));
    });
    assert.equal(foreign, undefined);
    const cancelForeign = await db.sql.begin(async (tx) => {
      const acq = await repo.newAcquisition(tx, "H501", { canale: "web", operatore: "x" });
      return await repo.cancel(tx, "H501", acq, [
        rec({ ProtocolloDomanda: "MI/1", TipoOperazione: "C" }),
      ]);
    });
    assert.equal(cancelForeign[0].ok, false);
    assert.equal((await repo.get("F205", milanId))?.stato, "attiva");

    const corrected = await db.sql.begin(async (tx) => {
      const acq = await repo.newAcquisition(tx, "H501", { canale: "web", operatore: "x" });
      return await repo.correct(
        tx,
        "H501",
        acq,
        id,
        ok(rec({ ImportoMensile: "200", ImportoQuotaEnte: "150" })),
      );
    });
    assert.equal(corrected?.ok, true);
    const newId = (corrected as { id: number }).id;
    const history = await repo.history("H501", newId);
    assert.deepEqual(history.map((h) => [h.id, h.versione, h.stato, h.precedente_id]), [
      [id, 1, "annullata", null],
      [newId, 2, "attiva", id],
    ]);
    assert.deepEqual((await repo.history("H501", id)).map((h) => h.id), [id, newId]);

    const cancelled = await db.sql.begin(async (tx) => {
      const acq = await repo.newAcquisition(tx, "H501", { canale: "web", operatore: "x" });
      return await repo.cancel(tx, "H501", acq, [
        rec({ TipoOperazione: "C" }),
        rec({ TipoOperazione: "C" }),
      ]);
    });
    assert.deepEqual(
      cancelled.map((c) => c.ok),
      [true, false],
      "the second cancel of the same key finds nothing",
    );
    assert.equal((cancelled[1] as { violation: { rule: string } }).violation.rule, "R16");
    assert.equal((await repo.get("H501", newId))?.stato, "annullata");
    const reinsert = await store("H501", [rec()]);
    assert.equal(reinsert[0].ok, true, "a cancelled key can be inserted again");
  },
);

dbTest(
  "repository: a record needs an acquisition of its own ente, SINA a record of its own; neither is ever deleted nor re-keyed",
  async (_t, db) => {
    await seedIdentityDemo(db.sql);
    const repos = [new PrestazioniRepo(db.sql)];
    if (onServer) repos.push(new PrestazioniRepo(db.sql, { copy: true }));
    const milan = await db.sql.begin((tx) =>
      repos[0].newAcquisition(tx, "F205", { canale: "web", operatore: "x" })
    );
    const many = Array.from({ length: 120 }, (_, i) => ok(rec({ ProtocolloDomanda: `A/${i}` })));
    for (const repo of repos) {
      for (const acquisizione of [milan, crypto.randomUUID()]) {
        await assert.rejects(
          () => db.sql.begin((tx) => repo.insert(tx, "H501", acquisizione, many)),
          /prestazioni: acquisizione inesistente per l'ente/,
          `${repo.options.copy ? "COPY" : "statement"}: another ente's or no acquisition`,
        );
      }
    }
    const [stored] = await db.sql.begin((tx) => repos[0].insert(tx, "F205", milan, [ok(rec())]));
    const id = (stored as { id: number }).id;
    await assert.rejects(
      () =>
        db.sql`insert into sina (ente_id, prestazione_id, mobilita, attivita_vita_quotidiana,
        disturbi_comportamentali, area_reddituale, area_supporto, fonte_derivazione_valutazione,
        strumento_valutazione) values ('H501', ${id}, '1', '1', '1', '1', '1', '1', '1')`,
      /sina: prestazione inesistente per l'ente/,
    );
    for (
      const statement of [
        db.sql`delete from prestazioni where id = ${id}`,
        db.sql`update prestazioni set ente_id = 'H501' where id = ${id}`,
        db.sql`update prestazioni set acquisizione_id = ${crypto.randomUUID()} where id = ${id}`,
        db.sql`delete from acquisizioni where id = ${milan}`,
      ]
    ) await assert.rejects(() => statement, /non consentito \(i riferimenti sono immutabili\)/);
    assert.equal((await repos[0].get("F205", id))?.stato, "attiva");
  },
);

dbTest(
  "repository: batches through COPY store what the statement stores, refuse the same R15s and fall back when a key is taken",
  async (_t, db) => {
    await seedIdentityDemo(db.sql);
    const sinaRow = {
      ...SINA_ROW,
      NecessitaInterventiSociali: "A1.04|A2.01",
      PresaCarico: "1",
      AreaUtenza: "2",
    };
    const batch = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        ok(rec({
          ProtocolloDomanda: `2024/${i % 150 === 7 ? 7 : i}`,
          // COPY's text format escapes these (and the lines are written as UTF-8 bytes directly);
          // the statement does not need to.
          DenominazionePrestazione: `Contributo\tn. ${i}\\con barra\r\ne a capo, à € 𝄞`,
          ...(i % 3 === 0 ? sinaRow : {}),
        })));
    // A connection of its own that records the statements, to see which path each batch took.
    const statements: string[] = [];
    const spied = postgres(db.url, {
      max: 1,
      onnotice: () => {},
      debug: (_connection, query) =>
        statements.push(query.trim().split(/\s+/).slice(0, 3).join(" ")),
    });
    const store = async (repo: PrestazioniRepo, ente: string, records: Accepted[]) =>
      await repo.sql.begin(async (tx) => {
        const acq = await repo.newAcquisition(tx, ente, { canale: "flusso", operatore: "x" });
        return await repo.insert(tx, ente, acq, records);
      });
    const copying = new PrestazioniRepo(spied, { copy: true });
    const plain = new PrestazioniRepo(db.sql);
    const viaCopy = await store(copying, "H501", batch(300));
    assert.ok(
      statements.includes("copy prestazioni (id,") && statements.includes("copy sina (ente_id,"),
    );
    assert.ok(!statements.includes("insert into prestazioni"), statements.join("; "));
    statements.length = 0;
    const viaStatement = await store(plain, "F205", batch(300));
    assert.deepEqual(
      viaCopy.map((o) => o.ok ? "ok" : o.violation.rule),
      viaStatement.map((o) => o.ok ? "ok" : o.violation.rule),
    );
    assert.equal(viaCopy.filter((o) => !o.ok).length, 1, "2024/7 twice in the batch");
    const rows = (ente: string) =>
      db.sql`
        select p.codice_fiscale, p.protocollo_domanda, p.denominazione_prestazione, p.indirizzi,
          p.importo_mensile, p.data_riferimento, p.avvisi, p.banca, s.invalidita_civile,
          s.necessita_interventi_sociali, s.mobilita
        from prestazioni p left join sina s on s.ente_id = p.ente_id and s.prestazione_id = p.id
        where p.ente_id = ${ente} order by p.protocollo_domanda`;
    assert.deepEqual(await rows("H501"), await rows("F205"));
    const [sample] = await rows("H501");
    assert.equal(
      sample.denominazione_prestazione,
      "Contributo\tn. 0\\con barra\r\ne a capo, à € 𝄞",
    );
    assert.deepEqual(sample.invalidita_civile, ["1", "2"]);
    // Keys already stored make the COPY refuse the batch: the statement takes over, and the
    // outcomes say which records were new.
    const again = await store(copying, "H501", [...batch(300), ...batch(450).slice(300)]);
    assert.ok(
      statements.includes("copy prestazioni (id,") &&
        statements.includes("insert into prestazioni"),
    );
    await spied.end();
    // 2024/307 is "2024/7" once more: 149 new records.
    assert.equal(again.filter((o) => o.ok).length, 149);
    assert.equal(again.filter((o) => !o.ok && o.violation.rule === "R15").length, 301);
    const [{ n }] = await db.sql`select count(*)::int as n from prestazioni where ente_id = 'H501'`;
    assert.equal(n, 299 + 149);
  },
  { ignore: !onServer },
);
