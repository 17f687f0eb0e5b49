/**
 * The Acquisizione section in a real browser, with and without JavaScript:
 * each page is checked by axe-core, and the screenshots of the manual's
 * chapter are taken here (`modules/informazioni/manuale/immagini/`).
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startServer } from "../_process.ts";
import { accessible, hasChromium, italianPage, launch, signIn } from "./_browser.ts";

const SHOTS = new URL("../../modules/informazioni/manuale/immagini/", import.meta.url);

/**
 * Waits until a field's value matches, as after an htmx swap. (`waitForFunction`
 * would evaluate a string in the page, which its CSP rightly forbids.)
 */
async function valueBecomes(page: Page, selector: string, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (pattern.test(await page.locator(selector).inputValue())) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`${selector}: il valore non è diventato ${pattern}`);
}

const login = (page: Page, base: string, username: string) =>
  signIn(page, base, username, "/acquisizione");

/**
 * Waits until htmx has swapped a block in (the option or field appears) and
 * settled it: htmx gives new content its behaviour only once settled (20 ms
 * later, longer on a busy machine), and a change made before is lost.
 */
async function attached(page: Page, selector: string): Promise<void> {
  await page.waitForSelector(selector, { state: "attached", timeout: 10_000 });
  await page.waitForSelector(".htmx-added, .htmx-settling, .htmx-swapping, .htmx-request", {
    state: "detached",
    timeout: 10_000,
  });
}

