// The quick observation form of the skills matrix: opened in a dialog by htmx, closed once saved.
(function () {
  "use strict";
  let lastCell = null;

  function panel() {
    return document.getElementById("panneau-observation");
  }

  function focusCell(id) {
    // After the dialog has closed and htmx has put the updated cell in place.
    window.setTimeout(function () {
      const cell = id && document.getElementById(id);
      const button = cell && cell.querySelector("button");
      if (button) button.focus();
    }, 0);
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest(".cell-button");
    if (button) lastCell = button.closest(".matrix-cell").id;
    if (event.target.closest("[data-fermer-panneau]") && panel()) panel().close();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    const dialog = panel();
    if (!dialog || event.detail.target.id !== "formulaire-observation") return;
    if (!event.detail.target.children.length) {
      // Saved: the response only carried the updated cell (out of band) and the status message;
      // every swap has settled, so the cell to return to is the new one.
      if (dialog.open) dialog.close();
      return;
    }
    if (!dialog.open) dialog.showModal();
    const error = dialog.querySelector("#erreurs-formulaire");
    const first = error || dialog.querySelector("input[name=level]:checked") || dialog.querySelector("input[name=level]");
    if (first) first.focus();
  });

  document.addEventListener("close", function (event) {
    if (event.target !== panel()) return;
    document.getElementById("formulaire-observation").replaceChildren();
    focusCell(lastCell);
  }, true);
})();
