import assert from "node:assert/strict";
import { OFFICIAL_DIR, officialExampleFlows } from "../../modules/prestazioni/official.ts";
import { Builder, parseStringPromise } from "xml2js";
import { fromBeneficiarioElement } from "../../modules/prestazioni/record.ts";
import { FlussoDocument } from "../../modules/prestazioni/schema_ps.ts";
import { allMutations, fullDocument, random, validDocument } from "./_corpus_ps.ts";
import { xsdVerdicts } from "./_xsd.ts";

const xsd = () => Deno.readTextFile(new URL("PS_PSA_SINA201812.xsd", OFFICIAL_DIR));

Deno.test("schemas: the official files shipped with the product are the shared ones, byte for byte", async () => {
  for (
    const name of [
      "PS_PSA_SINA201812.xsd",
      "SINBA.xsd",
      "api-comuni.yaml",
      "LICENSE-MIT",
      "NOTICE.md",
    ]
  ) {
    const shared = await Deno.readFile(
      new URL(`../../../shared/siuss/official/${name}`, import.meta.url),
    )
      .catch(() => undefined);
    if (shared) assert.deepEqual(await Deno.readFile(new URL(name, OFFICIAL_DIR)), shared, name);
  }
});

Deno.test("schemas: the zod schemas and the official PS-PSA-SINA XSD judge a generated corpus alike", async () => {
  const r = random(20261127);
  const builder = new Builder({ xmldec: { version: "1.0", encoding: "UTF-8" } });
  const cases: { xml: string; what: string }[] = [];
  for (let i = 0; i < 300; i++) {
    cases.push({ xml: builder.buildObject(validDocument(r)), what: "casuale" });
  }
  const full = fullDocument(r);
  cases.push({ xml: builder.buildObject(full), what: "completo" });
  for (const { doc, what } of allMutations(full)) {
    cases.push({ xml: builder.buildObject(doc), what });
  }
  const verdicts = await xsdVerdicts("PS_PSA_SINA201812.xsd", await xsd(), cases.map((c) => c.xml));
  const disagreements: string[] = [];
  let compared = 0;
  for (const [i, c] of cases.entries()) {
    const doc = await parseStringPromise(c.xml);
    const zodOk = FlussoDocument.safeParse(doc).success;
    if (zodOk) {
      // A flow's second stage reads elements the first one accepted without checking them again:
      // the records must be those the checks give.
      for (const element of doc.Flusso.Beneficiario) {
        assert.deepEqual(
          fromBeneficiarioElement(element, { validated: true }),
          fromBeneficiarioElement(element),
          c.what,
        );
        compared++;
      }
    }
    if (verdicts[i] !== zodOk) {
      disagreements.push(
        `${c.what}: XSD ${verdicts[i] ? "valido" : "non valido"}, zod ${
          zodOk ? "valido" : "non valido"
        }`,
      );
    }
  }
  assert.deepEqual(disagreements, []);
  assert.ok(compared > 300, `records read without checks compared: ${compared}`);
  const valid = verdicts.filter(Boolean).length;
  assert.ok(
    valid > 300 && valid < cases.length - 500,
    `the corpus has both verdicts (${valid} valid of ${cases.length})`,
  );
});

Deno.test("schemas: INPS's example PS flows in api-comuni.yaml decode, validate and parse into records", async () => {
  const examples = await officialExampleFlows("PS_PSA_SINA");
  assert.ok(examples.length >= 1, "the OpenAPI holds PS examples");
  assert.deepEqual(
    await xsdVerdicts("PS_PSA_SINA201812.xsd", await xsd(), examples),
    examples.map(() => true),
  );
  for (const xml of examples) {
    const doc = await parseStringPromise(xml);
    assert.ok(FlussoDocument.safeParse(doc).success);
    const records = doc.Flusso.Beneficiario.flatMap(fromBeneficiarioElement);
    assert.ok(records.length >= 1);
    for (const r of records) assert.ok(r.ok, JSON.stringify(r));
  }
});
