// The ticket page's service worker. It controls no page: it is only there to show the call's
// notification where `new Notification()` is not allowed (Android Chrome), and to bring the
// ticket page back when that notification is tapped.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = event.notification.data?.url;
  event.waitUntil((async () => {
    const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const page = pages.find((p) => p.url === url) ?? pages[0];
    if (page) return page.focus();
    if (url) return self.clients.openWindow(url);
  })());
});
