/**
 * Headless Debian Chromium driven by playwright-core, for the browser tests.
 * @module
 */
import assert from "node:assert/strict";
import axe from "axe-core";
import { type Browser, chromium, type Page } from "playwright-core";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether the browser tests can run here. */
export const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

if (!hasChromium) {
  console.log(`saltato: test nel browser: ${CHROMIUM} non c'è (apt-get install chromium)`);
}

/** Starts a headless Chromium that reaches nothing but this machine. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A page of a fresh Italian-locale context that records script errors and
 * CSP refusals in `errors` (each browser test ends asserting it is empty).
 */
export async function italianPage(
  browser: Browser,
  options: { javaScriptEnabled?: boolean } = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1100, height: 900 },
    locale: "it-IT",
    timezoneId: "Europe/Rome",
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on(
    "console",
    (m) => /Refused|Content Security Policy/.test(m.text()) && errors.push(m.text()),
  );
  page.on("pageerror", (e) => errors.push(e.message));
  return { page, errors };
}

/** Signs in as a demo user and lands on `next`. */
export async function signIn(page: Page, base: string, username: string, next: string) {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Codice fiscale o nome utente").fill(username);
  await page.getByLabel("Password").fill("demo-siuss-2026");
  await page.getByRole("button", { name: "Accedi" }).click();
  await page.waitForURL(`${base}${next}`);
}

/** Runs axe-core on the page; violations of impact serious or critical fail the test. */
export async function accessible(page: Page, what: string): Promise<void> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axe.source);
  const violations: { id: string; impact: string; nodes: string[] }[] = await page.evaluate(`
    axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    }).then((result) => result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    })))`);
  const grave = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(grave, [], `${what}: ${JSON.stringify(grave)}`);
}
