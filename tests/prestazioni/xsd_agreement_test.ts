import assert from "node:assert/strict";
import { Builder, parseStringPromise } from "xml2js";
import { validateXML } from "xmllint-wasm";
import { FlussoDocument } from "../../modules/prestazioni/schema_ps.ts";
import { allMutations, fullDocument, random, validDocument } from "./_corpus_ps.ts";

const XSD = new URL("../../../shared/siuss/official/PS_PSA_SINA201812.xsd", import.meta.url);

Deno.test("schemas: the zod schemas and the official PS-PSA-SINA XSD judge a generated corpus alike", async () => {
  const xsd = await Deno.readTextFile(XSD);
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
  const result = await validateXML({
    xml: cases.map((c, i) => ({ fileName: `f${i}.xml`, contents: c.xml })),
    schema: [{ fileName: "PS_PSA_SINA201812.xsd", contents: xsd }],
    maxMemoryPages: 2 ** 14,
  });
  const xsdInvalid = new Set(result.errors.map((e) => e.loc?.fileName));
  const disagreements: string[] = [];
  let valid = 0;
  for (const [i, c] of cases.entries()) {
    const xsdOk = !xsdInvalid.has(`f${i}.xml`);
    const zodOk = FlussoDocument.safeParse(await parseStringPromise(c.xml)).success;
    if (xsdOk) valid++;
    if (xsdOk !== zodOk) {
      disagreements.push(
        `${c.what}: XSD ${xsdOk ? "valido" : "non valido"}, zod ${zodOk ? "valido" : "non valido"}`,
      );
    }
  }
  assert.deepEqual(disagreements, []);
  assert.ok(
    valid > 300 && valid < cases.length - 500,
    `the corpus has both verdicts (${valid} valid of ${cases.length})`,
  );
});
