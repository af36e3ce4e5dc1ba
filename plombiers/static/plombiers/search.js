// The global search in the header: htmx puts the results under the field; here, the keyboard.
// Down arrow from the field goes to the first result, up and down move between results, Escape
// closes the list and returns to the field, a click elsewhere closes it. Enter in the field sends
// the form: the full results page (which works without JavaScript).
(function () {
  "use strict";

  function field() {
    return document.getElementById("recherche-globale");
  }

  function panel() {
    return document.getElementById("recherche-globale-resultats");
  }

  function links() {
    return Array.from(panel().querySelectorAll("a[href]"));
  }

  function close() {
    const results = panel();
    if (results && results.children.length) {
      results.hidden = true;
    }
  }

  function move(step) {
    const all = links();
    if (!all.length) return;
    const index = all.indexOf(document.activeElement);
    const next = index === -1 ? (step > 0 ? 0 : all.length - 1) : (index + step + all.length) % all.length;
    all[next].focus();
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "recherche-globale-resultats") return;
    const results = panel();
    results.hidden = false;
    const summary = results.querySelector(".search-summary, .search-hint");
    const status = document.getElementById("recherche-globale-statut");
    if (status) status.textContent = summary ? summary.textContent.trim() : "";
  });

  document.addEventListener("keydown", function (event) {
    const input = field();
    const results = panel();
    if (!input || !results) return;
    const inField = event.target === input;
    const inPanel = results.contains(event.target);
    if (!inField && !inPanel) return;
    if (event.key === "Escape") {
      // Never the browser's own clearing of a search field: Escape closes, the words stay.
      event.preventDefault();
      close();
      input.focus();
    } else if (event.key === "ArrowDown") {
      if (inField && results.hidden && results.children.length) results.hidden = false;
      if (!results.hidden) {
        event.preventDefault();
        move(1);
      }
    } else if (event.key === "ArrowUp" && inPanel) {
      event.preventDefault();
      const all = links();
      if (all.indexOf(document.activeElement) === 0) input.focus();
      else move(-1);
    }
  });

  document.addEventListener("focusin", function (event) {
    const input = field();
    if (input && event.target === input && panel().children.length) panel().hidden = false;
  });

  document.addEventListener("click", function (event) {
    const form = event.target.closest(".search-global");
    if (!form) close();
  });
})();
