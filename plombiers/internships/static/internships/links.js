// « Copier »: a button with data-copy="<id of an input>" copies the link and says so beside it.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  const status = button.closest(".card-body, form, div").parentElement.querySelector(".copy-status");
  const done = (text) => { if (status) status.textContent = text; };
  input.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(
      () => done("Lien copié."),
      () => done("Copie impossible : sélectionnez le lien et copiez-le."),
    );
  } else {
    done("Lien sélectionné : copiez-le (Ctrl+C).");
  }
});
