import assert from "node:assert/strict";
import { ChunkDecoder } from "../../modules/platform/chunk_decoder.ts";

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

// Pieces a stream is made of: text in one to four bytes per character, a BOM, and bytes no
// UTF-8 sequence begins or ends with so.
const PIECES = [
  ..."aZ<;\n".split("").map((c) => [c.charCodeAt(0)]),
  [0xef, 0xbb, 0xbf], // BOM (U+FEFF)
  [0xc3, 0xa8], // è
  [0xe2, 0x82, 0xac], // €
  [0xf0, 0x9f, 0x98, 0x80], // 😀
  [0x80],
  [0xbf, 0xbf],
  [0xc3],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xed, 0xa0, 0x80], // a surrogate: invalid
  [0xc0, 0xaf], // overlong
  [0xf5, 0x80, 0x80, 0x80],
  [0xff],
  [0xe0, 0x80],
];

// What a streaming decoder must give is the text of the whole, decoded at once. (Deno's own
// streaming decoder drops a U+FEFF that follows a first chunk of two bytes.)
Deno.test("ChunkDecoder gives the text of the whole stream, wherever chunks end", () => {
  const next = random(7);
  for (let round = 0; round < 3000; round++) {
    const bytes: number[] = [];
    const count = Math.floor(next() * 12);
    for (let i = 0; i < count; i++) bytes.push(...PIECES[Math.floor(next() * PIECES.length)]);
    // Cut anywhere, empty and one-byte chunks included.
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length;) {
      const size = Math.floor(next() * 6);
      chunks.push(new Uint8Array(bytes.slice(at, at + size)));
      at += size;
    }
    for (const encoding of ["utf-8", "windows-1252"] as const) {
      const decoder = new ChunkDecoder(encoding);
      const text = chunks.map((c) => decoder.decode(c)).join("") + decoder.end();
      const whole = new TextDecoder(encoding).decode(new Uint8Array(bytes));
      assert.equal(text, whole, `${encoding}: ${JSON.stringify(chunks.map((c) => [...c]))}`);
    }
  }
});

Deno.test("ChunkDecoder drops a BOM only at the start of the stream", () => {
  const decoder = new ChunkDecoder("utf-8");
  assert.equal(decoder.decode(new Uint8Array([0xef, 0xbb])), "");
  assert.equal(decoder.decode(new Uint8Array([0xbf, 0x41, 0xef])), "A");
  assert.equal(decoder.decode(new Uint8Array([0xbb, 0xbf])), "\ufeff");
  assert.equal(decoder.decode(new Uint8Array([0xe2])), "");
  assert.equal(decoder.end(), "\ufffd");
});
