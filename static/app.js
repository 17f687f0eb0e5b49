// Progressive enhancements; every page works without this file.
"use strict";

// GOV.UK error pattern: a refused form moves focus to its error summary, so that
// screen-reader and keyboard users hear what to correct first.
function focusErrorSummary(root) {
  const summary = root.querySelector(".error-summary");
  if (summary) summary.focus();
}

document.addEventListener("DOMContentLoaded", () => focusErrorSummary(document));
document.addEventListener("htmx:afterSwap", (event) => focusErrorSummary(event.detail.target));
