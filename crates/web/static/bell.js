// The header's notification count, kept current while the page is open. Progressive
// enhancement only: without JavaScript the bell is a link whose count is read on every page.
(() => {
  'use strict';
  const bell = document.querySelector('a[data-bell]');
  if (!bell || !('EventSource' in window)) return;
  const badge = bell.querySelector('[data-bell-count]');
  const source = new EventSource('/notifications/live');
  source.addEventListener('unread', (e) => {
    const n = e.data;
    badge.textContent = n;
    badge.hidden = n === '0';
    bell.setAttribute('aria-label', n === '0' ? 'Notifications' : `Notifications, ${n} unread`);
  });
  // Leaving the page closes the stream, so it never holds a connection in the background.
  window.addEventListener('pagehide', () => source.close());
})();
