import assert from "node:assert/strict";
import { seedIdentityDemo } from "../../modules/auth/demo.ts";
import { INGEST_JOB } from "../../modules/trasmissione/ingest.ts";
import { BLOCK_BYTES } from "../../modules/trasmissione/intake.ts";
import { FlussiRepo } from "../../modules/trasmissione/repo.ts";
import { dbTest } from "../_db.ts";

dbTest(
  "flussi: upkeep closes flows whose job failed for good and deletes old files",
  async (_t, db) => {
    const { sql } = db;
    await seedIdentityDemo(sql);
    const flussi = new FlussiRepo(sql, { copy: db.kind === "server" });
    const flow = async (
      modalita: "invio" | "verifica",
      set: { stato: string; esito?: string; giorni?: number },
    ) => {
      const id = await flussi.create("H501", {
        nomeFile: `${modalita}-${set.stato}.csv`,
        modalita,
        atomico: false,
        operatore: "test",
        cfOperatore: "RSSMRA80A01H501U",
      });
      // Two blocks, the first in several rows: a file is counted once.
      await flussi.storeBlock("H501", id, 0, new Uint8Array(BLOCK_BYTES).fill(65));
      await flussi.storeBlock("H501", id, 1, new Uint8Array(10).fill(66));
      await sql`
      update flussi set stato = ${set.stato}, esito = ${set.esito ?? null},
        finished_at = ${
        set.giorni === undefined ? null : sql`now() - make_interval(days => ${set.giorni})`
      }
      where id = ${id}`;
      return id;
    };
    const failed = await flow("invio", { stato: "IN_ELABORAZIONE" });
    await sql`insert into jobs (kind, payload, state)
            values (${INGEST_JOB}, ${sql.json({ ente: "H501", flusso: failed })}, 'failed')`;
    const running = await flow("invio", { stato: "IN_ELABORAZIONE" });
    const refusedOld = await flow("invio", {
      stato: "RIFIUTATO",
      esito: "RICHIESTA_INVALIDA",
      giorni: 31,
    });
    const dryRunOld = await flow("verifica", { stato: "ELABORATO", esito: "OK", giorni: 40 });
    const dryRunNew = await flow("verifica", { stato: "ELABORATO", esito: "OK", giorni: 1 });
    const acquiredOld = await flow("invio", { stato: "ELABORATO", esito: "OK", giorni: 400 });

    assert.deepEqual(await flussi.upkeep(), { chiusi: 1, file: 2 });
    const closed = (await flussi.get("H501", failed))!;
    assert.deepEqual([closed.stato, closed.esito], ["ELABORATO", "ERRORE_GENERICO"]);
    assert.equal((await flussi.get("H501", running))!.stato, "IN_ELABORAZIONE");
    const kept = await sql`select distinct flusso_id from flussi_blocchi order by flusso_id`;
    assert.deepEqual(
      kept.map((r) => r.flusso_id),
      [failed, running, dryRunNew, acquiredOld],
      `files deleted: ${refusedOld}, ${dryRunOld}`,
    );
    assert.deepEqual(await flussi.upkeep(), { chiusi: 0, file: 0 }, "nothing left to do");
  },
);
