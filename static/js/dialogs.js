// Dialogs and the reading view's sheet, on every page (a deferred script; no inline code, strict CSP).
//
// Dialogs: any element with role="dialog" and aria-modal="true" shown and hidden with the hidden attribute
// (the reading view's ? help). While one is open, Tab and Shift+Tab stay inside it, Escape closes it (and
// only it: the card under it stays open), and when it closes, focus goes back to where it was before.
//
// The sheet: below 960 px the reading view's panel is a bottom sheet over the text (static/css/layout.css).
// It opens when a card arrives (a highlight tapped, a span or stance made), when a message is shown, or
// from its toggle button; Escape, its Close button or closing the card shut it.
(function () {
  "use strict";

  const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), '
    + 'textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), summary';

  // ---- modal dialogs --------------------------------------------------------------------------------
  function openDialogs() {
    return Array.from(document.querySelectorAll('[role="dialog"][aria-modal="true"]:not([hidden])'));
  }
  function topDialog() { const open = openDialogs(); return open.length ? open[open.length - 1] : null; }
  function focusables(dialog) {
    return Array.from(dialog.querySelectorAll(FOCUSABLE)).filter((el) => el.getClientRects().length > 0);
  }

  // The last element focused outside any open dialog: where focus returns when the dialog closes.
  let returnTo = null;
  document.addEventListener("focusin", (event) => {
    const dialog = topDialog();
    if (!dialog) { returnTo = event.target; return; }
    if (!dialog.contains(event.target)) {
      // Focus left an open modal dialog (a click on the page behind, a script): bring it back.
      const inside = focusables(dialog);
      (inside[0] || dialog).focus();
    }
  });
  // Focus dropped to the page itself (a click on plain text): there is then nothing to go back to.
  document.addEventListener("focusout", (event) => {
    if (!event.relatedTarget && !topDialog()) returnTo = null;
  });

  const wasOpen = new WeakSet();
  function watch(dialog) {
    if (!dialog.hidden) wasOpen.add(dialog);
    new MutationObserver(() => {
      if (!dialog.hidden && !wasOpen.has(dialog)) {
        wasOpen.add(dialog);
        // The page's own script may already have put focus inside; if not, the first control.
        if (!dialog.contains(document.activeElement)) {
          const inside = focusables(dialog);
          if (!dialog.hasAttribute("tabindex")) dialog.setAttribute("tabindex", "-1");
          (inside[0] || dialog).focus();
        }
        // Shown from its top: its title first, whatever was scrolled to last time.
        dialog.querySelectorAll("*").forEach((el) => { if (el.scrollTop) el.scrollTop = 0; });
      } else if (dialog.hidden && wasOpen.has(dialog)) {
        wasOpen.delete(dialog);
        const target = returnTo && returnTo.isConnected && !dialog.contains(returnTo) ? returnTo : null;
        if (target) target.focus({ preventScroll: true });
        else if (dialog.contains(document.activeElement)) document.activeElement.blur();
      }
    }).observe(dialog, { attributes: true, attributeFilter: ["hidden"] });
  }
  document.querySelectorAll('[role="dialog"][aria-modal="true"]').forEach(watch);

  // Capture phase, ahead of the page's own key handlers.
  window.addEventListener("keydown", (event) => {
    const dialog = topDialog();
    if (!dialog) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      dialog.hidden = true;
    } else if (event.key === "Tab") {
      const inside = focusables(dialog);
      if (!inside.length) { event.preventDefault(); dialog.focus(); return; }
      const first = inside[0], last = inside[inside.length - 1];
      const at = document.activeElement;
      if (event.shiftKey && (at === first || !dialog.contains(at))) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && (at === last || !dialog.contains(at))) { event.preventDefault(); first.focus(); }
    }
  }, true);

  // ---- the reading view's sheet ---------------------------------------------------------------------
  const workspace = document.querySelector("[data-reader]");
  const toggle = document.querySelector("[data-sheet-toggle]");
  if (!workspace || !toggle) return;
  const panel = document.getElementById(toggle.getAttribute("aria-controls"));
  const narrow = window.matchMedia("(max-width: 960px)");

  function isOpen() { return workspace.classList.contains("sheet-open"); }
  function setOpen(open, { focus = false } = {}) {
    workspace.classList.toggle("sheet-open", open);
    toggle.setAttribute("aria-expanded", String(open));
    if (!narrow.matches) return;
    if (open) {
      if (focus) panel.querySelector("[data-sheet-close]").focus();
      keepSelectedInView();
    } else if (panel.contains(document.activeElement)) {
      toggle.focus({ preventScroll: true });
    }
  }

  // The open card's highlight stays in sight above the sheet.
  function keepSelectedInView() {
    const segment = workspace.querySelector(".seg.selected");
    if (!segment) return;
    const box = segment.getBoundingClientRect();
    const top = window.innerHeight - panel.offsetHeight; // where the sheet ends up (it may still be sliding in)
    if (box.bottom > top - 8 || box.top < 0) {
      window.scrollBy({ top: box.top - Math.max(16, (top - box.height) / 3), behavior: "instant" });
    }
  }

  toggle.addEventListener("click", () => setOpen(!isOpen(), { focus: true }));
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-sheet-close]")) setOpen(false);
    else if (event.target.closest("[data-close-card]") && narrow.matches) setOpen(false);
  });
  document.addEventListener("keydown", (event) => {
    // Bubble phase: after a field's own Escape; an open dialog has taken its Escape already.
    if (event.key !== "Escape" || !isOpen() || !narrow.matches) return;
    const field = event.target.closest("input:not([type=checkbox]), textarea, select");
    if (field && field.value !== field.defaultValue) return; // the reader only leaves the box: nothing lost
    setOpen(false);
  });

  // A card that has just arrived, or a message: open the sheet so it is seen.
  let shownCard = null;
  document.body.addEventListener("htmx:afterSettle", () => {
    const card = document.querySelector("#span-card > *");
    if (card && card !== shownCard && narrow.matches) setOpen(true);
    shownCard = card;
  });
  const flash = document.getElementById("flash");
  if (flash) {
    new MutationObserver(() => {
      if (flash.textContent.trim() && narrow.matches && !isOpen()) setOpen(true);
    }).observe(flash, { childList: true, characterData: true, subtree: true });
  }
})();
