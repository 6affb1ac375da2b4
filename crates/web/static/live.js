// The thread page's timeline, kept current without reloading: new, edited and deleted comments
// appear as they happen (live updates), and `window.weftTimeline.show(seq)` brings one item up
// to date for the in-place actions (inline.js). Progressive enhancement only: without
// JavaScript (or EventSource) the page works on reload.
(() => {
  'use strict';
  const timeline = document.querySelector('ol.timeline[data-live]');
  if (!timeline) return;
  const base = timeline.dataset.live;
  const from = Number(timeline.dataset.from);
  const perPage = Number(timeline.dataset.perPage);
  const status = document.getElementById('live-status');
  const say = (text) => { if (status) status.textContent = text; };
  const seqOf = (li) => Number((li.id || '').slice(1));
  // The heading's count follows what the timeline gains and loses ("3 comments").
  const heading = document.getElementById('timeline-heading');
  const counts = (li) => (li && !li.hasAttribute('data-deleted') ? 1 : 0);
  function recount(delta) {
    if (!heading || delta === 0) return;
    const n = Math.max(0, (parseInt(heading.textContent, 10) || 0) + delta);
    heading.textContent = `${n} comment${n === 1 ? '' : 's'}`;
  }

  // Fetches item `seq` and puts it in its place. Resolves to what happened: 'later' (it belongs
  // on a later page), 'gone', 'changed', 'added' or 'failed'.
  async function show(seq) {
    if (!document.getElementById(`c${seq}`) && (seq < from || seq >= from + perPage)) return 'later';
    const res = await fetch(`${base}/items/${seq}`, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (res.status === 404) {
      const gone = document.getElementById(`c${seq}`);
      if (gone) { recount(-counts(gone)); gone.remove(); }
      return 'gone';
    }
    if (!res.ok) return 'failed';
    const html = (await res.text()).trim();
    // Looked up after the last wait: another call may have placed it meanwhile.
    const existing = document.getElementById(`c${seq}`);
    const template = document.createElement('template');
    template.innerHTML = html;
    const item = template.content.querySelector('li.comment');
    if (!item) return 'failed';
    recount(counts(item) - counts(existing));
    if (existing) {
      existing.replaceWith(item);
    } else {
      const later = [...timeline.querySelectorAll('li.comment')].find((li) => seqOf(li) > seq);
      timeline.insertBefore(item, later || null);
      item.classList.add('live-new');
      const empty = document.getElementById('no-comments');
      if (empty) empty.remove();
    }
    document.dispatchEvent(new CustomEvent('weft:added', { detail: item }));
    return existing ? 'changed' : 'added';
  }
  window.weftTimeline = { show, say };

  if (!('EventSource' in window)) return;
  const source = new EventSource(`${base}/live`);
  source.addEventListener('comment', (e) => {
    const seq = Number(e.data);
    // An item being edited in place here is left alone until its form is done.
    const mine = document.getElementById(`c${seq}`);
    if (mine && mine.querySelector('.inline-slot form')) return;
    show(seq).then((what) => {
      if (what === 'later') say('There are new comments on a later page.');
      else if (what === 'changed') say('A comment was changed.');
      else if (what === 'added') {
        const author = document.querySelector(`#c${seq} .comment-meta strong`);
        say(author ? `New comment from ${author.textContent}.` : 'New comment.');
      }
    }).catch(() => {});
  });
  source.addEventListener('thread', () => {
    say('This thread was changed. Reload the page to see how.');
    const note = document.getElementById('thread-changed');
    if (note) note.hidden = false;
  });
  source.addEventListener('reload', () => { source.close(); window.location.reload(); });
})();
