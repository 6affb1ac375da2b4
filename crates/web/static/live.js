// Live updates on a thread page: new, edited and deleted comments appear without reloading.
// Progressive enhancement only: without JavaScript (or EventSource) the page works on reload.
(() => {
  'use strict';
  const timeline = document.querySelector('ol.timeline[data-live]');
  if (!timeline || !('EventSource' in window)) return;
  const base = timeline.dataset.live;
  const from = Number(timeline.dataset.from);
  const perPage = Number(timeline.dataset.perPage);
  const status = document.getElementById('live-status');
  const say = (text) => { if (status) status.textContent = text; };
  const seqOf = (li) => Number((li.id || '').slice(1));

  async function show(seq) {
    const existing = document.getElementById(`c${seq}`);
    if (!existing && (seq < from || seq >= from + perPage)) {
      say('There are new comments on a later page.');
      return;
    }
    const res = await fetch(`${base}/items/${seq}`, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (res.status === 404) {
      if (existing) existing.remove();
      return;
    }
    if (!res.ok) return;
    const template = document.createElement('template');
    template.innerHTML = (await res.text()).trim();
    const item = template.content.querySelector('li.comment');
    if (!item) return;
    if (existing) {
      existing.replaceWith(item);
      say('A comment was changed.');
      return;
    }
    const later = [...timeline.querySelectorAll('li.comment')].find((li) => seqOf(li) > seq);
    timeline.insertBefore(item, later || null);
    item.classList.add('live-new');
    const empty = document.getElementById('no-comments');
    if (empty) empty.remove();
    const author = item.querySelector('.comment-meta strong');
    say(author ? `New comment from ${author.textContent}.` : 'New comment.');
  }

  const source = new EventSource(`${base}/live`);
  source.addEventListener('comment', (e) => { show(Number(e.data)).catch(() => {}); });
  source.addEventListener('thread', () => {
    say('This thread was changed. Reload the page to see how.');
    const note = document.getElementById('thread-changed');
    if (note) note.hidden = false;
  });
  source.addEventListener('reload', () => { source.close(); window.location.reload(); });
})();