Deno.test({
  name:
    "browser: Acquisizione with JavaScript — PSA with DSU, PS one-off, SINA, errors, annulla, rettifica",
  ignore: !hasChromium,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dataDir = await Deno.makeTempDir({ prefix: "siuss-e2e-" });
    const server = await startServer({ DATA_DIR: dataDir });
    const browser = await launch();
    const base = `http://127.0.0.1:${server.port}`;
    try {
      const { page, errors } = await italianPage(browser);
      await login(page, base, "operatore.h501");
      await accessible(page, "/acquisizione vuota");

      await t.step("a periodic PSA record with DSU", async () => {
        await page.getByRole("link", { name: "Nuova prestazione" }).click();
        await page.waitForURL(`${base}/acquisizione/nuova`);
        assert.equal(await page.title(), "Nuova prestazione – SIUSS");
        await accessible(page, "modulo vuoto");
        await page.getByLabel("Codice fiscale", { exact: true }).fill("RSSMRA80A01H501U");
        await page.locator("#esito-cf", { hasText: "Codice fiscale valido" }).waitFor();
        await page.getByLabel("Cognome").fill("Rossi");
        await page.getByLabel("Nome", { exact: true }).fill("Mario");
        await page.getByLabel("Anno di nascita").fill("1980");
        await page.getByLabel("Luogo di nascita (codice catastale)").fill("H501");
        await page.selectOption("#campo-Genere", "1");
        await page.selectOption("#campo-CodiceCittadinanza", "380");
        await page.selectOption("#campo-CodiceRegione", "12");
        await attached(page, "#campo-CodiceComune option[value='058091']");
        await page.selectOption("#campo-CodiceComune", "058091");
        await page.getByLabel("Cerca un codice").fill("integrazione del reddito");
        await page.locator("#campo-CodicePrestazione option[value='A1.01']").waitFor({
          state: "detached",
        });
        assert.equal(
          await page.locator("#campo-CodicePrestazione option[value='A1.04']").count(),
          1,
        );
        await page.selectOption("#campo-CodicePrestazione", "A1.04");
        await valueBecomes(page, "#campo-DenominazionePrestazione", /^Contributi economici/);
        await page.getByLabel("Protocollo della domanda").fill("2024/001");
        await page.selectOption("#campo-PresenzaProvaMezzi", "1");
        await attached(page, "#campo-NumeroProtocolloDSU");
        await page.getByLabel("Numero di protocollo della DSU").fill("INPS-ISEE-2024-00597381W-00");
        await page.getByLabel("Anno del protocollo DSU").fill("2024");
        await page.getByLabel("Data di presentazione della DSU").fill("2024-01-10");
        await page.selectOption("#campo-CaratterePrestazione", "1");
        await attached(page, "#campo-ImportoMensile");
        await page.getByLabel("Data di inizio").fill("2024-02-01");
        await page.getByLabel("Data di fine").fill("2024-12-31");
        await page.getByLabel("Importo mensile (€)").fill("1.150,00");
        await page.selectOption("#campo-PresaCarico", "2");
        await accessible(page, "modulo compilato");
        await page.screenshot({
          path: new URL("acquisizione-modulo.png", SHOTS).pathname,
          fullPage: true,
        });
        await page.getByRole("button", { name: "Invia la prestazione" }).click();
        await page.waitForURL(/\/acquisizione\/ricevute\/[0-9a-f-]{36}$/);
        assert.equal(await page.title(), "Ricevuta di acquisizione – SIUSS");
        assert.match(await page.locator("main").innerText(), /1150,00 €/);
        await accessible(page, "ricevuta");
        await page.screenshot({
          path: new URL("acquisizione-ricevuta.png", SHOTS).pathname,
          fullPage: true,
        });
        const download = page.waitForEvent("download");
        await page.getByRole("link", { name: "Scarica l'XML ufficiale" }).click();
        assert.match((await download).suggestedFilename(), /^H501\.PSA\.\d{8}\.\d{7}\.xml$/);
      });

      await t.step("the codice fiscale already transmitted offers its data", async () => {
        await page.goto(`${base}/acquisizione/nuova`);
        await page.getByLabel("Codice fiscale", { exact: true }).fill("RSSMRA80A01H501U");
        await page.getByRole("button", { name: "Usa i dati già trasmessi" }).click();
        await valueBecomes(page, "#campo-Cognome", /^Rossi$/);
        assert.equal(await page.locator("#campo-CodiceComune").inputValue(), "058091");
      });

      await t.step("a one-off PS record", async () => {
        await page.goto(`${base}/acquisizione/nuova`);
        await fillPerson(page, "BNCLCU85M41F205T", "Bianchi", "Lucia", "1985", "F205", "2");
        await page.selectOption("#campo-CodiceRegione", "03");
        await attached(page, "#campo-CodiceComune option[value='015146']");
        await page.selectOption("#campo-CodiceComune", "015146");
        await page.selectOption("#campo-CodicePrestazione", "A1.07");
        await page.getByLabel("Protocollo della domanda").fill("2024/U-77");
        await page.selectOption("#campo-PresenzaProvaMezzi", "4");
        await page.selectOption("#campo-CaratterePrestazione", "2");
        await attached(page, "#campo-ImportoPrestazione");
        assert.equal(await page.locator("#campo-ImportoMensile").count(), 0);
        await page.getByLabel("Data di erogazione").fill("2024-05-20");
        await page.getByLabel("Importo della prestazione (€)").fill("300");
        await page.selectOption("#campo-PresaCarico", "2");
        await page.getByRole("button", { name: "Invia la prestazione" }).click();
        await page.waitForURL(/\/acquisizione\/ricevute\//);
        assert.match(await page.locator("main").innerText(), /Una tantum/);
      });

      await t.step("a record with SINA", async () => {
        await page.goto(`${base}/acquisizione/nuova`);
        await fillPerson(page, "VRDGPP50A01H501O", "Verdi", "Giuseppe", "1950", "H501", "1");
        await page.selectOption("#campo-CodiceRegione", "12");
        await attached(page, "#campo-CodiceComune option[value='058091']");
        await page.selectOption("#campo-CodiceComune", "058091");
        await page.selectOption("#campo-CodicePrestazione", "A2.07");
        await page.getByLabel("Protocollo della domanda").fill("2024/S-1");
        await page.selectOption("#campo-PresenzaProvaMezzi", "2");
        await page.selectOption("#campo-CaratterePrestazione", "1");
        await attached(page, "#campo-ImportoMensile");
        await page.getByLabel("Data di inizio").fill("2024-03-01");
        await page.getByLabel("Importo mensile (€)").fill("400");
        await page.selectOption("#campo-PresaCarico", "1");
        await attached(page, "#campo-AreaUtenza");
        await page.selectOption("#campo-AreaUtenza", "2");
        await attached(page, "#campo-Mobilita");
        for (
          const [field, value] of [
            ["Mobilita", "2"],
            ["AttivitaVitaQuotidiana", "3"],
            ["DisturbiComportamentali", "1"],
            ["AreaReddituale", "2"],
            ["AreaSupporto", "1"],
            ["FonteDerivazioneValutazione", "1"],
            ["StrumentoValutazione", "4"],
          ]
        ) await page.selectOption(`#campo-${field}`, value);
        await page.check("#campo-InvCiv");
        await page.selectOption("#campo-NecessitaInterventiSociali", ["A1.04", "A2.01"]);
        await accessible(page, "modulo con SINA");
        await page.screenshot({
          path: new URL("acquisizione-sina.png", SHOTS).pathname,
          fullPage: true,
        });
        await page.getByRole("button", { name: "Invia la prestazione" }).click();
        await page.waitForURL(/\/acquisizione\/ricevute\//);
        assert.match(await page.locator("main").innerText(), /Valutazione SINA/);
      });

      await t.step("validation errors: summary at the top, linked to the fields", async () => {
        await page.goto(`${base}/acquisizione/nuova`);
        await page.getByLabel("Codice fiscale", { exact: true }).fill("RSSMRA80A01H501A");
        await page.getByRole("button", { name: "Invia la prestazione" }).click();
        await page.waitForURL(`${base}/acquisizione/nuova`);
        assert.equal(await page.title(), "Errore: Nuova prestazione – SIUSS");
        const summary = page.locator(".error-summary");
        assert.match(await summary.innerText(), /Cognome: campo obbligatorio/);
        assert.equal(
          await page.evaluate("document.activeElement.className"),
          "error-summary",
        );
        await summary.getByRole("link", { name: /Cognome: campo obbligatorio/ }).click();
        assert.match(page.url(), /#campo-Cognome$/);
        assert.equal(
          await page.locator("#campo-CodiceFiscale").inputValue(),
          "RSSMRA80A01H501A",
          "the input is kept",
        );
        await accessible(page, "modulo con errori");
        await page.screenshot({ path: new URL("acquisizione-errori.png", SHOTS).pathname });
      });

      await t.step("rettifica, then annulla, each with its receipt", async () => {
        await page.goto(`${base}/acquisizione`);
        await accessible(page, "/acquisizione con operazioni");
        await page.getByRole("link", { name: /Rossi Mario/ }).first().click();
        await page.waitForURL(/\/acquisizione\/prestazioni\/\d+$/);
        await accessible(page, "dettaglio");
        await page.getByRole("link", { name: "Rettifica" }).click();
        assert.equal(await page.locator("#campo-Cognome").inputValue(), "Rossi");
        await page.getByLabel("Importo mensile (€)").fill("1200");
        await page.getByLabel("Motivo della rettifica (facoltativo)").fill("importo aggiornato");
        await page.getByRole("button", { name: "Invia la rettifica" }).click();
        await page.waitForURL(/\/acquisizione\/ricevute\//);
        assert.match(await page.locator("main").innerText(), /Prestazione annullata/);
        await page.getByRole("link", { name: /^n\. \d+$/ }).last().click();
        await page.waitForURL(/\/acquisizione\/prestazioni\/\d+$/);
        assert.match(await page.locator("h1").innerText(), /attiva/);
        await page.screenshot({
          path: new URL("acquisizione-storia.png", SHOTS).pathname,
          fullPage: true,
        });
        await page.getByRole("link", { name: "Annulla", exact: true }).click();
        await accessible(page, "conferma annullamento");
        await page.getByLabel("Motivo dell'annullamento").fill("domanda ritirata");
        await page.getByRole("button", { name: "Conferma l'annullamento" }).click();
        await page.waitForURL(/\/acquisizione\/ricevute\//);
        assert.match(await page.locator("main").innerText(), /domanda ritirata/);
      });
      assert.deepEqual(errors, [], `no script errors, no CSP violations: ${errors.join(" | ")}`);
    } finally {
      await browser.close();
      await server.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

async function fillPerson(
  page: Page,
  cf: string,
  cognome: string,
  nome: string,
  anno: string,
  luogo: string,
  genere: string,
) {
  await page.getByLabel("Codice fiscale", { exact: true }).fill(cf);
  await page.getByLabel("Cognome").fill(cognome);
  await page.getByLabel("Nome", { exact: true }).fill(nome);
  await page.getByLabel("Anno di nascita").fill(anno);
  await page.getByLabel("Luogo di nascita (codice catastale)").fill(luogo);
  await page.selectOption("#campo-Genere", genere);
  await page.selectOption("#campo-CodiceCittadinanza", "380");
}

Deno.test({
  name: "browser: Acquisizione without JavaScript — the same record through Aggiorna modulo",
  ignore: !hasChromium,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "siuss-e2e-" });
    const server = await startServer({ DATA_DIR: dataDir });
    const browser = await launch();
    const base = `http://127.0.0.1:${server.port}`;
    try {
      const { page, errors } = await italianPage(browser, { javaScriptEnabled: false });
      await login(page, base, "operatore.h501");
      await page.goto(`${base}/acquisizione/nuova`);
      assert.equal(await page.locator("#cerca-codice").isVisible(), false, "no search without JS");
      await fillPerson(page, "RSSMRA80A01H501U", "Rossi", "Mario", "1980", "H501", "1");
      await page.selectOption("#campo-CodiceRegione", "12");
      await page.selectOption("#campo-CodicePrestazione", "A1.04");
      await page.selectOption("#campo-PresenzaProvaMezzi", "1");
      await page.selectOption("#campo-CaratterePrestazione", "1");
      await page.getByRole("button", { name: "Aggiorna modulo" }).first().click();
      await page.waitForLoadState();
      await page.selectOption("#campo-CodiceComune", "058091");
      assert.match(
        await page.locator("#campo-DenominazionePrestazione").inputValue(),
        /^Contributi economici/,
      );
      await page.getByLabel("Protocollo della domanda").fill("2024/001");
      await page.getByLabel("Numero di protocollo della DSU").fill("INPS-ISEE-2024-00597381W-00");
      await page.getByLabel("Anno del protocollo DSU").fill("2024");
      await page.getByLabel("Data di presentazione della DSU").fill("2024-01-10");
      await page.getByLabel("Data di inizio").fill("2024-02-01");
      await page.getByLabel("Importo mensile (€)").fill("150,00");
      await page.selectOption("#campo-PresaCarico", "2");
      await page.getByRole("button", { name: "Invia la prestazione" }).click();
      await page.waitForURL(/\/acquisizione\/ricevute\/[0-9a-f-]{36}$/);
      assert.match(await page.locator("main").innerText(), /RSSMRA80A01H501U/);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
