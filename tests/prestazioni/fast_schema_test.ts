import assert from "node:assert/strict";
import { Builder, parseStringPromise } from "xml2js";
import { FAIL, fastCheck } from "../../modules/prestazioni/fast_schema.ts";
import * as ps from "../../modules/prestazioni/schema_ps.ts";
import * as sinba from "../../modules/prestazioni/schema_sinba.ts";
import type { z } from "zod";
import * as corpusPs from "./_corpus_ps.ts";
import * as corpusSinba from "./_corpus_sinba.ts";

/** Where the compiled check and zod answer differently: acceptance, or the output. */
function disagreement(schema: z.ZodType, value: unknown): string | undefined {
  const check = fastCheck(schema);
  if (!check) return "nessun controllo compilato";
  const fast = check(value);
  const slow = schema.safeParse(value);
  if ((fast !== FAIL) !== slow.success) {
    return `${JSON.stringify(value)}: veloce ${fast !== FAIL}, zod ${slow.success}`;
  }
  if (slow.success) {
    try {
      assert.deepEqual(fast, slow.data);
    } catch {
      return `${JSON.stringify(value)}: uscite diverse`;
    }
  }
}

const ATTRS: Record<string, z.ZodType> = {
  Beneficiario: ps.BeneficiarioAttrs,
  Anagrafica: ps.AnagraficaAttrs,
  Indirizzo: ps.IndirizzoAttrs,
  PrestazioniSociali: ps.PrestazioneAttrs,
  SINA: ps.SinaAttrs,
  SINBA: sinba.SinbaAttrs,
};

/** Every element of a parsed tree with its name. */
function* elements(node: unknown, name = ""): Generator<[string, Record<string, unknown>]> {
  if (Array.isArray(node)) { for (const n of node) yield* elements(n, name); }
  else if (node && typeof node === "object") {
    yield [name, node as Record<string, unknown>];
    for (const [k, v] of Object.entries(node)) if (k !== "$") yield* elements(v, k);
  }
}

for (
  const [label, corpus, record, recordName] of [
    ["PS-PSA-SINA", corpusPs, ps.BeneficiarioElement, "Beneficiario"],
    ["SINBA", corpusSinba, sinba.SinbaElement, "SINBA"],
  ] as const
) {
  Deno.test(`fast schema: the compiled checks and zod agree on the ${label} corpus (valid and mutated, as xml2js parses it)`, async () => {
    const r = corpus.random(20261128);
    const builder = new Builder();
    const docs = [
      ...Array.from({ length: 20 }, () => corpus.validDocument(r)),
      ...corpus.allMutations(corpus.fullDocument(r)).map((m) => m.doc),
    ];
    const problems: string[] = [];
    let accepted = 0, refused = 0;
    for (const doc of docs) {
      const parsed = await parseStringPromise(builder.buildObject(doc));
      const flusso = (parsed as { Flusso?: Record<string, unknown> }).Flusso ?? {};
      for (const element of (flusso[recordName] ?? []) as unknown[]) {
        const p = disagreement(record, element);
        if (p) problems.push(`${recordName}: ${p}`);
        if (record.safeParse(element).success) accepted++;
        else refused++;
      }
      for (const [name, element] of elements(flusso[recordName], recordName)) {
        const schema = ATTRS[name];
        if (!schema || !element.$) continue;
        const p = disagreement(schema, element.$);
        if (p) problems.push(`${name}: ${p}`);
      }
    }
    assert.deepEqual(problems.slice(0, 10), []);
    // The corpus holds both verdicts, in numbers.
    assert.ok(accepted >= 20 && refused >= 100, `${accepted} accettati, ${refused} rifiutati`);
  });
}

const HOSTILE: unknown[] = [
  "",
  " ",
  "\t1\n",
  " 2024-01-01 ",
  "2024-01-01\r\n",
  "1\u00a0",
  "\ufeff1",
  "\u0000",
  "a\u0001b",
  "\uD83D\uDE00".repeat(3),
  "\uD800",
  "\uFFFE",
  "١٢٣٤",
  "RSSMRA80A01H501U",
  "rssmra80a01h501u",
  "12345678901  ",
  "12345678901      ",
  "x".repeat(37),
  "+12",
  "-0",
  "1e3",
  " 12 ",
  "007",
  "2147483648",
  "12.50",
  ".5",
  "5.",
  1,
  null,
  undefined,
  [],
  ["1"],
  {},
  { _: "A1.04" },
  { _: "A1.04", extra: "x" },
  true,
];

Deno.test("fast schema: the compiled checks and zod agree on hostile values, field by field", () => {
  const problems: string[] = [];
  const schemas = [
    ...Object.values(ATTRS),
    ps.EnteAttrs,
    ps.IdentificazioneFlussoAttrs,
  ] as z.ZodObject[];
  for (const schema of schemas) {
    for (const [name, field] of Object.entries(schema.shape)) {
      for (const value of HOSTILE) {
        const p = disagreement(field as z.ZodType, value);
        if (p) problems.push(`${name}: ${p}`);
      }
    }
  }
  for (const value of HOSTILE) {
    for (const schema of [ps.InvCiv, ps.NecessitaCodice, sinba.CodicePrestazione]) {
      const p = disagreement(schema, value);
      if (p) problems.push(p);
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("fast schema: unknown parts are left to zod, and a present undefined goes to zod", () => {
  // The root's attributes are judged by a refinement: no compiled check, zod alone.
  assert.equal(fastCheck(ps.FlussoDocument), null);
  const check = fastCheck(ps.IndirizzoAttrs)!;
  assert.deepEqual(check({ CodiceNazione: "100" }), { CodiceNazione: "100" });
  assert.equal(check({ CodiceNazione: "100", CodiceRegione: undefined }), FAIL);
  assert.equal(check({ CodiceNazione: "100", Altro: "x" }), FAIL);
});
