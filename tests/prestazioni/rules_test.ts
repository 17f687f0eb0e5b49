import assert from "node:assert/strict";
import { CodeTable, ensureCodeTable } from "../../modules/prestazioni/code_table.ts";
import { fromFlatInput, type PsRecord } from "../../modules/prestazioni/record.ts";
import {
  checkEnvelope,
  checkRecord,
  checkSingleRecordMessage,
  type RuleCode,
  type RuleContext,
  RULES,
} from "../../modules/prestazioni/rules.ts";
import { dbTest } from "../_db.ts";
import { SINA_ATTRS, VALID_ROW } from "./_fixtures.ts";

function places(): Omit<RuleContext, "code"> {
  const comuni = new Map([["058091", "12"], ["015146", "03"]]);
  return {
    comuneInRegione: (istat, regione) => comuni.get(istat) === regione,
    regioneExists: (r) => /^(0[1-9]|1\d|20)$/.test(r),
    birthplaceExists: (b) => ["H501", "F205", "Z404"].includes(b),
    dsuKnown: (p) => p !== "INPS-ISEE-2024-00000000X-00",
  };
}

function record(changes: Record<string, string | undefined>): PsRecord {
  const parsed = fromFlatInput({ ...VALID_ROW, ...changes });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.violations));
  return parsed.record;
}

dbTest(
  "rules: each rule accepts a right record and rejects a wrong one, naming field and value",
  async (t, db) => {
    await ensureCodeTable(db.sql);
    const table = await CodeTable.load(db.sql);
    const ctx: RuleContext = { ...places(), code: (c, d) => table.code(c, d) };
    const codes = (changes: Record<string, string | undefined>) =>
      checkRecord(record(changes), ctx).map((v) => `${v.rule}:${v.field}`);

    await t.step("a valid record breaks nothing", () => assert.deepEqual(codes({}), []));

    const cases: [RuleCode, Record<string, string | undefined>, string][] = [
      [
        "R02",
        { DataInizioPrestazione: undefined, DataFinePrestazione: undefined },
        "DataInizioPrestazione",
      ],
      ["R02", {
        ImportoMensile: undefined,
        ImportoQuotaEnte: undefined,
        ImportoQuotaUtente: undefined,
      }, "ImportoMensile"],
      [
        "R02",
        { ImportoMensile: "0", ImportoQuotaEnte: undefined, ImportoQuotaUtente: undefined },
        "ImportoMensile",
      ],
      ["R02", { CaratterePrestazione: undefined }, "CaratterePrestazione"],
      [
        "R03",
        { CaratterePrestazione: "2", ImportoPrestazione: "150" },
        "DataErogazionePrestazione",
      ],
      [
        "R03",
        { CaratterePrestazione: "2", DataErogazionePrestazione: "2024-02-01" },
        "ImportoPrestazione",
      ],
      ["R04", { DataFinePrestazione: "2024-01-31" }, "DataFinePrestazione"],
      ["R04", { DataFinePrestazione: "2025-01-31" }, "DataFinePrestazione"],
      ["R05", { DataDSU: undefined }, "DataDSU"],
      ["R05", { AnnoProtocolloDSU: "2023" }, "AnnoProtocolloDSU"],
      ["R06", { ImportoQuotaUtente: "40" }, "ImportoQuotaEnte"],
      ["R06", { ImportoQuotaUtente: "-10", ImportoQuotaEnte: "160" }, "ImportoQuotaUtente"],
      ["R07", { PresaCarico: "1" }, "AreaUtenza"],
      ["R08", { CodiceComune: undefined }, "CodiceComune"],
      ["R08", { CodiceComune: "015146" }, "CodiceComune"],
      ["R08", { CodiceRegione: "99" }, "CodiceRegione"],
      ["R09", { CodicePrestazione: "A9.99" }, "CodicePrestazione"],
      ["R09", {
        CodicePrestazione: "A1.05.01",
        DataEvento: "2021-01-01",
        DataInizioPrestazione: "2021-02-01",
        DataFinePrestazione: undefined,
        NumeroProtocolloDSU: "INPS-ISEE-2021-00597381W-00",
        AnnoProtocolloDSU: "2021",
      }, "CodicePrestazione"],
      ["R10", { CodicePrestazione: "A2.16", AreaUtenza: "1" }, "PresaCarico"],
      ["R11", { CodicePrestazione: "A1.05.01" }, "DataEvento"],
      ["R12", { CodiceFiscale: "RSSMRA80A01H501X" }, "CodiceFiscale"],
      ["R12", { CodiceFiscale: "12345678901" }, "CodiceFiscale"],
      [
        "W01",
        { NumeroProtocolloDSU: undefined, AnnoProtocolloDSU: undefined, DataDSU: undefined },
        "NumeroProtocolloDSU",
      ],
      ["W02", { AnnoNascita: "1981" }, "AnnoNascita"],
      ["W02", { Genere: "2" }, "Genere"],
      ["W02", { LuogoNascita: "F205" }, "LuogoNascita"],
      ["W03", { PresaCarico: "1", AreaUtenza: "2" }, "AreaUtenza"],
      ["W04", { NumeroProtocolloDSU: "INPS-ISEE-2024-00000000X-00" }, "NumeroProtocolloDSU"],
    ];
    for (const [rule, changes, field] of cases) {
      await t.step(`${rule} ${field} ${JSON.stringify(changes)}`, () => {
        assert.ok(codes(changes).includes(`${rule}:${field}`), codes(changes).join(", "));
      });
    }

    await t.step("the accepting side of the conditional rules", () => {
      assert.deepEqual(codes({ PresaCarico: "1", AreaUtenza: "3" }), [], "R07 with AreaUtenza");
      assert.deepEqual(
        codes({
          CaratterePrestazione: "2",
          DataErogazionePrestazione: "2024-03-01",
          ImportoPrestazione: "150",
          DataInizioPrestazione: undefined,
          DataFinePrestazione: undefined,
          ImportoMensile: undefined,
        }),
        [],
        "R03 one-off",
      );
      assert.deepEqual(
        codes({ CodicePrestazione: "A1.05.01", DataEvento: "2024-01-15" }),
        [],
        "R09/R11 with DataEvento",
      );
      assert.deepEqual(
        codes({ CodicePrestazione: "A2.16", PresaCarico: "1", AreaUtenza: "1" }),
        [],
        "R10",
      );
      assert.deepEqual(
        codes({ CodiceNazione: "404", CodiceRegione: undefined, CodiceComune: undefined }),
        [],
        "R08 abroad",
      );
      assert.deepEqual(codes({ ImportoQuotaUtente: "50.005" }), [], "R06 within 0.01");
      assert.deepEqual(
        codes({ CodiceFiscale: "RSSMRA80A01H50MM" }).filter((c) => c.startsWith("R")),
        [],
        "omocodia",
      );
      assert.deepEqual(
        codes({ TipoOperazione: "C", ImportoMensile: undefined }),
        [],
        "a cancellation needs the key only",
      );
    });

    await t.step("messages are Italian and carry the value", () => {
      const [v] = checkRecord(record({ CodicePrestazione: "A9.99" }), ctx);
      assert.equal(v.value, "A9.99");
      assert.match(v.message, /Codice prestazione A9\.99 inesistente o non valido al 01\/02\/2024/);
      assert.equal(v.level, "scarto");
    });
  },
);

