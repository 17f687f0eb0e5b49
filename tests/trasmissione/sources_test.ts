import assert from "node:assert/strict";
import { parsedRecords, plainRecords } from "../../modules/trasmissione/sources.ts";

/** A seeded generator, so that a failure can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s % n;
  };
}

// Pieces that matter to a CSV splitter: delimiters, line ends, lone CRs, quotes, blanks.
const PIECES = [
  "a",
  "Rossi",
  " ",
  "",
  ";",
  ",",
  "\n",
  "\r\n",
  "\r",
  '"',
  "\ufeff",
  "1.234,56",
  "à",
];

Deno.test("CSV: the direct split gives csv-parse's records, at their true lines, whenever it takes the text", () => {
  const rnd = prng(20261128);
  let taken = 0;
  for (let i = 0; i < 20_000; i++) {
    const length = 1 + rnd(40);
    // Most texts keep one kind of line end, as files do; some mix them.
    const end = rnd(3) === 0 ? "\n" : "\r\n";
    let text = "";
    for (let k = 0; k < length; k++) {
      const piece = PIECES[rnd(PIECES.length)];
      text += piece === "\n" || piece === "\r\n" ? (rnd(4) ? end : piece) : piece;
    }
    for (const delimiter of [";", ","]) {
      const plain = plainRecords(text, delimiter);
      if (!plain) continue;
      taken++;
      const what = JSON.stringify(text);
      assert.deepEqual(
        plain.map((r) => r.record),
        parsedRecords(text, delimiter).map((r) => r.record),
        what,
      );
      // Lines from the text itself: csv-parse miscounts them after a blank line in a file with
      // LF line ends (it says 2 for the "b" of "a\n\nb\n").
      const lines = text.split(/\r?\n/);
      for (const r of plain) assert.equal(lines[r.line - 1], r.record.join(delimiter), what);
    }
  }
  assert.ok(taken > 3_000, `${taken} testi divisi direttamente`);
});

Deno.test("CSV: quotes, lone CRs, mixed line ends and overlong lines are left to csv-parse", () => {
  assert.equal(plainRecords('a;"b;c"\n', ";"), undefined);
  assert.equal(plainRecords("a;b\rc;d\r", ";"), undefined);
  assert.equal(plainRecords("a;b\r\nc;d\ne;f\r\n", ";"), undefined);
  assert.equal(plainRecords("a;b\nc;d\r\n", ";"), undefined);
  assert.equal(plainRecords("x".repeat(64 * 1024 + 1) + "\n", ";"), undefined);
  assert.deepEqual(plainRecords("a;b\r\n\r\nc;\r\n", ";"), [
    { line: 1, record: ["a", "b"] },
    { line: 3, record: ["c", ""] },
  ]);
});
