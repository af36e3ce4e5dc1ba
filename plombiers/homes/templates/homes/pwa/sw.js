{% load static %}/* Plombiers — the young person's service worker (plombiers/homes/pwa.py).
 *
 * Looks only at the navigations to the planning and attestation paths, and keeps ONLY the pages
 * among them that the server marks with the {{ offline_header }} header (the planning and the
 * attestations of a young person) and the static files they need: network first, the copy when
 * the network fails. Any other page, the API and every other request go to the network untouched.
 * The copies are deleted at logout (the logout form's POST) and on the login page.
 */
"use strict";

const CACHE = "plombiers-mon-espace-v1";
const MARK = "{{ offline_header|lower }}";
const PAGES = {{ offline_paths|safe }}.map((pattern) => new RegExp(pattern));
const ASSETS = [
  "{% static 'vendor/bootstrap-5.3.8/bootstrap.min.css' %}",
  "{% static 'plombiers/app.css' %}",
  "{% static 'vendor/bootstrap-5.3.8/bootstrap.bundle.min.js' %}",
  "{% static 'vendor/htmx-2.0.8/htmx.min.js' %}",
  "{% static 'plombiers/pwa.js' %}",
  "{% static 'plombiers/favicon.svg' %}",
];

function clearAll() {
  return caches.keys().then((keys) => Promise.all(keys.map((key) => caches.delete(key))));
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "clear") event.waitUntil(clearAll());
});

async function page(request) {
  try {
    const response = await fetch(request);
    const cache = await caches.open(CACHE);
    if (response.ok && !response.redirected && response.headers.get(MARK) === "1") {
      await cache.put(request.url, response.clone());
    } else {
      // Not for offline reading (another person, an expired session, a staff page): no copy.
      await cache.delete(request.url);
    }
    return response;
  } catch (error) {
    const copy = await caches.match(request.url);
    if (copy) return copy;
    throw error;
  }
}

async function asset(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const copy = await caches.match(request);
    if (copy) return copy;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/comptes/logout/" || url.pathname.startsWith("/comptes/login/")) {
    // Leaving, or arriving as maybe someone else: nothing of the last person stays on the phone.
    event.waitUntil(clearAll());
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate" && PAGES.some((pattern) => pattern.test(url.pathname))) {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith("{% get_static_prefix %}") && ASSETS.includes(url.pathname)) {
    event.respondWith(asset(request));
  }
});
