// The reading view: select text, press a label's key (or pick it in the popup), and the span is
// saved through htmx; the server answers with the re-rendered paragraph. The same selection can
// become a stance's evidence (s, or e for the open stance); b marks the current paragraph as boilerplate.
//
// Offsets: the DOM counts UTF-16 code units, so everything here is UTF-16. The server converts
// to code points of the NFC paragraph text and checks the quoted text we send along.
(function () {
  "use strict";

  const workspace = document.querySelector("[data-reader]");
  if (!workspace) return;

  // Back (from the clean text, an entity or a target page) may show this page from the browser's HTTP
  // cache: as first served, without the annotations made since, which the next keypress would contradict.
  // A page taken from the cache transferred nothing; load it afresh.
  const navigation = performance.getEntriesByType("navigation")[0];
  if (navigation && navigation.type === "back_forward" && navigation.transferSize === 0) {
    window.location.reload();
    return;
  }

  const labelKeys = JSON.parse(document.getElementById("label-keys").textContent);
  const popover = document.getElementById("label-popover");
  const help = document.getElementById("help");
  const flash = document.getElementById("flash");
  let currentParagraph = null;
  const expandedParagraphs = new Set(); // ids of boilerplate paragraphs opened with a click
  let shownCard = null; // the card last seen in #span-card
  let pendingSelection = null; // the selection the popup was opened for
  let lastClicked = { segment: null, depth: 0 };

  // ---- messages -------------------------------------------------------------------------------
  // A message that asks for something (log in, reload) stays until the next one (sticky); `link`
  // ({href, text}) is put after it as a real link.
  // `action` is an element (a button) put after the message.
  function say(message, kind, { sticky = false, link = null, action = null } = {}) {
    flash.textContent = message; // textContent: server text is never parsed as HTML here
    if (link) {
      const anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      flash.append(" ", anchor);
    }
    if (action) flash.append(" ", action);
    flash.className = "flash " + (kind || "info");
    window.clearTimeout(say.timer);
    if (!sticky) say.timer = window.setTimeout(() => { flash.textContent = ""; flash.className = "flash"; }, 6000);
  }

  // Errors. htmx 2 swaps no 4xx/5xx answer (its default responseHandling, which base.html leaves alone):
  // the page stays as it is and the server's text/plain message is shown here. The server sends one
  // for every htmx error (hamish/failures.py); the fallbacks are for proxies and the like.
  // Server messages that ask the analyst to reload stay until the next message. Compared in the page's language:
  // the same sentences as hamish/failures.py's, with the same translations (djangojs.po takes django.po's).
  const RELOAD_MESSAGES = [
    gettext("Saved; reload the page to see it."),
    gettext("This page's security token is out of date (did you log in again?): reload the page. Nothing was saved."),
  ];
  const asksToReload = (text) => Boolean(text) && (RELOAD_MESSAGES.includes(text.trim()) || text.startsWith("Saved"));
  function serverText(xhr) {
    const type = xhr.getResponseHeader("Content-Type") || "";
    return type.startsWith("text/plain") && xhr.responseText ? xhr.responseText : null;
  }
  document.body.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr, text = serverText(xhr);
    if (xhr.status === 401) {
      // Log in again and come back to this page (not to the endpoint that answered); the page, with any
      // unsaved text in the card, stays until the analyst follows the link.
      const login = new URL(xhr.getResponseHeader("Hamish-Login") || "/accounts/login/", window.location.href);
      login.searchParams.set("next", window.location.pathname + window.location.search);
      say(text || gettext("Your session ended: log in again. Nothing was saved."), "error", { sticky: true, link: { href: login.href, text: gettext("Log in again") } });
    } else if (xhr.status === 503) {
      const retry = parseInt(xhr.getResponseHeader("Retry-After") || "", 10);
      say(text || (retry > 0
        ? interpolate(gettext("The server is busy; nothing was saved. Try again in a moment (in about %(seconds)s s)."), { seconds: retry }, true)
        : gettext("The server is busy; nothing was saved. Try again in a moment.")), "error", { sticky: asksToReload(text) });
    } else if (xhr.status === 409 && text && xhr.getResponseHeader("Hamish-Refresh")) {
      // Changed by someone else since the card was shown: say so, then show the card as it is now.
      say(text, "error", { sticky: true });
      htmx.ajax("GET", xhr.getResponseHeader("Hamish-Refresh"), { target: "#span-card", swap: "innerHTML" });
    } else if (text) {
      say(text, "error", { sticky: asksToReload(text) || xhr.status === 403 && text.includes("reload") });
    } else if (xhr.status === 403) say(gettext("You may not change this annotation: it is someone else's."), "error");
    else if (xhr.status === 404) say(gettext("That annotation no longer exists; reload the page."), "error");
    else say(interpolate(gettext("The server could not do this (%(status)s). Reload the page to see what was saved."), { status: xhr.status }, true), "error", { sticky: true });
  });
  document.body.addEventListener("htmx:sendError", () => say(gettext("The server cannot be reached. Nothing was saved."), "error"));
  // Messages the server sends with a successful write (HX-Trigger), e.g. "its 2 spans are kept".
  // They arrive before the swap; after a decision on a suggestion, the next one's hint is added to the
  // message when the swap has settled, rather than replacing it (see decided()).
  let serverMessage = null;
  document.body.addEventListener("hamish:flash", (event) => {
    serverMessage = event.detail.message;
    say(event.detail.message, event.detail.kind || "info");
  });

  // A message the server left for this page (after "Accept all", which reloads it) is said in the panel too,
  // where the analyst looks after working, not only above the article.
  const pageMessages = document.querySelector(".messages");
  if (pageMessages && pageMessages.textContent.trim()) say(pageMessages.textContent.trim(), "info");

  // URLs come from the page as templates with 0 for the id: /paragraphs/0/stances/new/.
  function urlFor(template, id) { return workspace.dataset[template].replace("/0/", "/" + id + "/"); }

  // ---- selection -> offsets ---------------------------------------------------------------------
  function paragraphOf(node) {
    const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    return element ? element.closest(".paragraph") : null;
  }

  // UTF-16 offset of (container, offset) from the start of the paragraph's text.
  function offsetIn(paragraph, container, offset) {
    const range = document.createRange();
    range.selectNodeContents(paragraph);
    range.setEnd(container, offset);
    return range.toString().length;
  }

  function isSpace(ch) { return /\s/.test(ch); }

  const ACROSS_PARAGRAPHS = gettext("A span stays inside one paragraph: select text within a single paragraph.");
  let selectionProblem = null; // why the last non-empty selection cannot become a span

  // The current selection as {paragraph, start, end, quote}, trimmed of outer whitespace, or null
  // (then selectionProblem says why, if the selection touches a paragraph but cannot be tagged).
  function currentSelection() {
    selectionProblem = null;
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    // Whether a part of the selection outside the paragraph holds any text.
    const reaches = (part) => part.toString().trim() !== "";
    let paragraph = paragraphOf(range.startContainer);
    let start = 0;
    if (paragraph) {
      start = offsetIn(paragraph, range.startContainer, range.startOffset);
    } else {
      // Started outside any paragraph (a heading, the gap between two): fine if nothing but
      // whitespace lies between that point and the paragraph where the selection ends.
      paragraph = paragraphOf(range.endContainer);
      if (!paragraph) return null;
      const before = document.createRange();
      before.setStart(range.startContainer, range.startOffset);
      before.setEndBefore(paragraph);
      if (reaches(before)) { selectionProblem = ACROSS_PARAGRAPHS; return null; }
    }
    const text = paragraph.textContent;
    let end = text.length;
    if (paragraph.contains(range.endContainer)) {
      end = offsetIn(paragraph, range.endContainer, range.endOffset);
    } else {
      // A triple click ends the range at the start of the next block: that is this paragraph to its
      // end. A selection that takes in text of another paragraph is refused, not silently cut short.
      const beyond = document.createRange();
      beyond.setStartAfter(paragraph);
      beyond.setEnd(range.endContainer, range.endOffset);
      if (reaches(beyond)) { selectionProblem = ACROSS_PARAGRAPHS; return null; }
    }
    let s = Math.min(start, end), e = Math.max(start, end);
    while (s < e && isSpace(text[s])) s++;
    while (e > s && isSpace(text[e - 1])) e--;
    if (s === e) return null;
    return { paragraph, start: s, end: e, quote: text.slice(s, e) };
  }

  function createSpan(selection, labelName) {
    hidePopover();
    window.getSelection().removeAllRanges();
    setCurrentParagraph(selection.paragraph);
    htmx.ajax("POST", selection.paragraph.dataset.createUrl, {
      target: "#" + selection.paragraph.id,
      swap: "outerHTML",
      values: { start: selection.start, end: selection.end, quote: selection.quote, label: labelName },
    });
  }

  // ---- popup next to the selection --------------------------------------------------------------
  function showPopover() {
    const selection = currentSelection();
    if (!selection) {
      hidePopover();
      if (selectionProblem) say(selectionProblem); // information only: one may select to copy text
      return;
    }
    pendingSelection = selection;
    popover.querySelector("[data-evidence]").hidden = !openStanceCard();
    const rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
    popover.hidden = false;
    const top = window.scrollY + rect.bottom + 6;
    const left = Math.max(8, Math.min(window.scrollX + rect.left, window.scrollX + document.documentElement.clientWidth - popover.offsetWidth - 8));
    // CSSOM writes, not a style attribute: allowed by the Content Security Policy.
    popover.style.top = top + "px";
    popover.style.left = left + "px";
  }
  function hidePopover() { popover.hidden = true; pendingSelection = null; }

  popover.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
  popover.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !pendingSelection) return;
    if (button.dataset.label) createSpan(pendingSelection, button.dataset.label);
    else if (button.hasAttribute("data-stance")) startStance(pendingSelection);
    else if (button.hasAttribute("data-evidence")) addEvidence(pendingSelection);
  });

  // ---- stances ----------------------------------------------------------------------------------
  function openStanceCard() { return document.querySelector("#span-card [data-stance-id]"); }

  // The selection becomes the evidence of a new stance: the server checks it and sends the form.
  function startStance(selection) {
    hidePopover();
    setCurrentParagraph(selection.paragraph);
    const params = new URLSearchParams({ start: selection.start, end: selection.end, quote: selection.quote });
    htmx.ajax("GET", urlFor("stanceNewTemplate", selection.paragraph.dataset.paragraphId) + "?" + params, {
      target: "#span-card", swap: "innerHTML",
    });
  }

  function addEvidence(selection) {
    const card = openStanceCard();
    hidePopover();
    if (!card) { say(gettext("Open a stance first (click it in the panel), then add evidence with e.")); return; }
    if (!card.dataset.evidenceUrl) { say(gettext("Only the stance's author or an administrator may change it."), "error"); return; }
    window.getSelection().removeAllRanges();
    setCurrentParagraph(selection.paragraph);
    htmx.ajax("POST", card.dataset.evidenceUrl, {
      target: "#" + selection.paragraph.id, swap: "outerHTML",
      values: { paragraph: selection.paragraph.dataset.paragraphId, start: selection.start, end: selection.end, quote: selection.quote },
    });
  }

  // ---- boilerplate ------------------------------------------------------------------------------
  function toggleBoilerplate(paragraph) {
    if (!paragraph) { say(gettext("Choose a paragraph first: j / k, or click in it.")); return; }
    setCurrentParagraph(paragraph);
    expandedParagraphs.delete(paragraph.id); // newly marked, it folds
    htmx.ajax("POST", urlFor("boilerplateTemplate", paragraph.dataset.paragraphId), {
      target: "#" + paragraph.id, swap: "outerHTML", values: { action: "toggle" },
    });
  }

  const showBoilerplate = document.querySelector("[data-show-boilerplate]");
  if (showBoilerplate) {
    showBoilerplate.addEventListener("change", () => workspace.classList.toggle("show-boilerplate", showBoilerplate.checked));
  }
  // A mouse drag that began in a paragraph and was let go outside the text (below it, in the margin, the
  // panel, past the article's end) is cut back to that paragraph: a span never leaves one, and the drag meant
  // its text. Let go over another paragraph's text, the drag took in two paragraphs on purpose or by mistake,
  // and is refused with a message, as a keyboard selection that reaches too far is.
  let dragStart = null;
  document.addEventListener("mousedown", (event) => {
    dragStart = event.button === 0 && !popover.contains(event.target) ? paragraphOf(event.target) : null;
  });
  function clampDrag(releasedOver) {
    const paragraph = dragStart;
    dragStart = null;
    const over = paragraphOf(releasedOver);
    if (over && over !== paragraph) return;
    const native = window.getSelection();
    if (!paragraph || !native || native.rangeCount === 0 || native.isCollapsed) return;
    if (!paragraph.contains(native.anchorNode) || paragraph.contains(native.focusNode)) return;
    const after = paragraph.compareDocumentPosition(native.focusNode) & Node.DOCUMENT_POSITION_FOLLOWING;
    const cut = document.createRange();
    if (after) { cut.setStartAfter(paragraph); cut.setEnd(native.focusNode, native.focusOffset); }
    else { cut.setStart(native.focusNode, native.focusOffset); cut.setEndBefore(paragraph); }
    native.extend(paragraph, after ? paragraph.childNodes.length : 0);
    if (cut.toString().trim() !== "") say(gettext("The selection stops at the end of the paragraph where it began: a span stays inside one paragraph."));
  }
  document.addEventListener("mouseup", (event) => {
    if (popover.contains(event.target)) return;
    window.setTimeout(() => { clampDrag(event.target); showPopover(); }, 0);
  });
  document.addEventListener("keyup", (event) => {
    if (event.shiftKey && event.key.startsWith("Arrow")) showPopover();
  });

  // ---- paragraphs and spans ---------------------------------------------------------------------
  function paragraphs() { return Array.from(document.querySelectorAll(".paragraph")); }

  function setCurrentParagraph(paragraph) {
    document.querySelectorAll(".paragraph.current").forEach((p) => p.classList.remove("current"));
    currentParagraph = paragraph;
    if (paragraph) paragraph.classList.add("current");
  }

  // Whether at least a line of the paragraph (all of it, if shorter) is in the window.
  function onScreen(paragraph) {
    const rect = paragraph.getBoundingClientRect();
    if (!rect.height) return false; // not rendered
    const shown = Math.min(rect.bottom, window.innerHeight) - Math.max(rect.top, 0);
    return shown >= Math.min(rect.height, 24);
  }
  // The current paragraph where the analyst is looking: after scrolling away from it (the wheel, the
  // scroll bar, a link), a paragraph on screen takes its place, so that j / k and Shift+Arrow start from
  // what one sees, not from a paragraph out of sight: the first on screen (for j and Shift+Arrow; k, going
  // up, takes the last). While j / k's own smooth scroll is under way the paragraph it chose counts as on screen.
  let keyScroll = 0; // when j / k last started a scroll (ms); scrollend ends it
  document.addEventListener("scrollend", () => { keyScroll = 0; });
  function seenParagraph({ last = false } = {}) {
    // By id: a paragraph re-rendered since it became current is a new element (the old one is detached).
    if (currentParagraph) currentParagraph = document.getElementById(currentParagraph.id) || currentParagraph;
    if (currentParagraph && (onScreen(currentParagraph) || Date.now() - keyScroll < 1500)) return { paragraph: currentParagraph, moved: false };
    const shown = paragraphs().filter(onScreen);
    const seen = last ? shown[shown.length - 1] : shown[0];
    return { paragraph: seen || currentParagraph, moved: Boolean(seen) };
  }

  function moveParagraph(step) {
    const all = paragraphs();
    if (!all.length) return;
    const seen = seenParagraph({ last: step < 0 });
    let next;
    if (!seen.paragraph) next = all[step > 0 ? 0 : all.length - 1];
    else if (seen.moved) next = seen.paragraph; // off-screen current: j / k land on the first / last paragraph in view
    else next = all[Math.max(0, Math.min(all.length - 1, all.findIndex((p) => p.id === seen.paragraph.id) + step))];
    setCurrentParagraph(next);
    next.focus({ preventScroll: true });
    keyScroll = Date.now();
    next.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  // Mark the segments of the open card's span or stance evidence, or none.
  function markSelected() {
    document.querySelectorAll(".seg.selected").forEach((s) => s.classList.remove("selected"));
    const card = document.querySelector("#span-card .card");
    if (!card) return;
    let selector = null;
    if (card.dataset.spanId) selector = '.seg[data-spans~="' + card.dataset.spanId + '"]';
    else if (card.dataset.stanceId) selector = '.seg[data-stances~="' + card.dataset.stanceId + '"]';
    if (selector) document.querySelectorAll(selector).forEach((s) => s.classList.add("selected"));
  }

  function openCard(spanId) {
    htmx.ajax("GET", urlFor("cardUrlTemplate", spanId), { target: "#span-card", swap: "innerHTML" });
  }
  function openStance(stanceId) {
    htmx.ajax("GET", urlFor("stanceCardTemplate", stanceId), { target: "#span-card", swap: "innerHTML" });
  }
  function closeCard() {
    document.getElementById("span-card").replaceChildren();
    markSelected();
    lastClicked = { segment: null, depth: 0 }; // the next click on a highlight starts at its innermost span
  }

  // Each span once, in reading order: the first segment that carries it.
  function spanStarts() {
    const seen = new Set(), result = [];
    document.querySelectorAll(".seg").forEach((segment) => {
      segment.dataset.spans.split(" ").filter(Boolean).forEach((id) => {
        if (!seen.has(id)) { seen.add(id); result.push({ id, segment }); }
      });
    });
    return result;
  }

  // A folded boilerplate paragraph opens for good (also across re-renders) once one goes into it.
  function unfold(paragraph) {
    if (!paragraph || !paragraph.classList.contains("boilerplate")) return;
    paragraph.classList.add("expanded");
    expandedParagraphs.add(paragraph.id);
  }

  // Make a highlight the current paragraph's and show it, opening its paragraph if folded.
  function bringIntoView(segment) {
    const paragraph = paragraphOf(segment);
    setCurrentParagraph(paragraph);
    unfold(paragraph);
    segment.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function moveSpan(step) {
    const all = spanStarts();
    if (!all.length) { say(gettext("No spans in this article yet.")); return; }
    const open = document.querySelector("#span-card [data-span-id]");
    const index = open ? all.findIndex((s) => s.id === open.dataset.spanId) : -1;
    const next = all[(index + step + all.length) % all.length];
    bringIntoView(next.segment);
    openCard(next.id);
  }

  // A collapsed boilerplate paragraph opens with one click (and shows its boilerplate card);
  // any other click in a paragraph makes it the current one (for j/k and b).
  workspace.addEventListener("click", (event) => {
    const paragraph = event.target.closest(".paragraph");
    if (!paragraph) return;
    if (paragraph.classList.contains("boilerplate") && !paragraph.classList.contains("expanded")
        && !workspace.classList.contains("show-boilerplate")) {
      event.stopImmediatePropagation();
      unfold(paragraph);
      setCurrentParagraph(paragraph);
      htmx.ajax("GET", urlFor("boilerplateCardTemplate", paragraph.dataset.paragraphId), { target: "#span-card", swap: "innerHTML" });
      return;
    }
    if (window.getSelection().isCollapsed) setCurrentParagraph(paragraph);
  });

  // Clicking a highlight opens its innermost span; clicking again goes one level out, then to the
  // stances whose evidence covers it.
  workspace.addEventListener("click", (event) => {
    const segment = event.target.closest(".seg");
    if (!segment || !window.getSelection().isCollapsed) return;
    const layers = [
      ...segment.dataset.spans.split(" ").filter(Boolean).reverse().map((id) => ["span", id]),
      ...(segment.dataset.stances || "").split(" ").filter(Boolean).map((id) => ["stance", id]),
      ...(segment.dataset.suggestions || "").split(" ").filter(Boolean).map((key) => ["suggestion", key]),
    ];
    if (!layers.length) return;
    lastClicked.depth = lastClicked.segment === segment ? lastClicked.depth + 1 : 0;
    lastClicked.segment = segment;
    setCurrentParagraph(paragraphOf(segment));
    const [kind, id] = layers[lastClicked.depth % layers.length];
    if (kind === "span") openCard(id);
    else if (kind === "stance") openStance(id);
    else selectSuggestion(id, { clicked: true });
  });

  // ---- suggestions --------------------------------------------------------------------------------
  // Keys "paragraph:start:end:LABEL:entity" (code points: the server made them) on dashed segments.
  let currentSuggestion = null;
  let advanceTo = null; // after a decision, the next suggestion takes the decided one's place

  function suggestionKeys() {
    const keys = [];
    document.querySelectorAll(".seg.suggestion").forEach((segment) => {
      segment.dataset.suggestions.split(" ").forEach((key) => { if (key && !keys.includes(key)) keys.push(key); });
    });
    return keys;
  }
  function suggestionSegments(key) {
    return Array.from(document.querySelectorAll(".seg.suggestion")).filter((s) => s.dataset.suggestions.split(" ").includes(key));
  }
  // Options: quiet (only mark it: a re-rendered paragraph), clicked (it is in view already: no scrolling),
  // before (a message to keep in front of the hint: the server's answer to the previous decision).
  function selectSuggestion(key, { quiet = false, clicked = false, before = null } = {}) {
    document.querySelectorAll(".seg.current-suggestion").forEach((s) => s.classList.remove("current-suggestion"));
    currentSuggestion = key;
    const segments = key ? suggestionSegments(key) : [];
    if (!segments.length) { currentSuggestion = null; return; }
    segments.forEach((s) => s.classList.add("current-suggestion"));
    if (quiet) return;
    setCurrentParagraph(paragraphOf(segments[0]));
    if (!clicked) bringIntoView(segments[0]);
    // The title lists the segment's spans, then "stance evidence" if any, then its suggestions (rendering.py).
    const first = segments[0], parts = first.title.split(" / ");
    const layers = first.dataset.spans.split(" ").filter(Boolean).length + (first.dataset.stances ? 1 : 0);
    const hints = parts.slice(layers), keys = first.dataset.suggestions.split(" ").filter(Boolean);
    const hint = hints[Math.max(0, keys.indexOf(key))] || hints[0] || gettext("suggested");
    const sentence = interpolate(gettext("%(suggestion)s. y accepts, n rejects, g goes on."), { suggestion: hint.charAt(0).toUpperCase() + hint.slice(1) }, true);
    say(before ? interpolate(gettext("%(message)s Next: %(suggestion)s"), { message: before, suggestion: sentence }, true) : sentence);
  }
  // After a decision has been swapped in: the next suggestion takes the decided one's place, and the
  // message says what happened (the server's words, if any) and what is current now.
  function decided() {
    const keys = suggestionKeys(), before = serverMessage;
    if (keys.length) selectSuggestion(keys[Math.min(advanceTo, keys.length - 1)], { before });
    else say((before ? before + " " : "") + gettext("That was the last suggestion in this article."));
    advanceTo = null;
  }
  function moveSuggestion(step) {
    const keys = suggestionKeys();
    if (!keys.length) { say(gettext("No suggestions left in this article.")); return; }
    const index = keys.indexOf(currentSuggestion);
    selectSuggestion(keys[index < 0 ? (step > 0 ? 0 : keys.length - 1) : (index + step + keys.length) % keys.length]);
  }
  function decideSuggestion(action) {
    if (!currentSuggestion || !suggestionSegments(currentSuggestion).length) {
      say(gettext("Press g to go to a suggestion first."));
      return;
    }
    const [paragraphId, start, end, label, entity] = currentSuggestion.split(":");
    const paragraph = document.querySelector('.paragraph[data-paragraph-id="' + paragraphId + '"]');
    const key = currentSuggestion;
    advanceTo = suggestionKeys().indexOf(key);
    currentSuggestion = null;
    serverMessage = null;
    htmx.ajax("POST", urlFor("suggestionTemplate", paragraphId), {
      target: "#" + paragraph.id, swap: "outerHTML", values: { action, start, end, label, entity },
    }).then(stayIfRefused, stayIfRefused);
    // Refused (the message says why) or not sent: nothing was swapped, and the suggestion stays current.
    function stayIfRefused() {
      if (advanceTo !== null && suggestionSegments(key).length) { advanceTo = null; selectSuggestion(key, { quiet: true }); }
    }
  }
  // A suggestion another highlight cuts into several segments is drawn as one box (see hamish.css): each
  // segment says whether it continues a neighbour carrying the same suggestion.
  function joinSuggestionSegments() {
    const sharesKey = (segment, keys) => segment && segment.nodeType === Node.ELEMENT_NODE && segment.classList.contains("suggestion")
      && segment.dataset.suggestions.split(" ").some((key) => keys.includes(key));
    document.querySelectorAll(".seg.suggestion").forEach((segment) => {
      const keys = segment.dataset.suggestions.split(" ").filter(Boolean);
      segment.classList.toggle("continues-before", sharesKey(segment.previousSibling, keys));
      segment.classList.toggle("continues-after", sharesKey(segment.nextSibling, keys));
    });
  }
  joinSuggestionSegments();
  // The panel's sentence "3 dashed suggestions in this article", the number in its own element.
  function countSuggestions() {
    const summary = document.getElementById("suggestion-summary");
    if (!summary) return;
    const n = suggestionKeys().length;
    const count = document.createElement("span");
    count.id = "suggestion-count";
    count.textContent = n;
    const [before, after = ""] = ngettext("%(count)s dashed suggestion in this article", "%(count)s dashed suggestions in this article", n).split("%(count)s");
    summary.replaceChildren(before, count, after);
    const acceptAll = document.querySelector("[data-accept-all]");
    if (acceptAll) acceptAll.disabled = n === 0;
    if (n === 0) cancelAcceptAll();
    const question = document.getElementById("accept-all-question");
    if (question) {
      question.textContent = interpolate(ngettext("Accept the %(count)s suggestion in this article as your span?",
        "Accept all %(count)s suggestions in this article as your spans?", n), { count: n }, true);
    }
  }

  // "Accept all" asks in the page first: the button opens the question with Accept (focused) and Cancel.
  function askAcceptAll() {
    const button = document.querySelector("[data-accept-all]"), box = document.getElementById("accept-all-confirm");
    if (!button || !box || button.disabled) return;
    countSuggestions();
    box.hidden = false;
    button.setAttribute("aria-expanded", "true");
    box.querySelector("[data-accept-all-confirm]").focus();
  }
  function cancelAcceptAll({ refocus = false } = {}) {
    const button = document.querySelector("[data-accept-all]"), box = document.getElementById("accept-all-confirm");
    if (!button || !box || box.hidden) return false;
    box.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (refocus) button.focus();
    return true;
  }
  workspace.addEventListener("click", (event) => {
    if (event.target.closest("[data-accept-all]")) askAcceptAll();
    else if (event.target.closest("[data-accept-all-cancel]")) cancelAcceptAll({ refocus: true });
  });
  const acceptAllForm = document.querySelector("[data-accept-all-form]");
  if (acceptAllForm) {
    acceptAllForm.addEventListener("htmx:beforeRequest", () => {
      acceptAllForm.querySelector("[data-accept-all-confirm]").disabled = true; // one request, however many clicks
      say(gettext("Accepting the suggestions…"));
    });
  }

  // Stances panel: open the stance and bring its first evidence into view.
  workspace.addEventListener("click", (event) => {
    const button = event.target.closest(".stance-open");
    if (!button) return;
    openStance(button.dataset.stanceId);
    const first = document.querySelector('.seg[data-stances~="' + button.dataset.stanceId + '"]');
    if (first) bringIntoView(first);
  });

  // Entities panel: highlight every mention of one entity.
  workspace.addEventListener("click", (event) => {
    const toggle = event.target.closest(".entity-toggle");
    if (!toggle) return;
    const on = toggle.getAttribute("aria-pressed") !== "true";
    document.querySelectorAll(".entity-toggle").forEach((t) => t.setAttribute("aria-pressed", "false"));
    document.querySelectorAll(".seg.entity-hit").forEach((s) => s.classList.remove("entity-hit"));
    if (!on) return;
    toggle.setAttribute("aria-pressed", "true");
    const hits = document.querySelectorAll('.seg[data-entities~="' + toggle.dataset.entityId + '"]');
    hits.forEach((s) => s.classList.add("entity-hit"));
    if (hits.length) hits[0].scrollIntoView({ block: "center", behavior: "smooth" });
  });

  // The card's forms work through htmx only. One submitted in the moment between its swap and htmx's
  // processing (a fast click) would otherwise be sent as a plain GET of this page, reloading it.
  document.addEventListener("submit", (event) => {
    if (event.target.closest("#span-card")) event.preventDefault();
  });
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-close-card]")) closeCard();
  });

  // ---- keyboard -----------------------------------------------------------------------------------
  // Keys typed into a field are text, not commands. A checkbox takes no text: after ticking "Show
  // boilerplate", j / k / b keep working.
  function typing(target) {
    return target.closest("input:not([type=checkbox]), textarea, select, [contenteditable]") !== null;
  }

  function toggleHelp(show) {
    help.hidden = show === undefined ? !help.hidden : !show;
    if (!help.hidden) help.querySelector("button").focus();
  }
  help.addEventListener("click", (event) => {
    if (event.target === help || event.target.closest("[data-close-help]")) toggleHelp(false);
  });

  // Undo on an article page reverses the analyst's last action in this article, of the last hours only (the
  // server decides: history.UNDO_WINDOW), in two steps: u (or Ctrl+Z) says what it would take back, a second u
  // within UNDO_OFFER_MS (or the message's Undo button) does it, for exactly that action: the server refuses if
  // the last action has become another meanwhile (another tab).
  const UNDO_OFFER_MS = 10000;
  let undoOffer = null; // {event, until}: the action last shown
  let undoAsking = false;
  function undo() {
    const article = workspace.querySelector("[data-article-id]").dataset.articleId;
    if (undoOffer && Date.now() < undoOffer.until) {
      const event = undoOffer.event;
      undoOffer = null;
      htmx.ajax("POST", workspace.dataset.undoUrl, { target: "#span-card", swap: "none", values: { article, event } });
      return;
    }
    if (undoAsking) return;
    undoAsking = true;
    undoOffer = null;
    // As an htmx request, so that an ended session answers 401 with a message, not the login page.
    fetch(workspace.dataset.undoPreviewUrl + "?" + new URLSearchParams({ article }), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then((response) => response.ok ? response.json().then((offer) => {
        undoOffer = { event: offer.event, until: Date.now() + UNDO_OFFER_MS };
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.dataset.undoConfirm = "";
        button.textContent = gettext("Undo");
        say(interpolate(gettext("Undo %(action)s? Press u again to undo it."), { action: offer.description }, true), "warning", { action: button });
      }) : response.text().then((text) => {
        const plain = (response.headers.get("Content-Type") || "").startsWith("text/plain");
        say(plain && text ? text : interpolate(gettext("The server could not do this (%(status)s). Reload the page to see what was saved."), { status: response.status }, true), response.status === 409 ? "info" : "error");
      }))
      .catch(() => say(gettext("The server cannot be reached. Nothing was saved."), "error"))
      .finally(() => { undoAsking = false; });
  }
  flash.addEventListener("click", (event) => {
    if (event.target.closest("[data-undo-confirm]")) undo();
  });
  // Any other write meanwhile makes the offer stale: the next u asks again (the server would refuse anyway).
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.requestConfig && event.detail.requestConfig.verb === "post" && event.detail.pathInfo.requestPath !== workspace.dataset.undoUrl) undoOffer = null;
  });

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented) return;
    // Esc from a card's field (the stance form starts in its holder field) closes the card, as its Cancel
    // button says; from a box holding unsaved text it first only leaves the box, so nothing is lost.
    if (event.key === "Escape" && typing(event.target) && event.target.closest("#span-card")) {
      const field = event.target;
      if (field.matches("textarea, input[type=text], input[type=search]") && field.value !== field.defaultValue) field.blur();
      else closeCard();
      return;
    }
    if (typing(event.target)) return;
    if (event.key === "Escape") {
      if (cancelAcceptAll({ refocus: true })) return; // the question first, as a dialog would
      hidePopover(); toggleHelp(false); closeCard();
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") { event.preventDefault(); undo(); return; }
    if (event.ctrlKey || event.metaKey || event.altKey) return;

    // Keyboard-only selection: with nothing selected, Shift+Left/Right starts a selection at the
    // beginning of the current paragraph (j/k choose it) and takes a word per press (visually: left
    // is forward in Arabic). An existing selection is left to the browser, which extends it a letter
    // per press (a word with Ctrl).
    if (event.shiftKey && (event.key === "ArrowLeft" || event.key === "ArrowRight") && currentParagraph) {
      const native = window.getSelection();
      if (native.isCollapsed || !paragraphOf(native.anchorNode)) {
        // In the paragraph one sees: an off-screen current paragraph gives way to the first on screen.
        setCurrentParagraph(seenParagraph().paragraph);
        native.collapse(currentParagraph, 0);
        event.preventDefault();
        native.modify("extend", event.key === "ArrowLeft" ? "left" : "right", "word");
        return;
      }
    }

    const selection = currentSelection();
    if (selection && Object.prototype.hasOwnProperty.call(labelKeys, event.key)) {
      event.preventDefault();
      createSpan(selection, labelKeys[event.key]);
      return;
    }
    switch (event.key) {
      case "?": event.preventDefault(); toggleHelp(); break;
      case "g": event.preventDefault(); moveSuggestion(1); break;
      case "y": event.preventDefault(); decideSuggestion("accept"); break;
      case "n": event.preventDefault(); decideSuggestion("reject"); break;
      case "s":
        event.preventDefault();
        if (selection) startStance(selection);
        else say(selectionProblem || gettext("Select the passage that shows the stance, then press s."), selectionProblem ? "error" : "info");
        break;
      case "e":
        event.preventDefault();
        if (selection) addEvidence(selection);
        else say(gettext("Select a passage, then press e to add it to the open stance's evidence."));
        break;
      case "b":
        event.preventDefault();
        toggleBoilerplate(selection ? selection.paragraph : currentParagraph);
        break;
      case "j": moveParagraph(1); break;
      case "k": moveParagraph(-1); break;
      case "]": moveSpan(1); break;
      case "[": moveSpan(-1); break;
      case "u": undo(); break;
      case "D": { // Mark done (or say why not): the status bar's button, when the article is in my queue
        event.preventDefault();
        const button = document.querySelector("#assignment-status [data-mark-done]");
        // The status bar arrives by htmx after the page; until it settles its form has no htmx behaviour
        // and a click would submit natively (a reload). Process it first: htmx skips what it already did.
        if (button) { htmx.process(button.form); button.click(); }
        else say(document.querySelector("#assignment-status [data-reopen]")
          ? gettext("This article is already done: Reopen it to change your annotations.")
          : gettext("This article is not in your queue, so there is nothing to mark done."), "info");
        break;
      }
      case "N": { // the next article in my queue
        event.preventDefault();
        const next = document.querySelector("#assignment-status [data-next-article]");
        if (next) window.location.assign(next.href);
        else say(gettext("This article is not in your queue: open your project's page for the queue."), "info");
        break;
      }
      case "x":
      case "Delete": {
        // Straight from the card's data, not by clicking its button: a card that has just been swapped
        // in gets its htmx behaviour only when it settles, and until then the button would submit natively.
        const card = document.querySelector("#span-card [data-span-id], #span-card [data-stance-id]");
        if (!card) break;
        event.preventDefault();
        if (card.dataset.deleteUrl) {
          // With the version the card shows: deleting what another tab has changed since is refused (409).
          htmx.ajax("POST", card.dataset.deleteUrl, {
            target: "#" + card.dataset.paragraphAnchor, swap: "outerHTML", values: { version: card.dataset.version },
          });
        } else {
          say(card.dataset.spanId ? gettext("Only the span's author or an administrator may delete it.")
            : gettext("Only the stance's author or an administrator may delete it."), "error");
        }
        break;
      }
      default:
        if (!selection && Object.prototype.hasOwnProperty.call(labelKeys, event.key)) {
          say(selectionProblem || gettext("Select some text first, then press a label's key."), selectionProblem ? "error" : "info");
        }
    }
  });

  // A re-rendered paragraph (a new element with the same id) stays the current one.
  // The open card's segments stay marked, also after an update or undo re-rendered them.
  // Done after the settle: until then htmx gives a swapped-in element its predecessor's classes, and the
  // settle puts the server's back, dropping any class added in between (a j pressed during a swap).
  // An opened boilerplate paragraph stays open while one works in it.
  document.body.addEventListener("htmx:afterSettle", () => {
    countSuggestions();
    joinSuggestionSegments();
    if (advanceTo !== null) {
      decided();
    } else if (currentSuggestion) {
      selectSuggestion(currentSuggestion, { quiet: true }); // re-mark it in a re-rendered paragraph
    }
    if (currentParagraph) setCurrentParagraph(document.getElementById(currentParagraph.id));
    expandedParagraphs.forEach((id) => {
      const paragraph = document.getElementById(id);
      if (paragraph) paragraph.classList.add("expanded");
    });
    markSelected();
    // A card that has just arrived is shown from its top, even if the panel was scrolled down to reach
    // the bottom of the previous one (a long stance form's Save button).
    const card = document.querySelector("#span-card > .card");
    if (card && card !== shownCard) {
      const panel = card.closest(".panel"), area = document.getElementById("span-card");
      if (panel && panel.scrollTop > area.offsetTop) panel.scrollTop = 0; // the message area above it too
    }
    shownCard = card;
    // A freshly loaded stance form starts at its first field.
    const autofocus = document.querySelector("#span-card [data-stance-form] [data-autofocus]");
    if (autofocus && !autofocus.dataset.focused) { autofocus.dataset.focused = "1"; autofocus.focus(); }
  });
})();
