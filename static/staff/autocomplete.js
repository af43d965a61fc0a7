// Admin only. Django's type-to-find boxes (select2) show the chosen item in a span that select2
// marks as a read-only text box without a name, so screen readers announce an unnamed text box
// (axe: aria-input-field-name). It is only what the named combobox around it shows: say so,
// whenever select2 draws a box (when the page is ready, and in each row added).
"use strict";

function unmarkAutocompleteText() {
  document.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach(function (span) {
    span.removeAttribute("role");
    span.removeAttribute("aria-readonly");
  });
}

new MutationObserver(unmarkAutocompleteText).observe(document.documentElement, {
  childList: true,
  subtree: true,
});
