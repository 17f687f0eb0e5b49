/**
 * Maintenance commands: `migrate` applies pending migrations, `seed` loads
 * the demo data. Both read the same environment as the server.
 *
 * Usage: `deno task migrate`, `deno task seed`.
 * @module
 */
import { boot, StartupError } from "./startup.ts";

const command = Deno.args[0];
if (command !== "migrate" && command !== "seed") {
  console.error("Uso: cli.ts migrate | seed");
  Deno.exit(2);
}
const env = Deno.env.toObject();
try {
  // boot() migrates; `seed` also asks for the demo data whatever the DEMO default.
  const { db, migrations } = await boot(command === "seed" ? { ...env, DEMO: "1" } : env);
  console.log(
    command === "seed"
      ? "Dati dimostrativi caricati."
      : `Database aggiornato: ${migrations.length} migrazioni applicate in tutto.`,
  );
  await db.close();
} catch (error) {
  if (!(error instanceof StartupError)) throw error;
  console.error(error.message);
  Deno.exit(1);
}
