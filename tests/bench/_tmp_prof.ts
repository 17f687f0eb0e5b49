import { withDatabase } from "./_db.ts";
import { migrate } from "../../modules/platform/migrate.ts";
import { seedIdentityDemo } from "../../modules/auth/demo.ts";
import { fromFlatInput } from "../../modules/prestazioni/record.ts";
import { type Accepted, PrestazioniRepo } from "../../modules/prestazioni/repo.ts";
import { flatRecord } from "./_records.ts";
await withDatabase("postgres://postgres@127.0.0.1:5432/test", async (sql) => {
  await migrate(sql);
  await seedIdentityDemo(sql);
  const records: Accepted[] = [];
  for (let i = 0; i < 20000; i++) {
    const p = fromFlatInput(flatRecord(i));
    if (p.ok) records.push({ record: p.record, warnings: [] });
  }
  const repo = new PrestazioniRepo(sql);
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += 2000) {
    await sql.begin(async (tx) => {
      const acq = await repo.newAcquisition(tx, "H501", { canale: "flusso", operatore: "b" });
      await repo.insert(tx, "H501", acq, records.slice(i, i + 2000));
    });
  }
  console.log("rate", Math.round(20000 / ((performance.now() - t0) / 1000)));
  const [r] =
    await sql`select indirizzi, data_dsu::text, importo_mensile::text, periodo_erogazione from prestazioni where numero_protocollo_dsu is not null limit 1`;
  console.log(r);
});
