/**
 * The XML scanner against `sax` (the parser it replaced), fed in chunks of
 * random size down to one character: hand-written hostile documents and
 * thousands of mutations of a flow. Where the two disagree, libxml2 (through
 * xmllint-wasm) is the judge of XML 1.0 + Namespaces well-formedness.
 *
 * Where sax is more lenient than XML 1.0 the scanner refuses, and libxml2 must
 * refuse too: an empty document, duplicate attributes (sax keeps the first),
 * a second root, "]]>" in text, HTML entities such as `&nbsp;` and `&AMP;`
 * (sax knows them without a DTD), `&#X41;`, control characters, `<` in an
 * attribute value, `< a>` and `</ a>`, `<!FOO>` declarations and CDATA outside
 * the root, `<![cdata[`, malformed processing-instruction targets and XML
 * declarations, QNames with two colons, `xmlns:p=""`. The scanner refuses any
 * DOCTYPE by design (`<!doctype` too, as a malformed declaration), and lone
 * surrogates, which libxml2 cannot be shown (UTF-8 has no form for them).
 *
 * One sax bug goes the other way: it does not end a processing instruction at
 * "??>" (a body ending in "?"), so it runs on to the end of the document and
 * refuses it; the scanner ends it there, as XML 1.0 and libxml2 do.
 *
 * sax does not normalise line ends nor attribute white space: it is fed the
 * document with line ends normalised, and values are compared with white space
 * as spaces; the scanner's own normalisation has tests of its own.
 * @module
 */
import assert from "node:assert/strict";
// @ts-types="@types/sax"
import sax from "sax";
import { validateXML } from "xmllint-wasm";
import { MAX_TOKEN, XmlScanner, type XmlTag } from "../../modules/trasmissione/xml_scanner.ts";
import { FlowXmlReader, type XmlRecord } from "../../modules/trasmissione/xml_stream.ts";
import { XmlInspection } from "../../modules/trasmissione/xml_inspection.ts";
import { rows, xmlOf } from "./_flows.ts";

type Attribute = [name: string, value: string, prefix: string, local: string, uri: string];
type Event =
  | ["open", name: string, uri: string, line: number, attributes: Attribute[]]
  | ["text", string]
  | ["close", string];

interface Run {
  ok: boolean;
  events: Event[];
  error?: string;
}

