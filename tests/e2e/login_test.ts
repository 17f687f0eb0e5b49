import assert from "node:assert/strict";
import { startServer } from "../_process.ts";
import { hasChromium, launch } from "./_browser.ts";

Deno.test({
  name: "browser: log in, choose and switch ente, log out",
  ignore: !hasChromium,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "siuss-e2e-" });
    const server = await startServer({ DATA_DIR: dataDir });
    const browser = await launch();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      // The refused login's 401 is expected; script errors and CSP refusals are not.
      page.on(
        "console",
        (m) => /Refused|Content Security Policy/.test(m.text()) && errors.push(m.text()),
      );
      page.on("pageerror", (e) => errors.push(e.message));
      const base = `http://127.0.0.1:${server.port}`;

      await page.goto(`${base}/acquisizione`);
      assert.match(page.url(), /\/login\?next=%2Facquisizione$/);
      await page.getByLabel("Codice fiscale o nome utente").fill("multi.ente");
      await page.getByLabel("Password").fill("sbagliata");
      await page.getByRole("button", { name: "Accedi" }).click();
      assert.equal(await page.title(), "Errore: Accesso – SIUSS");
      assert.match(
        await page.locator(".error-summary").innerText(),
        /Nome utente o password non corretti/,
      );

      await page.getByLabel("Password").fill("demo-siuss-2026");
      await page.getByRole("button", { name: "Accedi" }).click();
      await page.waitForURL(/\/ente\?next=/);
      await page.getByLabel("Operatore – Comune di Milano (F205)").check();
      await page.getByRole("button", { name: "Continua" }).click();
      await page.waitForURL(`${base}/acquisizione`);
      assert.match(await page.locator(".active-ente").innerText(), /Comune di Milano \(F205\)/);

      await page.getByRole("link", { name: "Cambia" }).click();
      await page.getByLabel("Operatore – Comune di Roma (H501)").check();
      await page.getByRole("button", { name: "Continua" }).click();
      await page.waitForURL(`${base}/`);
      assert.match(await page.locator(".active-ente").innerText(), /Comune di Roma \(H501\)/);
      await page.screenshot({ path: `${dataDir}/home.png`, fullPage: true });

      await page.getByRole("button", { name: "Esci" }).click();
      await page.waitForURL(/\/login\?uscita=1$/);
      assert.match(await page.locator(".notice").innerText(), /Sessione chiusa/);
      await page.goto(`${base}/acquisizione`);
      assert.match(page.url(), /\/login\?next=/);
      assert.deepEqual(errors, [], `no script errors, no CSP violations: ${errors.join(" | ")}`);
    } finally {
      await browser.close();
      await server.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
