// Paragraph links (build_site/anchors.py keeps the ids stable). On every page, and again after
// each instant navigation (document$): highlight the linked paragraph, send a retired id to its
// successor (the page's map, else the site's anchors.json), and give every paragraph a pilcrow
// that copies its link and a Cite button that copies a citation.
(function () {
  "use strict";
  var PARA = /^p-\d+$/;
  var catalogue = null;

  function pageData() {
    var el = document.querySelector(".anchor-data");
    if (!el) return null;
    try { return JSON.parse(el.getAttribute("data-anchors")); } catch (e) { return null; }
  }

  function paragraphs() {
    return Array.prototype.filter.call(
      document.querySelectorAll(".md-content article [id]"), function (el) {
        return PARA.test(el.id);
      });
  }

  function words(el) {
    var clone = el.cloneNode(true);
    clone.querySelectorAll(".para-tools, sup, .xref-panel").forEach(function (n) { n.remove(); });
    return clone.textContent.replace(/\s+/g, " ").trim();
  }

  function pageUrl() { return location.href.split("#")[0]; }

  // The link other sites get: the id, and a text fragment as a last resort should it ever go.
  function permalink(el) {
    var start = words(el).split(" ").slice(0, 6).join(" ");
    var frag = encodeURIComponent(start).replace(/-/g, "%2D");
    return pageUrl() + "#" + el.id + (frag ? ":~:text=" + frag : "");
  }

  function citation(el) {
    var d = pageData() || {};
    var n = paragraphs().indexOf(el) + 1;
    var parts = [];
    if (d.author) parts.push(d.author);
    if (d.title) parts.push("\u201c" + d.title + "\u201d");
    if (d.date) parts.push(d.date);
    if (d.chapter && d.chapter.toLowerCase() !== (d.title || "").toLowerCase()) {
      parts.push(d.chapter);
    }
    var where = "\u00b6 " + n;
    if (d.pages && d.pages[el.id]) where += ", p. " + d.pages[el.id];
    parts.push(where);
    return parts.join(", ") + ". " + pageUrl() + "#" + el.id;
  }

  function status(text) {
    var box = document.querySelector(".para-status");
    if (!box) {
      box = document.createElement("div");
      box.className = "para-status";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    box.textContent = text;
    box.classList.add("para-status--on");
    clearTimeout(status.timer);
    status.timer = setTimeout(function () { box.classList.remove("para-status--on"); }, 2500);
  }

  function copy(text, done) {
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      status(ok ? done : "Copy failed: " + text);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { status(done); }, fallback);
    } else {
      fallback();
    }
  }

  function highlight(el) {
    document.querySelectorAll(".para-target").forEach(function (n) {
      n.classList.remove("para-target");
    });
    el.classList.add("para-target");
  }

  function go(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    history.replaceState(history.state, "", "#" + id);
    el.scrollIntoView({ block: "start" });
    highlight(el);
    return true;
  }

  function root() {
    var cfg = document.getElementById("__config");
    var base = ".";
    try { base = JSON.parse(cfg.textContent).base || "."; } catch (e) { base = "."; }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  // A retired or moved id that this page does not know: ask the site's catalogue where it went.
  function lookup(work, id) {
    var url = new URL("anchors.json", root());
    (catalogue || (catalogue = fetch(url).then(function (r) { return r.json(); })))
      .then(function (cat) {
        var live = ((cat.works[work] || {}).retired || {})[id] || id;
        var page = cat.pages.filter(function (p) {
          return p.work === work && p.ids.some(function (pair) { return pair[0] === live; });
        })[0];
        if (!page) return;
        var target = new URL(page.url, root());
        if (target.pathname === location.pathname) go(live);
        else location.replace(target.href + "#" + live);
      })
      .catch(function () { catalogue = null; });
  }

  function arrive() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!PARA.test(id)) return;
    var el = document.getElementById(id);
    if (el) { highlight(el); return; }
    var d = pageData();
    if (!d) return;
    if (d.aliases && d.aliases[id] && go(d.aliases[id])) return;
    lookup(d.work, id);
  }

  function decorate() {
    paragraphs().forEach(function (el) {
      if (el.querySelector(":scope > .para-tools")) return;
      el.classList.add("para");
      var n = el.id.slice(2);
      var tools = document.createElement("span");
      tools.className = "para-tools";
      tools.setAttribute("data-pagefind-ignore", "");
      var a = document.createElement("a");
      a.className = "para-link";
      a.href = "#" + el.id;
      a.textContent = "\u00b6";
      a.title = "Copy a link to this paragraph";
      a.setAttribute("aria-label", "Copy a link to paragraph " + n);
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        history.replaceState(history.state, "", "#" + el.id);
        highlight(el);
        copy(permalink(el), "Link to the paragraph copied");
      });
      var b = document.createElement("button");
      b.type = "button";
      b.className = "para-cite";
      b.textContent = "Cite";
      b.title = "Copy a citation of this paragraph";
      b.setAttribute("aria-label", "Copy a citation of paragraph " + n);
      b.addEventListener("click", function () { copy(citation(el), "Citation copied"); });
      tools.appendChild(a);
      tools.appendChild(b);
      el.appendChild(tools);
    });
  }

  function run() {
    decorate();
    arrive();
  }

  window.addEventListener("hashchange", arrive);
  if (typeof document$ !== "undefined") {
    document$.subscribe(run); // also after every instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
  window.paragraphLinks = { permalink: permalink, citation: citation };
})();
