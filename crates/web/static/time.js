// Times in the reader's own time zone. Progressive enhancement: without JavaScript the page shows
// and takes times in UTC, and says so.
(function () {
  'use strict';
  const pad = (n) => String(n).padStart(2, '0');
  const local = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  // Shown times: <time datetime="…Z">2026-12-09 18:00 UTC</time> → the reader's local time. A time
  // the server already wrote in the reader's own zone carries the exact time as its title: kept.
  for (const t of document.querySelectorAll('time[datetime]:not([title])')) {
    const d = new Date(t.getAttribute('datetime'));
    if (!Number.isNaN(d.getTime())) {
      t.textContent = d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
      t.title = t.getAttribute('datetime');
    }
  }
  // Typed times: a form with data-utc-offset reads its datetime-local fields in the reader's zone.
  for (const offset of document.querySelectorAll('input[data-utc-offset]')) {
    const form = offset.form;
    if (!form) continue;
    offset.value = String(-new Date().getTimezoneOffset());
    for (const input of form.querySelectorAll('input[type="datetime-local"]')) {
      if (input.value) {
        const d = new Date(`${input.value}:00Z`);
        if (!Number.isNaN(d.getTime())) input.value = local(d);
      }
      const label = form.querySelector(`label[for="${input.id}"]`);
      if (label) label.textContent = label.textContent.replace('(UTC)', '(your time)').replace(', UTC)', ', your time)');
    }
  }
  // A time-zone field left empty proposes the browser's zone (the person saves it, or not).
  let zone = '';
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { zone = ''; }
  for (const input of document.querySelectorAll('input[data-detect-time-zone]')) {
    if (!input.value && zone) input.value = zone;
  }
})();