/** A seeded PRNG (mulberry32): the same cases on every run. */
function prng(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

// Attribute values (namespace names too) with white space as spaces, as XML normalises them.
const spaced = (value: string) => value.replace(/[\t\n]/g, " ");
const attribute = (
  a: { name: string; value: string; prefix: string; local: string; uri: string },
) => [a.name, spaced(a.value), a.prefix, a.local, spaced(a.uri)] as Attribute;

// Text nodes may come in pieces (sax splits at CDATA, the scanner at chunk ends too).
function pushText(events: Event[], text: string) {
  const last = events.at(-1);
  if (last?.[0] === "text") last[1] += text;
  else events.push(["text", text]);
}

/** sax on the document with its line ends normalised, as XML 1.0 does before parsing. */
function saxRun(doc: string): Run {
  const events: Event[] = [];
  let depth = 0;
  let error: string | undefined;
  const p = sax.parser(true, { xmlns: true, position: true });
  p.onerror = (e) => void (error ??= e.message);
  p.onopentag = (node) => {
    const tag = node as sax.QualifiedTag;
    depth++;
    const attributes = Object.values(tag.attributes).map(attribute);
    events.push(["open", tag.name, spaced(tag.uri), p.line + 1, attributes]);
  };
  p.ontext = p.oncdata = (t) => {
    if (depth > 0) pushText(events, t);
  };
  p.onclosetag = (name) => {
    depth--;
    events.push(["close", name]);
  };
  try {
    p.write(doc.replace(/\r\n?/g, "\n")).close();
  } catch (e) {
    error ??= String(e);
  }
  return { ok: error === undefined, events, error };
}

/** The scanner fed in chunks of `size()` characters. */
function scannerRun(doc: string, size: () => number): Run {
  const events: Event[] = [];
  let error: string | undefined;
  const scanner: XmlScanner = new XmlScanner({
    onOpen: (tag) => {
      // The values by name are the attributes' own, in order.
      assert.deepEqual(
        Object.entries(tag.values ?? {}),
        tag.attributes.map((a) => [a.name, a.value]),
      );
      events.push(["open", tag.name, spaced(tag.uri), scanner.line, tag.attributes.map(attribute)]);
    },
    onText: (t) => pushText(events, t),
    onCdata: (t) => pushText(events, t),
    onClose: (name) => events.push(["close", name]),
    onError: (e) => void (error = `${e.message} (riga ${e.line})`),
  });
  for (let i = 0; i < doc.length;) {
    const n = size();
    scanner.write(doc.slice(i, i + n));
    i += n;
  }
  scanner.close();
  return { ok: error === undefined, events, error };
}

/** Chunk sizes for the `k`-th case: one character, a few, or a few hundred. */
function sizes(random: (n: number) => number, k: number): () => number {
  const mode = k % 3;
  return () => mode === 0 ? 1 : mode === 1 ? 1 + random(17) : 1 + random(400);
}

/** libxml2's verdict on each document (namespace errors included). */
async function libxml2Refuses(docs: string[]): Promise<boolean[]> {
  const verdicts: boolean[] = [];
  for (let start = 0; start < docs.length; start += 200) {
    const batch = docs.slice(start, start + 200);
    const { errors } = await validateXML({
      xml: batch.map((contents, i) => ({ fileName: `f${i}.xml`, contents })),
      normalization: "format",
    });
    const refused = new Set(errors.map((e) => e.loc?.fileName));
    verdicts.push(...batch.map((_, i) => refused.has(`f${i}.xml`)));
  }
  return verdicts;
}

interface Disagreement {
  doc: string;
  label: string;
  scanner: Run;
  sax: Run;
}

/**
 * Compares the scanner with sax on each document: the same events when both accept; when
 * they disagree, libxml2 must side with the scanner.
 */
async function differential(cases: [label: string, doc: string][], seed: number) {
  const random = prng(seed);
  const disagreements: Disagreement[] = [];
  const tally = { accepted: 0, refused: 0, stricter: 0, saxBug: 0 };
  cases.forEach(([label, doc], k) => {
    const theirs = saxRun(doc);
    const ours = scannerRun(doc, sizes(random, k));
    // Where chunks end changes nothing, errors included.
    assert.deepEqual(ours, scannerRun(doc, () => doc.length), `${label}: ${JSON.stringify(doc)}`);
    if (theirs.ok && ours.ok) {
      assert.deepEqual(ours.events, theirs.events, `${label}: ${JSON.stringify(doc)}`);
      tally.accepted++;
    } else if (!theirs.ok && !ours.ok) tally.refused++;
    else disagreements.push({ doc, label, scanner: ours, sax: theirs });
  });
  const verdicts = await libxml2Refuses(disagreements.map((d) => d.doc));
  disagreements.forEach((d, k) => {
    const where = `${d.label}: ${JSON.stringify(d.doc)}`;
    if (d.sax.ok) {
      // A lone surrogate has no UTF-8 form: libxml2 would read U+FFFD in its place.
      assert.ok(
        verdicts[k] || /DOCTYPE/.test(d.scanner.error!) || LONE_SURROGATE.test(d.doc),
        `lo scanner rifiuta (${d.scanner.error}) un documento ben formato: ${where}`,
      );
      tally.stricter++;
    } else {
      assert.ok(
        d.doc.includes("??>") && !verdicts[k],
        `lo scanner accetta un documento che sax rifiuta (${d.sax.error}): ${where}`,
      );
      tally.saxBug++;
    }
  });
  return tally;
}

const NS = "http://inps.it/Casellario";
const LONE_SURROGATE = /\p{Cs}/u;

// Hand-written documents: valid ones exercising every construct, and hostile or broken ones.
const HOSTILE: [string, string][] = [
  [
    "billion laughs",
    `<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n<Flusso>&lol2;</Flusso>`,
  ],
  [
    "external entity",
    `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>`,
  ],
  ["doctype", `<!DOCTYPE a SYSTEM "a.dtd"><a/>`],
  ["doctype in lower case", `<!doctype a><a/>`],
  ["doctype after the root", `<a/><!DOCTYPE a>`],
  ["deep nesting", `${"<a>".repeat(3000)}x${"</a>".repeat(3000)}`],
  ["unclosed", `<a><b></b>`],
  ["unclosed root", `<a>`],
  ["mismatched", `<a><b></a></b>`],
  ["close without open", `</a>`],
  ["second root", `<a/><b/>`],
  ["text before the root", `x<a/>`],
  ["text after the root", `<a/>x`],
  ["entity outside the root", `<a/>&amp;`],
  ["empty", ``],
  ["only white space", ` \n\t `],
  ["only a declaration", `<?xml version="1.0"?>`],
  ["digit name", `<1a/>`],
  ["space after <", `< a/>`],
  ["space after </", `<a></ a>`],
  ["bad attribute name", `<a 1b="x"/>`],
  ["attribute without =", `<a b/>`],
  ["attribute without quotes", `<a b=c/>`],
  ["attribute without space", `<a b="1"c="2"/>`],
  ["duplicate attribute", `<a b="1" b="2"/>`],
  ["duplicate expanded name", `<a xmlns:p="urn:x" xmlns:q="urn:x" p:b="1" q:b="2"/>`],
  ["lt in attribute", `<a b="<"/>`],
  ["gt in attribute", `<a b=">"/>`],
  ["slash without gt", `<a/ >`],
  ["undefined entity", `<a>&nbsp;</a>`],
  ["entity in capitals", `<a>&AMP;</a>`],
  ["entity in attribute", `<a b="&copy;"/>`],
  ["bare ampersand", `<a>a & b</a>`],
  ["unterminated entity", `<a>&amp</a>`],
  ["char ref zero", `<a>&#0;</a>`],
  ["char ref control", `<a>&#1;</a>`],
  ["char ref surrogate", `<a>&#xD800;</a>`],
  ["char ref FFFE", `<a>&#xFFFE;</a>`],
  ["char ref out of range", `<a>&#x110000;</a>`],
  ["char ref huge", `<a>&#99999999999999999999;</a>`],
  ["char ref capital X", `<a>&#X41;</a>`],
  ["char ref empty", `<a>&#;</a>`],
  ["char ref hex letters in decimal", `<a>&#6A;</a>`],
  ["char refs", `<a b="&#65;&#x42;&#x00043;">&#x1F600;&#233;&#10;</a>`],
  ["predefined entities", `<a b="&lt;&gt;&amp;&quot;&apos;">&lt;&gt;&amp;&quot;&apos;</a>`],
  ["control character in text", `<a>\u0001</a>`],
  ["control character in attribute", `<a b="\u001f"/>`],
  ["U+FFFF", `<a>\uffff</a>`],
  ["lone surrogate", `<a>\ud800x</a>`],
  ["lone low surrogate", `<a>x\udc00</a>`],
  ["surrogate pair", `<a b="\ud83d\ude00">\ud83d\ude00</a>`],
  ["cdata end in text", `<a>]]></a>`],
  ["brackets in text", `<a>]] ] ]]]</a>`],
  ["cdata", `<a>x<![CDATA[<b>&amp;]]]]><![CDATA[]]>y</a>`],
  ["cdata with brackets", `<a><![CDATA[a]b]]c]]]></a>`],
  ["cdata outside the root", `<![CDATA[x]]><a/>`],
  ["cdata in lower case", `<a><![cdata[x]]></a>`],
  ["unterminated cdata", `<a><![CDATA[x</a>`],
  ["comments", `<!-- a --><a><!-- b - c -->x<!---->y</a><!-- d -->`],
  ["double dash in comment", `<a><!-- a -- b --></a>`],
  ["comment ending in dash", `<a><!-- a ---></a>`],
  ["unterminated comment", `<a><!-- x</a>`],
  ["sgml declaration", `<!ELEMENT a ANY><a/>`],
  ["processing instructions", `<?pi?><a><?pi  corpo ? > ?></a><?fine x?>`],
  ["pi ending in a question mark", `<a><?pi a??></a>`],
  ["pi without target", `<a><? x?></a>`],
  ["pi with bad target", `<a><?p"i x?></a>`],
  ["pi named XML", `<a><?XML x?></a>`],
  ["declaration with encoding", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><a/>`],
  ["declaration without version", `<?xml encoding="UTF-8"?><a/>`],
  ["declaration with junk", `<?xml version="1.0" foo="1"?><a/>`],
  ["declaration inside the root", `<a><?xml version="1.0"?></a>`],
  ["declaration after a comment", `<!-- x --><?xml version="1.0"?><a/>`],
  ["unterminated pi", `<a><?pi x</a>`],
  ["unterminated tag", `<a><b c="1"`],
  ["crlf", `<?xml version="1.0"?>\r\n<a\r\n b="1\r\n2">x\r\ny\rz\r\r\n<b/>\r</a>\r\n`],
  ["attribute normalisation", `<a b=" x\ty\nz " c="&#9;&#10;&#13;"/>`],
  ["unicode", `<città é="è">Perché ₠ 𝄞</città>`],
  ["astral name", `<a𐀀/>`],
  ["namespaces", `<p:a xmlns:p="urn:p" xmlns="urn:d"><b p:c="1" d="2" xml:lang="it"/><p:e/></p:a>`],
  ["default namespace undeclared", `<a xmlns="urn:d"><b xmlns=""><c/></b></a>`],
  ["unbound element prefix", `<p:a/>`],
  ["unbound attribute prefix", `<a p:b="1"/>`],
  ["prefix out of scope", `<a><b xmlns:p="urn:p"/><p:c/></a>`],
  ["empty prefix binding", `<a xmlns:p=""/>`],
  ["two colons", `<a:b:c xmlns:a="urn:a"/>`],
  ["xmlns prefix on an element", `<xmlns:a/>`],
  ["xml prefix rebound", `<a xmlns:xml="urn:x"/>`],
  ["xml prefix bound right", `<a xmlns:xml="http://www.w3.org/XML/1998/namespace"/>`],
  ["xmlns declared", `<a xmlns:xmlns="http://www.w3.org/2000/xmlns/"/>`],
  ["flow", `<Flusso xmlns="${NS}"><IdentificazioneFlusso Nome="x"/></Flusso>`],
  ["bom", `\ufeff<a/>`],
  ["white space in tags", `<a  b = 'x"y'  c\n=\n"1" ></a \n>`],
  ["long text", `<a>${"x".repeat(20_000)}</a>`],
  ["long attribute", `<a b="${"y".repeat(20_000)}"/>`],
];

/** The flow mutated below: every construct a flow may hold, and some it should not. */
function mutationBase(): string {
  return xmlOf(rows(2, 0))
    .replace("?>\n", '?>\r\n<!-- flusso di prova -->\n<?elaborazione dati="1"?>\n')
    .replace(
      `<Flusso xmlns="${NS}">`,
      `<Flusso xmlns="${NS}" xmlns:x="urn:prova" x:nota="a&amp;b &#x41;&#10;c\td">`,
    )
    .replace(
      "</IdentificazioneFlusso>",
      "</IdentificazioneFlusso>\r\n  <x:Nota x:tipo='uno'>testo &lt;1&gt; <![CDATA[<grezzo> & ]] ]]>fine&#233;</x:Nota>",
    );
}

const ALPHABET = [..."<>&;\"'/=!?-[]:# x\n\r\t\u0001é\ud800"];

/** Deletes, inserts or duplicates a few characters at random places. */
function mutate(doc: string, random: (n: number) => number): string {
  for (let m = 1 + random(3); m > 0; m--) {
    const at = random(doc.length + 1);
    const kind = random(3);
    if (kind === 0) doc = doc.slice(0, at) + doc.slice(at + 1 + random(3));
    else if (kind === 1) doc = doc.slice(0, at) + ALPHABET[random(ALPHABET.length)] + doc.slice(at);
    else doc = doc.slice(0, at) + doc.slice(at, at + 1 + random(8)) + doc.slice(at);
  }
  return doc;
}

Deno.test("xml scanner: the same verdict and events as sax on hostile documents", async () => {
  const tally = await differential(HOSTILE, 1);
  console.log(tally);
  assert.ok(
    tally.accepted >= 15 && tally.refused >= 20 && tally.stricter >= 15 && tally.saxBug === 1,
    JSON.stringify(tally),
  );
});

Deno.test("xml scanner: the same verdict and events as sax on 3000 mutations of a flow", async () => {
  const random = prng(42);
  const base = mutationBase();
  const cases: [string, string][] = [["base", base]];
  for (let k = 1; k < 3000; k++) cases.push([`mutazione ${k}`, mutate(base, random)]);
  const tally = await differential(cases, 7);
  console.log(tally);
  assert.ok(tally.accepted > 300 && tally.refused > 300, JSON.stringify(tally));
});

/** Every event of the scanner fed in chunks of `size`, with the scanner's errors. */
function events(doc: string, size = () => doc.length) {
  const seen: unknown[] = [];
  const scanner: XmlScanner = new XmlScanner({
    onOpen: (t) => seen.push(["open", t.name, scanner.line, t.attributes.map((a) => a.value)]),
    onText: (t) => seen.push(["text", t]),
    onCdata: (t) => seen.push(["cdata", t]),
    onClose: (name) => seen.push(["close", name]),
    onDoctype: () => seen.push(["doctype"]),
    onInstruction: (name, body) => seen.push(["pi", name, body]),
    onError: (e) => seen.push(["error", e.message, e.line]),
  });
  for (let i = 0; i < doc.length;) {
    const n = size();
    scanner.write(doc.slice(i, i + n));
    i += n;
  }
  scanner.close();
  return seen;
}

/** The text of a document, its pieces joined, or its error. */
function textOf(doc: string, size?: () => number): string {
  const seen = events(doc, size);
  const error = seen.find((e) => (e as string[])[0] === "error") as string[] | undefined;
  if (error) return `errore: ${error[1]}`;
  return seen.filter((e) => (e as string[])[0] === "text").map((e) => (e as string[])[1]).join("");
}

Deno.test("xml scanner: XML 1.0 rules sax does not apply", async (t) => {
  await t.step("attribute values by name are own properties, `__proto__` too", () => {
    const tags: XmlTag[] = [];
    const scanner = new XmlScanner({ onOpen: (tag) => tags.push(tag) });
    scanner.write(`<a __proto__="x" b="y"><c/></a>`);
    scanner.close();
    assert.deepEqual(Object.entries(tags[0].values!), [["__proto__", "x"], ["b", "y"]]);
    assert.equal(Object.getPrototypeOf(tags[0].values), Object.prototype);
    assert.equal(tags[1].values, undefined);
  });
  await t.step("attribute values: literal white space becomes a space, references stay", () => {
    assert.deepEqual(events(`<a b="x&#10;y&#9;z\n\tw\r\nv"/>`), [
      ["open", "a", 3, ["x\ny\tz  w v"]],
      ["close", "a"],
    ]);
  });
  await t.step("line ends become LF in text, also when a chunk ends between CR and LF", () => {
    const doc = "<a>1\r\n2\r3\n4\r</a>";
    for (const size of [doc.length, 1, 4, 5]) assert.equal(textOf(doc, () => size), "1\n2\n3\n4\n");
    assert.equal(textOf("<a>&#13;\r\n</a>"), "\r\n");
  });
  await t.step("lines are counted across chunks, CR LF and lone CR once each", () => {
    const doc = "<a>\r\n<b\r c='1'/>\n\r\n<c/>\r</a>";
    for (const size of [doc.length, 1, 3]) {
      assert.deepEqual(
        events(doc, () => size).filter((e) => (e as string[])[0] === "open"),
        [["open", "a", 1, []], ["open", "b", 3, ["1"]], ["open", "c", 5, []]],
      );
    }
    assert.deepEqual(events("<a>\n\n<b></c></a>").at(-1), [
      "error",
      "tag di chiusura </c> non corrispondente a <b>",
      3,
    ]);
  });
  await t.step("references: only the five entities and characters XML allows", () => {
    assert.equal(textOf("<a>&lt;&#x1F600;&#0065;</a>"), "<\u{1F600}A");
    assert.equal(textOf("<a>&nbsp;</a>"), "errore: entità non definita: &nbsp;");
    assert.equal(textOf("<a>&#0;</a>"), "errore: riferimento a un carattere non ammesso: &#0;");
    assert.equal(
      textOf("<a>&#x110000;</a>"),
      "errore: riferimento a un carattere non ammesso: &#x110000;",
    );
    assert.equal(textOf("<a>]]></a>"), "errore: la sequenza ']]>' non è ammessa nel testo");
    assert.equal(textOf("<a>\u0007</a>"), "errore: carattere U+0007 non ammesso in XML");
  });
  await t.step("a DOCTYPE is reported at once and nothing after it", () => {
    assert.deepEqual(events(`<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>`), [
      ["doctype"],
      ["error", "le DTD (DOCTYPE) non sono ammesse", 1],
    ]);
  });
  await t.step("instructions, self-closing elements, CDATA", () => {
    assert.deepEqual(events(`<?xml version="1.0"?><?pi   corpo ?><a/><!--c-->`), [
      ["pi", "xml", 'version="1.0"'],
      ["pi", "pi", "corpo "],
      ["open", "a", 1, []],
      ["close", "a"],
    ]);
    assert.deepEqual(events("<a><![CDATA[<&]]></a>").slice(1, 2), [["cdata", "<&"]]);
  });
  await t.step("an empty document, or one without elements, is an error", () => {
    for (const doc of ["", " \n", "<?xml version='1.0'?>", "<!-- x -->"]) {
      assert.deepEqual(events(doc).at(-1), [
        "error",
        "il documento non contiene nessun elemento",
        doc.split("\n").length,
      ]);
    }
  });
  await t.step("long text and values split in one-character chunks stay linear", () => {
    const text = "x".repeat(16 * 1024), value = "y".repeat(60 * 1024);
    const doc = `<a b="${value}">${text}&amp;</a>`;
    const start = performance.now();
    const seen = events(doc, () => 1);
    assert.ok(performance.now() - start < 2000, `${performance.now() - start} ms`);
    assert.equal((seen[0] as [string, string, number, string[]])[3][0], value);
    assert.equal(textOf(doc, () => 1), `${text}&`);
  });
  await t.step("a tag longer than the limit is refused however it is split", () => {
    const doc = `<a b="${"y".repeat(MAX_TOKEN)}"/>`;
    for (const size of [doc.length, 1000]) {
      assert.match(textOf(doc, () => size), /errore: elemento o istruzione più lungo/);
    }
  });
});

/** What the reader makes of a document fed in chunks of `size`. */
function read(doc: string, size: () => number) {
  const records: XmlRecord[] = [];
  const reader = new FlowXmlReader({ onRecord: (r) => records.push(r) });
  for (let i = 0; i < doc.length;) {
    const n = size();
    reader.write(doc.slice(i, i + n));
    i += n;
  }
  reader.close();
  const { problems, rootAttrs, envelope, kind, stopped } = reader;
  return { records, problems, rootAttrs, envelope, kind, stopped };
}

Deno.test("FlowXmlReader: the same records and problems however the flow is split", () => {
  const random = prng(3);
  const flow = xmlOf(rows(40, 0));
  const whole = read(flow, () => flow.length);
  assert.equal(whole.records.length, 40);
  assert.deepEqual(whole.problems, []);
  assert.deepEqual(whole.records.slice(0, 3).map((r) => r.line), [6, 17, 22]);
  for (let k = 0; k < 6; k++) assert.deepEqual(read(flow, sizes(random, k)), whole);
  const crlf = flow.replaceAll("\n", "\r\n");
  assert.deepEqual(read(crlf, sizes(random, 0)), whole);
  const base = mutationBase();
  for (let k = 0; k < 400; k++) {
    const doc = mutate(base, random);
    assert.deepEqual(read(doc, sizes(random, k)), read(doc, () => doc.length), JSON.stringify(doc));
  }
});

Deno.test("FlowXmlReader: DTD, encoding and well-formedness messages", () => {
  const one = (doc: string) => read(doc, () => doc.length).problems;
  assert.match(one(`<!DOCTYPE x><Flusso xmlns="${NS}"/>`)[0].messaggio, /dichiara una DTD/);
  assert.deepEqual(one(`<?xml version="1.0" encoding="ISO-8859-1"?>\n<Flusso/>`), [
    { riga: 1, messaggio: "Codifica dichiarata ISO-8859-1: i flussi XML sono in UTF-8." },
  ]);
  assert.deepEqual(one(`<Flusso xmlns="${NS}">\n<a></b>`), [
    { riga: 2, messaggio: "Elemento a non previsto dallo schema in Flusso." },
    { riga: 2, messaggio: "XML non ben formato: tag di chiusura </b> non corrispondente a <a>" },
  ]);
});

Deno.test("FlowXmlReader: a child named __proto__ is an own child the schema refuses, not a prototype", () => {
  const flow = xmlOf(rows(1, 0)).replace(
    "<Anagrafica ",
    "<__proto__><Anagrafica/></__proto__><Anagrafica ",
  );
  const [record] = read(flow, () => flow.length).records;
  assert.equal(Object.getPrototypeOf(record.element), Object.prototype);
  assert.ok(Object.hasOwn(record.element, "__proto__"));
  const inspection = new XmlInspection();
  inspection.write(new TextEncoder().encode(flow));
  const { problems } = inspection.finish("H501");
  assert.match(JSON.stringify(problems), /Beneficiario n\. 1: __proto__ non previsto dallo schema/);
});
