/**
 * Trasmissione flussi in a real browser: the upload, the progress bar
 * refreshed by htmx while the server's worker runs the flow, the outcome and
 * the downloads; axe-core on each page. The screenshot of the manual's
 * chapter is taken here.
 * @module
 */
import assert from "node:assert/strict";
import { startServer } from "../_process.ts";
import { csvOf, rows } from "../trasmissione/_flows.ts";
import { accessible, hasChromium, italianPage, launch, signIn } from "./_browser.ts";

const SHOTS = new URL("../../modules/informazioni/manuale/immagini/", import.meta.url);

Deno.test({
  name: "browser: upload a flow, watch its progress bar, download its rejected records",
  ignore: !hasChromium,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "siuss-e2e-" });
    const server = await startServer({ DATA_DIR: dataDir });
    const browser = await launch();
    const base = `http://127.0.0.1:${server.port}`;
    try {
      const { page, errors } = await italianPage(browser);
      await signIn(page, base, "operatore.h501", "/trasmissione");
      await accessible(page, "/trasmissione");

      const data = rows(20_000);
      data[5] = { ...data[5], CodiceFiscale: '=HYPERLINK("x")' };
      const upload = `${dataDir}/flusso-annuale.csv`;
      await Deno.writeTextFile(upload, csvOf(data));
      await page.setInputFiles("#campo-file", upload);
      await page.getByRole("button", { name: "Trasmetti il file" }).click();
      await page.waitForURL(/\/trasmissione\/flussi\/\d+$/);
      const bar = page.getByRole("progressbar");
      if (await bar.count()) {
        assert.equal(await bar.getAttribute("aria-valuemax"), "20000");
        await accessible(page, "flusso in elaborazione");
        await page.screenshot({ path: new URL("trasmissione-avanzamento.png", SHOTS).pathname });
      }
      // htmx polls the progress; at the end the page reloads itself with the outcome.
      await page.getByText("Scarica gli scarti (CSV)").waitFor({ timeout: 120_000 });
      const main = await page.locator("main").innerText();
      assert.match(main, /Elaborato/);
      assert.match(main, /OK_CON_SCARTI/);
      assert.match(main, /Record scartati/);
      await accessible(page, "flusso elaborato");
      await page.screenshot({
        path: new URL("trasmissione-esito.png", SHOTS).pathname,
        fullPage: true,
      });
      const download = page.waitForEvent("download");
      await page.getByText("Scarica gli scarti (CSV)").click();
      const file = await (await download).path();
      const csv = await Deno.readTextFile(file!);
      assert.match(csv, /^posizione;chiave;regola;campo;valore;messaggio\r\n7;/);
      assert.match(csv, /;"'=HYPERLINK/, "a formula is neutralised");
      await page.goto(`${base}/trasmissione`);
      assert.match(await page.locator("table").innerText(), /flusso-annuale\.csv/);
      assert.deepEqual(errors, [], `no script errors, no CSP violations: ${errors.join(" | ")}`);
    } finally {
      await browser.close();
      await server.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
