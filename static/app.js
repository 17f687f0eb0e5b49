// Progressive enhancements; every page works without this file.
"use strict";

// Blocks for script users only (.js-only) appear, the "Aggiorna modulo" buttons (.no-js) go.
document.documentElement.classList.add("js");

// GOV.UK error pattern: a refused form moves focus to its error summary, so that
// screen-reader and keyboard users hear what to correct first.
function focusErrorSummary(root) {
  const summary = root.querySelector(".error-summary, .warning-panel[role='alert']");
  if (summary) summary.focus();
}

document.addEventListener("DOMContentLoaded", () => focusErrorSummary(document));
document.addEventListener("htmx:afterSwap", (event) => focusErrorSummary(event.detail.target));

// A receipt's "Stampa" button.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) globalThis.print();
});
