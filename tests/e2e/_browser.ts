/**
 * Headless Debian Chromium driven by playwright-core, for the browser tests.
 * @module
 */
import { type Browser, chromium } from "playwright-core";

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
