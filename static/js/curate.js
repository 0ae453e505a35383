// The curation board's keys: j / k move between versions, t takes the focused one, r rejects it, e opens its
// edit form, C marks the article curated. Every action is a plain form button, so the page works without
// this file; the keys only press those buttons.
(function () {
  "use strict";

  function versions() {
    return Array.from(document.querySelectorAll(".curation-board .version"));
  }

  function focusVersion(version) {
    if (!version) return;
    version.focus();
    version.scrollIntoView({ block: "nearest" });
  }

  function current() {
    const active = document.activeElement;
    return active ? active.closest(".version") : null;
  }

  function move(step) {
    const all = versions();
    if (!all.length) return;
    const index = all.indexOf(current());
    if (index === -1) {
      focusVersion(all.find((v) => v.classList.contains("state-open")) || all[0]);
      return;
    }
    focusVersion(all[Math.min(all.length - 1, Math.max(0, index + step))]);
  }

  function press(version, action) {
    if (!version) return;
    const button = version.querySelector(`.actions button[value="${action}"]`);
    if (button) button.click();
  }

  function edit(version) {
    if (!version) return;
    const details = version.querySelector("details.edit");
    if (!details) return;
    details.open = true;
    const field = details.querySelector("select, input");
    if (field) field.focus();
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest && target.closest("input, select, textarea")) return;
    const handlers = {
      j: () => move(1),
      k: () => move(-1),
      t: () => press(current(), "take"),
      r: () => press(current(), "reject"),
      e: () => edit(current()),
      C: () => {
        const button = document.querySelector('#curation-status button[data-key="C"]');
        if (button) button.click();
      },
    };
    const handler = handlers[event.key];
    if (handler) {
      event.preventDefault();
      handler();
    }
  });

  // After a decision the page comes back at its row (#c12): continue with the first open version from there.
  function focusNextOpen() {
    const row = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    const all = versions();
    const from = row ? all.findIndex((v) => row.contains(v) || row.compareDocumentPosition(v) & Node.DOCUMENT_POSITION_FOLLOWING) : 0;
    const next = all.slice(Math.max(0, from)).find((v) => v.classList.contains("state-open"));
    if (next) focusVersion(next);
  }

  // Chromium moves focus to the fragment's target when it scrolls there, after DOMContentLoaded: focus once
  // the page has loaded and that scroll is done.
  window.addEventListener("load", () => setTimeout(focusNextOpen, 0));
})();
