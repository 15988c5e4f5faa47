/* Cross-links: the connections indicator on paragraphs and the hover card on people.
   The converter writes each paragraph's connections as a list in a div.xref-panel right after
   it (readable without script); here that list becomes a small panel behind a button. */
(function () {
  "use strict";

  function setupPanels(root) {
    root.querySelectorAll(".xref-panel[data-for]").forEach(function (panel) {
      if (panel.dataset.ready) return;
      panel.dataset.ready = "1";
      var target = document.getElementById(panel.dataset.for);
      if (!target) return;
      var n = panel.querySelectorAll("li").length;
      panel.id = panel.id || "xref-" + panel.dataset.for;
      panel.hidden = true;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "xref-toggle";
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-controls", panel.id);
      button.title = n + (n === 1 ? " connection" : " connections");
      button.setAttribute("aria-label", "Show " + button.title);
      button.textContent = "\u21c4 " + n;
      button.addEventListener("click", function () {
        var open = panel.hidden;
        panel.hidden = !open;
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
      target.appendChild(document.createTextNode(" "));
      target.appendChild(button);
    });
  }

  var card = null, hideTimer = null, owner = null;

  function hideCard() {
    if (card) card.hidden = true;
    owner = null;
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hideCard, 300);
  }

  function showCard(link) {
    clearTimeout(hideTimer);
    if (!card) {
      card = document.createElement("div");
      card.className = "xref-card";
      card.setAttribute("role", "tooltip");
      card.id = "xref-card";
      card.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
      card.addEventListener("mouseleave", scheduleHide);
      document.body.appendChild(card);
    }
    card.textContent = "";
    var name = document.createElement("a");
    name.className = "xref-card-name";
    name.href = link.href;
    name.textContent = link.dataset.name || link.textContent;
    card.appendChild(name);
    if (link.dataset.dates) {
      var dates = document.createElement("span");
      dates.className = "xref-card-dates";
      dates.textContent = " (" + link.dataset.dates + ")";
      card.appendChild(dates);
    }
    if (link.dataset.line) {
      var line = document.createElement("p");
      line.className = "xref-card-line";
      line.textContent = link.dataset.line;
      card.appendChild(line);
    }
    var more = document.createElement("a");
    more.className = "xref-card-more";
    more.href = link.href;
    more.textContent = "Every paragraph naming them \u2192";
    card.appendChild(more);
    var r = link.getBoundingClientRect();
    card.style.left = Math.max(8, Math.min(window.scrollX + r.left,
      window.scrollX + document.documentElement.clientWidth - 300)) + "px";
    card.style.top = (window.scrollY + r.bottom + 6) + "px";
    card.hidden = false;
    link.setAttribute("aria-describedby", card.id);
    owner = link;
  }

  function setupPeople(root) {
    root.querySelectorAll("a.xref-person").forEach(function (link) {
      if (link.dataset.ready) return;
      link.dataset.ready = "1";
      link.addEventListener("mouseenter", function () { showCard(link); });
      link.addEventListener("focus", function () { showCard(link); });
      link.addEventListener("mouseleave", scheduleHide);
      link.addEventListener("blur", scheduleHide);
      /* Touch: the first tap shows the card, a second tap follows the link. */
      link.addEventListener("touchend", function (event) {
        if (owner !== link || !card || card.hidden) {
          event.preventDefault();
          showCard(link);
        }
      });
    });
  }

  function setup() {
    hideCard();
    setupPanels(document);
    setupPeople(document);
  }

  document.addEventListener("keydown", function (e) { if (e.key === "Escape") hideCard(); });
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
