// @ts-check
/// <reference lib="webworker" />
// The ticket page's service worker. It controls no page: it is only there to show the call's
// notification where `new Notification()` is not allowed (Android Chrome), and to bring the
// ticket page back when that notification is tapped. (tsc: tsconfig.sw.json, the worker's lib;
// `self` is this worker's ServiceWorkerGlobalScope.)
/** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self)).addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = event.notification.data?.url;
  event.waitUntil((async () => {
    const pages = await /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self))
      .clients.matchAll({ type: "window", includeUncontrolled: true });
    const page = pages.find((p) => p.url === url) ?? pages[0];
    if (page) return page.focus();
    if (url) return /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self)).clients.openWindow(url);
  })());
});
