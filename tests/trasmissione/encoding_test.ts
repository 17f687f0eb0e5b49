import assert from "node:assert/strict";
import { EncodingSniffer, type EncodingVerdict } from "../../modules/trasmissione/encoding.ts";

/** The verdict from the whole file at once, by the rules the sniffer implements chunk by chunk. */
function reference(bytes: Uint8Array): string {
  if (bytes.length === 0) return "vuoto";
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && [3, 5, 7].includes(bytes[2])) return "zip";
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    return "utf16";
  }
  if (bytes.includes(0)) return "binario";
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return `UTF-8 ${bom}`;
  } catch {
    return [0x81, 0x8d, 0x8f, 0x90, 0x9d].some((b) => bytes.includes(b))
      ? "sconosciuta"
      : "Windows-1252";
  }
}

function name(v: EncodingVerdict): string {
  if (v.ok) return v.encoding === "UTF-8" ? `UTF-8 ${v.bom}` : "Windows-1252";
  if (/vuoto/.test(v.message)) return "vuoto";
  if (/zip/.test(v.message)) return "zip";
  if (/UTF-16/.test(v.message)) return "utf16";
  if (/binari/.test(v.message)) return "binario";
  return "sconosciuta";
}

/** The sniffer's verdict on `bytes` cut in chunks of the sizes `sizes` gives in turn. */
function sniff(bytes: Uint8Array, sizes: () => number): string {
  const sniffer = new EncodingSniffer();
  // Chunks as views at odd offsets of a larger buffer, as a Node Buffer's pool gives them.
  const pool = new Uint8Array(bytes.length + 3);
  pool.set(bytes, 3);
  for (let at = 0; at < bytes.length;) {
    const size = Math.max(1, sizes());
    sniffer.feed(pool.subarray(3 + at, 3 + Math.min(bytes.length, at + size)));
    at += size;
  }
  return name(sniffer.verdict());
}

const utf8 = (s: string) => new TextEncoder().encode(s);

Deno.test("EncodingSniffer: the verdict does not depend on where chunks end", () => {
  const samples: Uint8Array[] = [
    utf8("CodiceFiscale;Nome\nRSSMRA80A01H501U;Niccolò €𝄞 città\n"),
    utf8("\ufeffCodiceFiscale;Nome\nà;è\n"),
    new Uint8Array([0x4e, 0xe0, 0x3b, 0x80, 0x0a]), // Windows-1252: à and €
    new Uint8Array([0x41, 0x81, 0x42]), // undefined in Windows-1252
    new Uint8Array([0x41, 0xe2, 0x82]), // a sequence cut by the end of the file
    new Uint8Array([0xed, 0xa0, 0x80]), // a surrogate: no UTF-8
    new Uint8Array([0xc0, 0xaf]), // an overlong form: no UTF-8
    new Uint8Array([0xf4, 0x90, 0x80, 0x80]), // past U+10FFFF
    new Uint8Array([0x41, 0x00, 0x42]),
    new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14]),
    new Uint8Array([0xff, 0xfe, 0x41, 0x00]),
  ];
  // Random files, mostly text, with some bytes of every kind.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pieces = [
    utf8("abc;"),
    utf8("à"),
    utf8("€"),
    utf8("𝄞"),
    [0xe2],
    [0x82],
    [0x80],
    [0x8d],
    [0xe0],
    [0],
  ];
  for (let f = 0; f < 300; f++) {
    const bytes: number[] = [];
    const n = Math.floor(random() * 40);
    for (let i = 0; i < n; i++) {
      const p = pieces[Math.floor(random() * (random() < 0.7 ? 4 : pieces.length))];
      bytes.push(...p);
    }
    samples.push(new Uint8Array(bytes));
  }
  for (const bytes of samples) {
    const expected = reference(bytes);
    for (const size of [1, 2, 3, 4, 5, 7, 64]) {
      assert.equal(sniff(bytes, () => size), expected, `${bytes} in chunks of ${size}`);
    }
    assert.equal(sniff(bytes, () => Math.floor(random() * 6)), expected, `${bytes}`);
  }
  assert.equal(sniff(new Uint8Array(0), () => 1), "vuoto");
});
