import assert from "node:assert/strict";
import { OFFICIAL_DIR, officialExampleFlows } from "../../modules/prestazioni/official.ts";
import { Builder, parseStringPromise } from "xml2js";
import {
  SINBA_ENUMERATIONS,
  SinbaAttrs,
  SinbaFlussoDocument,
} from "../../modules/prestazioni/schema_sinba.ts";
import { allMutations, fullDocument, random, validDocument } from "./_corpus_sinba.ts";
import { xsdVerdicts } from "./_xsd.ts";

const XSD = new URL("SINBA.xsd", OFFICIAL_DIR);

Deno.test("schemas: the zod schemas and the official SINBA XSD judge a generated corpus alike", async () => {
  const xsd = await Deno.readTextFile(XSD);
  const r = random(20261128);
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
  const verdicts = await xsdVerdicts("SINBA.xsd", xsd, cases.map((c) => c.xml));
  const disagreements: string[] = [];
  let valid = 0;
  for (const [i, c] of cases.entries()) {
    const xsdOk = verdicts[i];
    const zodOk = SinbaFlussoDocument.safeParse(await parseStringPromise(c.xml)).success;
    if (xsdOk) valid++;
    if (xsdOk !== zodOk) {
      disagreements.push(
        `${c.what}: XSD ${xsdOk ? "valido" : "non valido"}, zod ${zodOk ? "valido" : "non valido"}`,
      );
    }
  }
  console.log(`${cases.length} documenti, ${valid} validi, ${cases.length - valid} non validi`);
  assert.deepEqual(disagreements, []);
  assert.ok(verdicts.slice(0, 301).every(Boolean), "the generated documents are valid");
  assert.ok(
    valid > 600 && cases.length - valid > 3000,
    `the corpus has both verdicts (${valid} valid of ${cases.length})`,
  );
});

Deno.test("schemas: INPS's example SINBA flow in api-comuni.yaml is valid for the XSD and for zod", async () => {
  const [xml] = await officialExampleFlows("SINBA");
  assert.ok(xml, "the example is in the OpenAPI");
  assert.deepEqual(await xsdVerdicts("SINBA.xsd", await Deno.readTextFile(XSD), [xml]), [true]);
  const parsed = SinbaFlussoDocument.safeParse(await parseStringPromise(xml));
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
});

Deno.test("schemas: SinbaAttrs declares SINBA.xsd's attributes, uses and enumerations, and no identity", async () => {
  const { schema } = await parseStringPromise(await Deno.readTextFile(XSD), {
    tagNameProcessors: [(name: string) => name.replace(/^xs:/, "")],
  });
  type Node = { $: Record<string, string>; [child: string]: unknown };
  const enumerations = Object.fromEntries(
    (schema.simpleType as Node[])
      .filter((t) => (t.restriction as Node[])[0].enumeration)
      .map((t) => [
        t.$.name,
        ((t.restriction as Node[])[0].enumeration as Node[]).map((e) => e.$.value),
      ]),
  );
  assert.deepEqual(enumerations, SINBA_ENUMERATIONS);
  const sinbaType = (schema.complexType as Node[]).find((t) => t.$.name === "SinbaType")!;
  const declared = Object.fromEntries(
    (sinbaType.attribute as Node[]).map((a) => [a.$.name, a.$.use === "required"]),
  );
  const shape = SinbaAttrs.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
  assert.deepEqual(
    Object.fromEntries(
      Object.entries(shape).map(([name, s]) => [name, !s.safeParse(undefined).success]),
    ),
    declared,
  );
  for (const name of ["CodiceFiscale", "Cognome", "Nome", "DataNascita"]) {
    assert.ok(!(name in shape), `${name} is not a SINBA attribute`);
  }
});
