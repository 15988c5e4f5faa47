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
  // results: Pagefind's; next: the first not yet fetched; shown: those on screen; phrase: the
  // folded words of a phrase each result is checked for (phrasePlan), or null.
  const state = { seq: 0, results: [], next: 0, shown: 0, selected: -1, query: "", phrase: null };
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

  // Words as Pagefind compares them: lower case, diacritics folded (its default), punctuation
  // dropped (a lone dash folds to nothing).
  function fold(word) {
    return word.normalize("NFD").replace(/[\p{M}\p{P}]/gu, "").toLocaleLowerCase();
  }

  // An exact phrase that holds common words ("the peasant question"). Pagefind would fetch
  // the index of every word of it, and at 50x the chunks of 'the' alone are some 290 KB. So
  // Pagefind is asked for its other words only: as an exact phrase, the longest run of them
  // that stand together ("peasant question"), or as words when none do ("dictatorship ...
  // proletariat"). That answer holds every record with the phrase, and each record's text,
  // fetched anyway to be shown, is checked for the whole phrase before it is shown
  // (``phraseAt``). Null for any other query.
  function phrasePlan(q) {
    const quoted = /^\s*"(.+)"\s*$/.exec(q);
    if (!quoted) return null;
    const words = quoted[1].split(" ").map(fold).filter(Boolean);
    const rare = words.filter((w) => !STOP.has(w));
    if (!rare.length || rare.length === words.length) return null;
    let run = [], longest = [];
    words.forEach((w, i) => {
      run = STOP.has(w) ? [] : run.concat([i]);
      if (run.length > longest.length) longest = run;
    });
    const asked = longest.length > 1 ? longest :
      words.map((w, i) => (STOP.has(w) ? -1 : i)).filter((i) => i >= 0);
    const ask = asked.map((i) => words[i]).join(" ");
    return { words, asked, ask: longest.length > 1 ? `"${ask}"` : ask };
  }

  // Whether a Pagefind result can hold the phrase, from the word positions it comes with
  // (no fetch): the asked words must stand at the phrase's distances from each other. Most
  // records with "state" and "revolution" have no "state ... revolution" two words apart, and
  // are dropped before their fragments would be fetched to be checked.
  function mayHold(positions, asked) {
    if (!Array.isArray(positions) || !positions.length) return true; // nothing to go on
    const at = new Set(positions);
    return positions.some((p) => asked.every((i) => at.has(p + i - asked[0])));
  }

  // Where ``phrase`` (folded words) stands in a record's words: the index of each word of
  // each occurrence, or null if it is not there. Words that fold to nothing are skipped, as
  // Pagefind skips them.
  function phraseAt(words, phrase) {
    const kept = [];
    words.forEach((w, i) => { const f = fold(w); if (f) kept.push([f, i]); });
    const at = [];
    for (let i = 0; i + phrase.length <= kept.length; i++) {
      if (phrase.every((w, k) => kept[i + k][0] === w)) {
        for (let k = 0; k < phrase.length; k++) at.push(kept[i + k][1]);
      }
    }
    return at.length ? at : null;
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
      state.results = []; state.next = 0; state.shown = 0; state.phrase = null; select(-1);
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
    const plan = phrasePlan(query);
    busy = pf.search(plan ? plan.ask : engineQuery(query), { filters });
    let res;
    try { res = await busy; } finally { busy = null; }
    if (seq !== state.seq || !res) return; // a newer query is on its way
    state.results = plan ? res.results.filter((r) => mayHold(r.words, plan.asked)) : res.results;
    state.phrase = plan ? plan.words : null;
    state.next = 0;
    state.shown = 0;
    state.selected = -1;
    list.replaceChildren();
    list.dataset.query = query; // for tests and tools: the query these results answer
    showMore();
    if (state.phrase) setStatus("Searching…"); else count(seq, filters);
    // A few results first, the rest of the page of results right after: the first results
    // show as soon as their small fragments arrive.
    if (state.results.length) await more(seq, FIRST);
    if (seq === state.seq && state.next < state.results.length) {
      await more(seq, PAGE_SIZE - FIRST);
    }
    if (seq !== state.seq) return;
    count(seq, filters);
    await loadFilters().catch(() => {});
    if (seq === state.seq) list.dataset.done = String(seq);
  }

  // The result count (or the no-results message). A checked phrase's count is exact once
  // every record Pagefind returned has been checked; until then it is an upper bound.
  function count(seq, filters) {
    if (seq !== state.seq) return;
    const list = $("library-search-results");
    const exact = !state.phrase || state.next >= state.results.length;
    const n = exact ? state.results.length - (state.next - state.shown) : state.results.length;
    const scope = Object.values(filters || currentFilters()).join(", ");
    list.dataset.count = String(n);
    list.dataset.exact = String(exact);
    if (!n) {
      setStatus(`No results for ${state.query}${scope ? " in " + scope : ""}. ` +
        "Check the spelling, use fewer words, or clear the filters.");
      return;
    }
    setStatus(`${exact ? "" : "Up to "}${n.toLocaleString("en")} ${n === 1 ? "result" : "results"}` +
      (scope ? ` in ${scope}` : ""));
  }

  // Shows the next ``wanted`` results: their fragments are fetched at once and each is shown,
  // in order, as soon as it and those before it have arrived. A checked phrase's records
  // without the phrase are passed over, and more are fetched in their place.
  async function more(seq, wanted) {
    const list = $("library-search-results");
    while (wanted > 0 && state.next < state.results.length) {
      const slice = state.results.slice(state.next, state.next + wanted);
      state.next += slice.length;
      for (const p of slice.map((r) => r.data())) {
        const d = await p;
        if (seq !== state.seq) return;
        if (state.phrase) {
          const at = phraseAt(String(d.content || "").split(/[\r\n\s]+/g), state.phrase);
          if (!at) continue;
          d.locations = at;
        }
        list.appendChild(item(d, state.shown));
        state.shown += 1;
        wanted -= 1;
      }
    }
    showMore();
  }

  // 'Show more' is a button after the list (a listbox may only hold options).
  function showMore() {
    const b = $("library-search-more");
    if (!b) return;
    const left = state.results.length - state.next;
    b.hidden = left <= 0;
    b.textContent = left <= 0 ? "" : state.phrase ? "Show more" :
      `Show ${Math.min(PAGE_SIZE, left)} more`;
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
      const seq = state.seq;
      more(seq, PAGE_SIZE).then(() => count(seq));
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
