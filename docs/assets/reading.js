// reading: loaded on every page; re-run after instant navigation via document$.subscribe.
// 1. Headings the source set in capitals only for layout get class "shout" (small caps in
//    reading.css); their words are not changed.
// 2. The 404 page (overrides/404.html) searches for the words of the missing URL and offers
//    the work the URL names: the longest published URL that the missing one starts with, or a
//    published URL ending in one of its segments. Published URLs come from sitemap.xml.
(() => {
  "use strict";

  function isShouting(text) {
    const letters = text.replace(/[^\p{L}]/gu, "");
    return letters.length >= 2 && letters === letters.toUpperCase()
      && letters !== letters.toLowerCase();
  }

  function markShouting(root) {
    root.querySelectorAll(".md-content .md-typeset :is(h1, h2, h3, h4, h5, h6)").forEach((h) => {
      let text = "";
      h.childNodes.forEach((n) => {
        if (!(n instanceof Element && n.classList.contains("headerlink"))) text += n.textContent;
      });
      h.classList.toggle("shout", isShouting(text));
    });
  }

  const STOP = new Set(["index", "html", "htm", "md", "php", "www", "the", "and", "of"]);

  function urlWords(path) {
    let text = path;
    try { text = decodeURIComponent(path); } catch (e) { /* keep it raw */ }
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 1 && !STOP.has(w));
  }

  function segments(rel) {
    return rel.split("/").filter(Boolean);
  }

  // rel: a path relative to the site root, e.g. "soviet-power/chapter-9/".
  function suggest(missing, published) {
    const missSegs = segments(missing).map((s) => s.replace(/\.html?$/, ""));
    const norm = (r) => segments(r).join("/");
    const missingNorm = missSegs.join("/").replace(/\.html?$/, "");
    let work = "";
    for (const rel of published) {
      const n = norm(rel);
      if (n && (missingNorm === n || missingNorm.startsWith(n + "/")) && n.length > norm(work).length) {
        work = rel;
      }
    }
    if (!work) {
      const named = published.filter((rel) => {
        const segs = segments(rel);
        return segs.length && missSegs.includes(segs[segs.length - 1]);
      }).sort((a, b) => segments(a).length - segments(b).length);
      work = named[0] || "";
    }
    const words = new Set(urlWords(missing));
    const scored = published.map((rel) => {
      const own = new Set(urlWords(rel));
      let score = 0;
      words.forEach((w) => { if (own.has(w)) score += 1; });
      return { rel, score };
    }).filter((s) => s.score > 0 && s.rel !== work)
      .sort((a, b) => b.score - a.score || a.rel.length - b.rel.length)
      .slice(0, 8).map((s) => s.rel);
    return { work, pages: scored, words: [...words] };
  }

  async function titleOf(url) {
    try {
      const res = await fetch(url);
      if (!res.ok) return "";
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      const h1 = doc.querySelector(".md-content h1");
      return (h1 ? h1.textContent : doc.title).replace("¶", "").trim();
    } catch (e) {
      return "";
    }
  }

  function link(url, text) {
    const a = document.createElement("a");
    a.href = url;
    a.textContent = text;
    return a;
  }

  async function listItem(ul, url) {
    const li = document.createElement("li");
    li.appendChild(link(url, (await titleOf(url)) || url));
    ul.appendChild(li);
  }

  function runSearch(words) {
    const input = document.getElementById("library-search-input")
      || document.querySelector(".md-search__input");
    const toggle = document.getElementById("__search");
    if (!input || !words.length) return;
    input.value = words.join(" ");
    if (toggle && !toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change", { bubbles: true }));
    }
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  async function notFound(box) {
    const root = new URL(box.dataset.root || "/", location.href);
    const siteUrl = box.dataset.siteUrl || root.href;
    const missing = location.pathname.startsWith(root.pathname)
      ? location.pathname.slice(root.pathname.length) : location.pathname;
    let published = [];
    try {
      const res = await fetch(new URL("sitemap.xml", root));
      const xml = new DOMParser().parseFromString(await res.text(), "application/xml");
      published = [...xml.querySelectorAll("loc")].map((l) => l.textContent.trim())
        .map((loc) => (loc.startsWith(siteUrl) ? loc.slice(siteUrl.length)
          : new URL(loc).pathname.replace(/^\//, "")));
    } catch (e) { /* no sitemap: offer the search alone */ }
    const found = suggest(missing, published);
    const wordsEl = box.querySelector("[data-not-found-words]");
    if (wordsEl) wordsEl.textContent = found.words.join(" ") || "(none)";
    if (found.work) {
      const workEl = box.querySelector("[data-not-found-work]");
      const ul = document.createElement("ul");
      ul.className = "not-found__list";
      await listItem(ul, new URL(found.work, root).href);
      workEl.appendChild(ul);
      workEl.hidden = false;
    }
    if (found.pages.length) {
      const pagesEl = box.querySelector("[data-not-found-pages]");
      const ul = pagesEl.querySelector("ul");
      for (const rel of found.pages) await listItem(ul, new URL(rel, root).href);
      pagesEl.hidden = false;
    }
    const button = box.querySelector("[data-not-found-search]");
    if (button) {
      button.hidden = !found.words.length;
      button.addEventListener("click", () => runSearch(found.words));
    }
    runSearch(found.words);
    box.dataset.ready = "true";
  }

  function init() {
    markShouting(document);
    const box = document.getElementById("not-found");
    if (box && !box.dataset.started) {
      box.dataset.started = "true";
      notFound(box);
    }
  }

  window.libraryReading = { suggest, urlWords, isShouting, markShouting };
  if (typeof document$ !== "undefined") document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