Deno.test("rules: the catalogue lists every rule code once, with its level", () => {
  assert.deepEqual(
    RULES.map((r) => r.code),
    [
      ...Array.from({ length: 16 }, (_, i) => `R${String(i + 1).padStart(2, "0")}`),
      "W01",
      "W02",
      "W03",
      "W04",
    ],
  );
  assert.deepEqual(RULES.filter((r) => r.level === "flusso").map((r) => r.code), [
    "R01",
    "R13",
    "R14",
  ]);
});

Deno.test("parsers: Italian dates and amounts, lists, and R01 per malformed field", () => {
  const r = record({
    ImportoMensile: "1.234,56",
    ImportoQuotaEnte: "1234,56",
    ImportoQuotaUtente: "0",
  });
  assert.equal(r.ImportoMensile, "1234.56");
  assert.equal(r.DataInizioPrestazione, "2024-02-01");
  assert.equal(r.TipoOperazione, "I");
  const bad = fromFlatInput({
    ...VALID_ROW,
    DataDSU: "31/02/2024",
    Genere: "M",
    CodiceSconosciuto: "x",
  });
  assert.equal(bad.ok, false);
  const fields = (p: ReturnType<typeof fromFlatInput>) =>
    p.ok ? [] : p.violations.map((x) => [x.rule, x.field, x.value]);
  assert.deepEqual(fields(bad), [["R01", "Genere", "M"], ["R01", "DataDSU", "2024-02-31"]]);
  assert.deepEqual(fields(fromFlatInput({ ...VALID_ROW, ...SINA_ATTRS, InvCiv: "1|9" })), [[
    "R01",
    "InvCiv",
    "9",
  ]]);
  assert.deepEqual(
    fields(fromFlatInput({ ...VALID_ROW, NecessitaInterventiSociali: "A1.11" })).map((f) => f[1])
      .slice(0, 2),
    ["Mobilita", "AttivitaVitaQuotidiana"],
    "a SINA list without the assessment's required attributes",
  );
  const sina = record({ ...SINA_ATTRS, NecessitaInterventiSociali: "A1.11|A2.05", InvCiv: "1" });
  assert.deepEqual(sina.SINA?.NecessitaInterventiSociali, ["A1.11", "A2.05"]);
  assert.deepEqual(sina.SINA?.InvCiv, ["1"]);
});

Deno.test("rules: R13 envelope and R14 one record per cooperation message", () => {
  assert.deepEqual(checkEnvelope({ Codice: "H501", CFOperatore: "RSSMRA80A01H501U" }, "H501"), []);
  assert.deepEqual(
    checkEnvelope({ Codice: "F205", CFOperatore: "RSSMRA80A01H501X" }, "H501").map((
      v,
    ) => [v.rule, v.field]),
    [["R13", "Codice"], ["R13", "CFOperatore"]],
  );
  assert.deepEqual(checkSingleRecordMessage([{ PrestazioniSociali: [{}] }]), []);
  assert.equal(
    checkSingleRecordMessage([{ PrestazioniSociali: [{}, {}] }])[0].field,
    "PrestazioniSociali",
  );
  assert.equal(
    checkSingleRecordMessage([{ PrestazioniSociali: [{}] }, { PrestazioniSociali: [{}] }])[0].rule,
    "R14",
  );
});
