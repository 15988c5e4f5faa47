// notes: footnote popups beyond what the theme does. Material's content.footnote.tooltips
// opens a note on hover and keyboard focus; here a tap on a touch screen opens the note in a
// popup instead of jumping to the list, and Esc closes any note popup (keeping focus).
// Re-run after every instant-navigation swap via document$.subscribe.
(function () {
  "use strict";
  var lastPointer = "mouse";
  var popup = null;

  function noteFor(ref) {
    var id = decodeURIComponent(new URL(ref.href, location.href).hash.slice(1));
    var item = id && document.getElementById(id);
    if (!item) return null;
    var copy = item.cloneNode(true);
    copy.querySelectorAll(".footnote-backref").forEach(function (a) { a.remove(); });
    return copy;
  }

  function close() {
    if (popup) {
      var owner = popup._owner;
      popup.remove();
      popup = null;
      if (owner) owner.setAttribute("aria-expanded", "false");
    }
    document.querySelectorAll(".md-tooltip2--active").forEach(function (t) {
      t.classList.remove("md-tooltip2--active");
    });
  }

  function open(ref) {
    close();
    var note = noteFor(ref);
    if (!note) return;
    popup = document.createElement("div");
    popup.className = "note-popup";
    popup.setAttribute("role", "dialog");
    popup.setAttribute("aria-label", "Note");
    popup.tabIndex = -1;
    while (note.firstChild) popup.appendChild(note.firstChild);
    var shut = document.createElement("button");
    shut.type = "button";
    shut.className = "note-popup__close";
    shut.setAttribute("aria-label", "Close note");
    shut.textContent = "×";
    shut.addEventListener("click", close);
    popup.appendChild(shut);
    popup._owner = ref;
    document.body.appendChild(popup);
    var r = ref.getBoundingClientRect();
    var width = Math.min(360, document.documentElement.clientWidth - 16);
    popup.style.width = width + "px";
    var left = Math.max(8, Math.min(r.left + window.scrollX - width / 2,
      window.scrollX + document.documentElement.clientWidth - width - 8));
    popup.style.left = left + "px";
    popup.style.top = (r.bottom + window.scrollY + 6) + "px";
    ref.setAttribute("aria-expanded", "true");
  }

  // Show each note's printed number ('30' for endnote 30) instead of the running count,
  // in the marker and in the list, from the page's hidden .note-labels data (render.py).
  function relabel() {
    var holder = document.querySelector(".note-labels[data-labels]");
    if (!holder || holder.dataset.done) return;
    holder.dataset.done = "1";
    var labels;
    try { labels = JSON.parse(holder.getAttribute("data-labels")); } catch (e) { return; }
    var shown = {};
    document.querySelectorAll("a.footnote-ref").forEach(function (ref) {
      var key = decodeURIComponent(new URL(ref.href, location.href).hash.slice(1)).replace(/^fn:/, "");
      if (!(key in shown)) shown[key] = ref.textContent;
      if (Object.prototype.hasOwnProperty.call(labels, key)) ref.textContent = labels[key];
    });
    document.querySelectorAll(".footnote li[id^='fn:']").forEach(function (li) {
      var key = li.id.slice(3);
      var label = Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : shown[key];
      if (!label) return;
      li.setAttribute("data-label", label);  // notes.css shows it as the item's marker
      if (/^\d+$/.test(label)) li.value = parseInt(label, 10);
    });
  }

  function bind() {
    relabel();
    document.querySelectorAll("a.footnote-ref").forEach(function (ref) {
      if (ref.dataset.notesBound) return;
      ref.dataset.notesBound = "1";
      ref.setAttribute("aria-haspopup", "dialog");
      ref.addEventListener("click", function (ev) {
        if (lastPointer !== "touch") return;
        ev.preventDefault();  // a tap shows the note here instead of jumping away
        if (popup && popup._owner === ref) { close(); return; }
        open(ref);
      });
    });
  }

  document.addEventListener("pointerdown", function (ev) {
    lastPointer = ev.pointerType || "mouse";
    if (popup && !popup.contains(ev.target) && !(ev.target.closest && ev.target.closest("a.footnote-ref"))) {
      close();
    }
  }, true);
  document.addEventListener("touchstart", function () { lastPointer = "touch"; },
    { capture: true, passive: true });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" || ev.key === "Esc") {
      var owner = popup && popup._owner;
      close();
      if (owner) owner.focus();
    }
  });

  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(function () { close(); bind(); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bind);
  } else {
    bind();
  }
})();
