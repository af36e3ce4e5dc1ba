// The young person's space works offline for the planning and the attestations
// (plombiers/homes/pwa.py): registered on their pages only.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" });
}
