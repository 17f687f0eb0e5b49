import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { seedIdentityDemo } from "../../modules/auth/demo.ts";
import { concat } from "../../modules/platform/bytes.ts";
import { BLOCK_BYTES } from "../../modules/trasmissione/intake.ts";
import { FlussiRepo, PART_BYTES } from "../../modules/trasmissione/repo.ts";
import { dbTest } from "../_db.ts";

/** `n` bytes that differ from block to block and from part to part. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed + (i >> 16)) & 0xff;
  return out;
}

async function flow(flussi: FlussiRepo): Promise<number> {
  return await flussi.create("H501", {
    nomeFile: "f.csv",
    modalita: "invio",
    atomico: false,
    operatore: "test",
    cfOperatore: "RSSMRA80A01H501U",
  });
}

/** Blocks by their lengths and SHA-256: compared whole, with a short message when they differ. */
function digests(blocks: Uint8Array[]): string[] {
  return blocks.map((b) => `${b.length}:${createHash("sha256").update(b).digest("hex")}`);
}

async function readAll(flussi: FlussiRepo, id: number): Promise<Uint8Array[]> {
  const blocks: Uint8Array[] = [];
  for await (const block of flussi.blocks("H501", id)) blocks.push(block);
  return blocks;
}

dbTest("flussi: a file is stored in parts and read back block by block", async (_t, db) => {
  await seedIdentityDemo(db.sql);
  const flussi = new FlussiRepo(db.sql, { copy: db.kind === "server" });
  const id = await flow(flussi);
  const written = [bytes(BLOCK_BYTES, 1), bytes(BLOCK_BYTES, 2), bytes(3 * PART_BYTES + 5, 3)];
  for (const [n, block] of written.entries()) await flussi.storeBlock("H501", id, n, block);

  const [{ rows, largest }] = await db.sql`
    select count(*)::int as rows, max(length(dati))::int as largest from flussi_blocchi
    where ente_id = 'H501' and flusso_id = ${id}`;
  assert.equal(rows, 2 * (BLOCK_BYTES / PART_BYTES) + 4);
  assert.equal(largest, PART_BYTES);
  assert.deepEqual(digests(await readAll(flussi, id)), digests(written));
  await assert.rejects(flussi.storeBlock("H501", id, 3, bytes(BLOCK_BYTES + 1, 4)), RangeError);
  assert.deepEqual(
    digests(await readAll(new FlussiRepo(db.sql), id)),
    digests(written),
    "either way of reading",
  );
});

dbTest("flussi: a file stored a row per block, as before parts, reads whole", async (_t, db) => {
  await seedIdentityDemo(db.sql);
  const flussi = new FlussiRepo(db.sql, { copy: db.kind === "server" });
  const id = await flow(flussi);
  const blocks = Array.from({ length: 20 }, (_, n) => bytes(1000 + n, n));
  for (const [n, block] of blocks.entries()) {
    await db.sql`insert into flussi_blocchi (ente_id, flusso_id, n, dati)
                 values ('H501', ${id}, ${n}, decode(${block.toBase64()}, 'base64'))`;
  }
  assert.deepEqual(digests([concat(await readAll(flussi, id))]), digests([concat(blocks)]));
});
