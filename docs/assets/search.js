// search: the library's search box (overrides/partials/library-search.html) on Pagefind's
// JavaScript API. Each Pagefind record is a run of paragraphs (or footnotes) of one page
// (build_site/search.py), written with the page's paragraph ids; Pagefind returns those ids with
// their word positions ("anchors"), so a result names and opens the paragraph holding the hit. What a result shows (url, chapter, section, kind, author,
// work) comes back as Pagefind filter values: unlike meta, they are not searchable.
// Loaded once per page load: every listener is delegated to the document, so it keeps
// working after navigation.instant swaps the page.
// Text from the index is data: it is only ever put in the page through textContent.
(() => {
  "use strict";

  const PAGE_SIZE = 10; // results whose fragments are fetched at a time
  const FIRST = 5; // results shown before the rest of the first page is fetched
  const SNIPPET_WORDS = 30;
  // Typing pauses this long (ms) before a query runs: Pagefind's worker answers one query at a
  // time, and at 50x a query per keystroke ("d", "di", ... "dictatorship of t") kept it busy
  // for seconds with prefixes that match half the index. The engine loads meanwhile.
  const SETTLE = 120;
  // Left out of a query that is not in quotes (when other words remain): every record holds
  // them, and their index entries are the largest (at 50x 'the' alone is some 290 KB to fetch).
  const STOP = new Set(("a an and are as at be but by for from in is it its of on or that the " +
    "this to was were which with").split(" "));
  const HINT = 'Type to search every text. Put a phrase in "quotes" to find it exactly.';
  // The site root, from this script's own URL (assets/search.js): right on every page and
  // under any base path, whatever page instant navigation shows now.
  const ROOT = new URL("../", document.currentScript ? document.currentScript.src : location.href);

  const $ = (id) => document.getElementById(id);
  const state = { seq: 0, results: [], shown: 0, selected: -1, query: "" };
  let engine = null; // Promise of the Pagefind module, loaded on first use
  let filtersLoaded = null; // Promise: the filter lists are filled once
  let settle = 0; // timer of the query waiting for typing to pause
  let busy = null; // Promise of the search Pagefind is running

  function load() {
    if (!engine) {
      // A large library is indexed in parts (build_site/search.py): the first part is the
      // bundle itself, the others are listed in library-parts.json and merged into it.
      const parts = fetch(new URL("pagefind/library-parts.json", ROOT).href)
        .then((r) => (r.ok ? r.json() : [])).catch(() => []);
      engine = import(new URL("pagefind/pagefind.js", ROOT).href).then(async (pf) => {
        const opts = { baseUrl: ROOT.pathname, excerptLength: SNIPPET_WORDS };
        await pf.options(opts);
        await pf.init();
        await Promise.all((await parts).map((name) =>
          pf.mergeIndex(new URL("pagefind/" + name, ROOT).pathname, opts)));
        return pf;
      });
      engine.catch(() => { engine = null; });
    }
    return engine;
  }

  // A reader may paste a phrase in typographic quotes: Pagefind only knows straight ones.
  function normalise(q) {
    return q.replace(/[\u201c\u201d\u201e\u00ab\u00bb]/g, '"').replace(/\s+/g, " ").trim();
  }

  // What Pagefind is asked: a phrase in quotes as typed; otherwise the words without the
  // commonest ones, which narrow nothing (a query of only such words is kept whole).
  function engineQuery(q) {
    if (q.includes('"')) return q;
    const words = q.split(" ");
    const kept = words.filter((w) => !STOP.has(w.toLowerCase()));
    return kept.length && kept.length < words.length ? kept.join(" ") : q;
  }

  function toggle() { return $("__search"); }

  function open() {
    const t = toggle();
    if (t && !t.checked) { t.checked = true; t.dispatchEvent(new Event("change")); }
    load().catch(() => {}); // the engine loads while the reader types
  }

  // Runs the box's query once typing pauses; an empty box or a filter change runs at once.
  function schedule(now) {
    clearTimeout(settle);
    ++state.seq; // anything still on its way is out of date
    settle = setTimeout(run, now ? 0 : SETTLE);
  }

  function close() {
    const t = toggle();
    if (t && t.checked) { t.checked = false; t.dispatchEvent(new Event("change")); }
    const input = $("library-search-input");
    if (input) input.blur();
  }

  function setStatus(text) {
    const s = $("library-search-status");
    if (s) s.textContent = text;
  }

  // The filter lists come from a small file of ours: Pagefind's filters() would fetch every
  // filter index, including the one-value-per-paragraph 'url' one. It is fetched after the
  // first results (17 KB at 50x, not spent before them), or as soon as a list is touched.
  function loadFilters() {
    if (!filtersLoaded) {
      filtersLoaded = fetch(new URL("pagefind/library-facets.json", ROOT).href)
        .then((r) => (r.ok ? r.json() : { authors: [], works: [] }))
        .then((all) => {
          fill($("library-search-author"), all.authors || []);
          fill($("library-search-work"), (all.works || []).map((w) => w[0]));
        });
      filtersLoaded.catch(() => { filtersLoaded = null; });
    }
    return filtersLoaded;
  }

  function fill(select, values) {
    if (!select) return;
    values.sort((a, b) => a.localeCompare(b));
    for (const v of values) {
      const o = document.createElement("option");
      o.value = v;
      o.textContent = v;
      select.appendChild(o);
    }
  }

  function currentFilters() {
    const f = {};
    const a = $("library-search-author");
    const w = $("library-search-work");
    if (a && a.value) f.author = a.value;
    if (w && w.value) f.work = w.value;
    return f;
  }

  async function run() {
    const input = $("library-search-input");
    const list = $("library-search-results");
    if (!input || !list) return;
    const seq = state.seq;
    const query = normalise(input.value);
    state.query = query;
    if (!query) {
      state.results = []; state.shown = 0; select(-1);
      list.replaceChildren();
      showMore();
      setStatus(HINT);
      list.dataset.done = String(seq);
      return;
    }
    let pf;
    try { pf = await load(); } catch (e) {
      setStatus("The search index could not be loaded."); return;
    }
    const filters = currentFilters();
    // One search at a time: a query typed meanwhile waits, and one overtaken never runs.
    while (busy) { try { await busy; } catch (e) { /* reported by its own caller */ } }
    if (seq !== state.seq) return;
    busy = pf.search(engineQuery(query), { filters });
    let res;
    try { res = await busy; } finally { busy = null; }
    if (seq !== state.seq || !res) return; // a newer query is on its way
    state.results = res.results;
    state.shown = 0;
    state.selected = -1;
    list.replaceChildren();
    list.dataset.query = query; // for tests and tools: the query these results answer
    showMore();
    const n = res.results.length;
    const scope = Object.values(filters).join(", ");
    if (!n) {
      setStatus(`No results for ${query}${scope ? " in " + scope : ""}. ` +
        "Check the spelling, use fewer words, or clear the filters.");
      list.dataset.count = "0";
      await loadFilters().catch(() => {});
      if (seq === state.seq) list.dataset.done = String(seq); // for tests: this query is shown
      return;
    }
    setStatus(`${n.toLocaleString("en")} ${n === 1 ? "result" : "results"}` +
      (scope ? ` in ${scope}` : ""));
    list.dataset.count = String(n);
    // A few results first, the rest of the page of results right after: the first results
    // show as soon as their small fragments arrive.
    await more(seq, FIRST);
    if (seq === state.seq && state.shown < state.results.length) {
      await more(seq, PAGE_SIZE - FIRST);
    }
    await loadFilters().catch(() => {});
    if (seq === state.seq) list.dataset.done = String(seq);
  }

  // Fetches the next ``count`` results' fragments at once and shows each, in order, as soon
  // as it and those before it have arrived.
  async function more(seq, count) {
    const list = $("library-search-results");
    const slice = state.results.slice(state.shown, state.shown + count);
    const pending = slice.map((r) => r.data());
    for (const p of pending) {
      const d = await p;
      if (seq !== state.seq) return;
      list.appendChild(item(d, state.shown));
      state.shown += 1;
    }
    showMore();
  }

  // 'Show more' is a button after the list (a listbox may only hold options).
  function showMore() {
    const b = $("library-search-more");
    if (!b) return;
    const left = state.results.length - state.shown;
    b.hidden = left <= 0;
    b.textContent = left > 0 ? `Show ${Math.min(PAGE_SIZE, left)} more` : "";
  }

  function target(url) {
    return new URL(String(url || "").replace(/^\/+/, ""), ROOT).href;
  }

  // Where in the record the reader should land: the densest cluster of hits, the paragraph
  // (anchor) it falls in, that paragraph's word range and the heading above it in the record.
  function place(d, words) {
    const locations = d.locations || [];
    let best = locations.length ? locations[0] : 0, bestCount = 0;
    for (const loc of locations) {
      const c = locations.filter((l) => l >= loc && l < loc + SNIPPET_WORDS).length;
      if (c > bestCount) { best = loc; bestCount = c; }
    }
    const anchors = (d.anchors || []).filter((a) => a && a.id)
      .sort((a, b) => a.location - b.location);
    let at = -1;
    anchors.forEach((a, i) => { if (a.location <= best) at = i; });
    if (at < 0 && anchors.length) at = 0;
    const anchor = at >= 0 ? anchors[at] : null;
    const heading = anchors.slice(0, at + 1).reverse()
      .find((a) => /^h[2-6]$/i.test(a.element || ""));
    return {
      id: anchor ? anchor.id : "",
      from: anchor ? anchor.location : 0,
      to: at >= 0 && at + 1 < anchors.length ? anchors[at + 1].location : words.length,
      best,
      heading: heading ? String(heading.text || "").trim() : "",
    };
  }

  function item(d, index) {
    const f = d.filters || {};
    const one = (k) => (f[k] && f[k].length ? String(f[k][0]) : "");
    const words = String(d.content || "").split(/[\r\n\s]+/g);
    const at = place(d, words);
    const m = { url: one("url") + (at.id ? "#" + at.id : ""), chapter: one("chapter"),
      section: at.heading || one("section"), kind: one("kind"),
      work: (f.work || []).join(", "), author: (f.author || []).join(", ") };
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    li.id = `library-search-r${index}`;
    const a = document.createElement("a");
    a.className = "md-search-result__link library-search__hit";
    a.href = target(m.url);
    a.tabIndex = -1;
    const art = document.createElement("article");
    art.className = "md-search-result__article md-typeset";
    const where = document.createElement("p");
    where.className = "library-search__where";
    where.append(span("library-search__work", m.work || ""));
    if (m.author) where.append(" · ", span("library-search__author", m.author));
    if (m.kind === "note") where.append(" · ", span("library-search__kind", "footnote"));
    const h = document.createElement("h1");
    h.className = "library-search__chapter";
    h.textContent = [m.chapter, m.section].filter(Boolean).join(" › ");
    const p = document.createElement("p");
    p.className = "library-search__snippet";
    snippet(p, words, d.locations || [], at);
    art.append(where, h, p);
    a.appendChild(art);
    li.appendChild(a);
    return li;
  }

  function span(cls, text) {
    const s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  }

  // Words split as Pagefind splits them, so its word locations index this array. The snippet
  // stays inside the paragraph the result opens.
  function snippet(el, words, locations, at) {
    const hits = new Set(locations);
    const to = Math.max(at.from + 1, Math.min(at.to, words.length));
    const start = Math.max(at.from, Math.min(at.best - 6, to - SNIPPET_WORDS));
    const end = Math.min(to, start + SNIPPET_WORDS);
    if (start > at.from) el.append("… ");
    for (let i = start; i < end; i++) {
      if (i > start) el.append(" ");
      if (hits.has(i)) {
        const mk = document.createElement("mark");
        mk.textContent = words[i];
        el.appendChild(mk);
      } else {
        el.append(words[i]);
      }
    }
    if (end < to) el.append(" …");
  }

  function hits() {
    const list = $("library-search-results");
    const all = list ? Array.from(list.querySelectorAll(".library-search__hit")) : [];
    const b = $("library-search-more");
    return b && !b.hidden ? all.concat([b]) : all;
  }

  // Arrow keys move the focus itself to a result, as in Material's own search: a screen
  // reader reads the link, and Enter follows it like any link.
  function select(i) {
    const all = hits();
    all.forEach((el, j) => el.classList.toggle("library-search__selected", j === i));
    state.selected = i >= 0 && i < all.length ? i : -1;
    if (state.selected >= 0) {
      all[state.selected].focus();
      all[state.selected].scrollIntoView({ block: "nearest" });
    }
  }

  function choose() {
    const all = hits();
    const el = all[state.selected >= 0 ? state.selected : 0];
    if (!el) return;
    el.click(); // a real link click: navigation.instant handles it like any other link
  }

  function typing(target) {
    return target instanceof HTMLElement && (target.isContentEditable ||
      ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  }

  // --- Delegated listeners -------------------------------------------------------------------

  document.addEventListener("input", (e) => {
    if (e.target && e.target.id === "library-search-input") schedule(false);
  });

  document.addEventListener("change", (e) => {
    const id = e.target && e.target.id;
    if (id === "library-search-author" || id === "library-search-work") schedule(true);
    if (id === "__search" && e.target.checked) {
      const input = $("library-search-input");
      if (input && document.activeElement !== input) input.focus();
      load().catch(() => {});
    }
  });

  document.addEventListener("focusin", (e) => {
    if (e.target && e.target.id === "library-search-input") open();
    if (e.target instanceof HTMLSelectElement && e.target.closest("#library-search")) {
      loadFilters().catch(() => {});
    }
  });

  document.addEventListener("pointerdown", (e) => {
    if (e.target instanceof Element && e.target.closest(".library-search__filters")) {
      loadFilters().catch(() => {});
    }
  });

  document.addEventListener("click", (e) => {
    if (e.target instanceof Element && e.target.id === "library-search-more") {
      more(state.seq, PAGE_SIZE);
    }
  });

  document.addEventListener("submit", (e) => {
    if (e.target && e.target.id === "library-search-form") { e.preventDefault(); choose(); }
  });

  document.addEventListener("reset", (e) => {
    if (e.target && e.target.id === "library-search-form") {
      setTimeout(() => { schedule(true); const i = $("library-search-input"); if (i) i.focus(); }, 0);
    }
  });

  document.addEventListener("click", (e) => {
    // Following a result closes the search (instant navigation keeps the header).
    if (e.target instanceof Element && e.target.closest(".library-search__hit")) {
      setTimeout(close, 0);
    }
  });

  document.addEventListener("keydown", (e) => {
    if (e.metaKey || e.ctrlKey || e.altKey || e.isComposing) return;
    const inSearch = e.target instanceof Element && e.target.closest("#library-search");
    const t = toggle();
    const isOpen = t && t.checked;
    if (!inSearch && !isOpen) {
      if ((e.key === "/" || e.key === "s") && !typing(e.target)) {
        const input = $("library-search-input");
        if (!input) return;
        e.preventDefault();
        e.stopPropagation();
        open();
        input.focus();
        input.select();
      }
      return;
    }
    switch (e.key) {
      case "Escape":
        e.preventDefault();
        e.stopPropagation();
        close();
        break;
      case "ArrowDown":
      case "ArrowUp": {
        if (e.target instanceof HTMLSelectElement) return; // let the filter lists work
        const n = hits().length;
        if (!n) return;
        e.preventDefault();
        e.stopPropagation();
        const step = e.key === "ArrowDown" ? 1 : -1;
        select(state.selected < 0 ? (step > 0 ? 0 : n - 1) : (state.selected + step + n) % n);
        break;
      }
      case "Enter":
        if (e.target instanceof HTMLSelectElement) return;
        if (e.target && e.target.id === "library-search-input") {
          e.preventDefault();
          e.stopPropagation();
          choose();
        }
        break;
      default:
        // Typing on a focused result goes back to the box, as in Material's search.
        if (e.key.length === 1 && e.target instanceof Element &&
            e.target.closest(".library-search__hit, #library-search-more")) {
          const input = $("library-search-input");
          if (input) input.focus();
        }
        break;
    }
  }, true);
})();
