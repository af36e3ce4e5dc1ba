// « Copier l'adresse » (calendars/feed.html): the button copies its field, and says so.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copie-statut");
  field.select();
  navigator.clipboard.writeText(field.value).then(
    () => { status.textContent = "Adresse copiée."; },
    () => { status.textContent = "Copie impossible : sélectionnez l'adresse et copiez-la."; }
  );
});
