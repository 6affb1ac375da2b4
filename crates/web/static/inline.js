// In-place actions on a thread page: react, reply (the form opens under the comment it
// answers), edit, delete (asking first) and undo, without reloading the page. The forms and
// routes are those that work without JavaScript; this script posts them with the header
// `X-Weft-Inline: 1`, which turns the server's redirect into `{"location": …}`, then brings the
// item up to date (live.js's `weftTimeline.show`). A refused form comes back with its errors
// next to the field, as the page would show them. Anything unexpected falls back to the page.
(() => {
  'use strict';
  const timeline = document.querySelector('ol.timeline[data-live]');
  if (!timeline || !window.weftTimeline || !window.fetch) return;
  const { show, say } = window.weftTimeline;
  let counter = 0;

  // Ids inside a copied form made unique, with the references to them.
  function uniquify(root) {
    const suffix = `-i${++counter}`;
    const renamed = new Map();
    root.querySelectorAll('[id]').forEach((el) => {
      renamed.set(el.id, el.id + suffix);
      el.id += suffix;
    });
    const refs = ['for', 'aria-describedby', 'aria-labelledby', 'aria-controls'];
    root.querySelectorAll(refs.map((r) => `[${r}]`).join(',')).forEach((el) => {
      refs.forEach((r) => {
        const v = el.getAttribute(r);
        if (v) el.setAttribute(r, v.split(/\s+/).map((id) => renamed.get(id) || id).join(' '));
      });
    });
    root.querySelectorAll('a[href^="#"]').forEach((a) => {
      const id = a.getAttribute('href').slice(1);
      if (renamed.has(id)) a.setAttribute('href', `#${renamed.get(id)}`);
    });
    return root;
  }

  const added = (root) => document.dispatchEvent(new CustomEvent('weft:added', { detail: root }));

  // The slot under a comment where its reply, edit or delete form opens (one at a time).
  function slotOf(li) {
    let slot = li.querySelector(':scope > .inline-slot');
    if (!slot) {
      slot = document.createElement('div');
      slot.className = 'inline-slot';
      li.append(slot);
    }
    return slot;
  }

  function close(li, opener) {
    const slot = li.querySelector(':scope > .inline-slot');
    if (slot) slot.remove();
    const prose = li.querySelector(':scope > .prose');
    if (prose) prose.hidden = false;
    if (opener && document.contains(opener)) opener.focus();
  }

  function cancelButton(li, opener, label) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'button button-secondary';
    b.textContent = label;
    b.addEventListener('click', () => close(li, opener));
    return b;
  }

  function open(li, form, opener, cancelLabel) {
    const slot = slotOf(li);
    slot.replaceChildren(uniquify(form));
    const actions = form.querySelector('.actions') || form;
    const keep = form.querySelector('[data-cancel]');
    if (keep) {
      keep.addEventListener('click', (e) => { e.preventDefault(); close(li, opener); });
    } else {
      actions.append(cancelButton(li, opener, cancelLabel));
    }
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.preventDefault(); close(li, opener); }
    });
    added(form);
    const first = form.querySelector('textarea, .button-danger, button[type="submit"]');
    if (first) first.focus();
  }

  // "Reply": the thread's comment form, copied under the comment it answers.
  function openReply(li, link) {
    const main = document.getElementById('comment-form');
    if (!main) return false;
    const parent = new URL(link.href, location.href).searchParams.get('reply_to');
    if (!parent) return false;
    const existing = li.querySelector(':scope > .inline-slot form.reply-form');
    if (existing) { existing.querySelector('textarea').focus(); return true; }
    const form = main.cloneNode(true);
    form.removeAttribute('id');
    form.classList.add('reply-form');
    form.classList.remove('card');
    form.querySelectorAll('input[name="parent"], input[name="about"], .hint a[href^="#c"], .error-message, .preview, .mention-list, [role="toolbar"]').forEach((el) => {
      if (el.matches('a')) el.closest('.hint').remove(); else el.remove();
    });
    const hidden = document.createElement('input');
    hidden.type = 'hidden';
    hidden.name = 'parent';
    hidden.value = parent;
    form.prepend(hidden);
    const author = li.querySelector('.comment-meta strong');
    const heading = form.querySelector('h2');
    if (heading) {
      const h = document.createElement('h3');
      h.textContent = `Reply to ${author ? author.textContent : 'this comment'}`;
      heading.replaceWith(h);
    }
    const box = form.querySelector('textarea');
    box.value = '';
    ['aria-invalid', 'data-mentions', 'data-composed', 'aria-activedescendant'].forEach((a) => box.removeAttribute(a));
    const post = form.querySelector('button[type="submit"]:not([name])');
    if (post) post.textContent = 'Post reply';
    open(li, form, link, 'Cancel');
    return true;
  }

  // "Edit" and "Delete…": the form of the page the link opens, brought here.
  async function openFetched(li, link, hideProse) {
    const res = await fetch(link.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (!res.ok) return false;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const form = doc.querySelector('form[data-inline-form]');
    if (!form) return false;
    open(li, document.importNode(form, true), link, 'Cancel');
    const prose = li.querySelector(':scope > .prose');
    if (prose && hideProse) prose.hidden = true;
    return true;
  }

  timeline.addEventListener('click', (e) => {
    const link = e.target.closest('.comment-actions a');
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    const li = link.closest('li.comment');
    const path = new URL(link.href, location.href).pathname;
    if (link.href.includes('reply_to=')) {
      if (openReply(li, link)) e.preventDefault();
    } else if (/\/(edit|delete)$/.test(path)) {
      e.preventDefault();
      openFetched(li, link, path.endsWith('/edit'))
        .then((ok) => { if (!ok) location.assign(link.href); })
        .catch(() => location.assign(link.href));
    }
  });

  // What to say, and where to put the focus, once a post succeeded.
  function after(action, seq, reaction) {
    const li = document.getElementById(`c${seq}`);
    if (!li) return;
    let target = li;
    if (action.endsWith('/react')) {
      const same = [...li.querySelectorAll('.reactions > form input[name="reaction"]')].find((i) => i.value === reaction);
      if (same) target = same.form.querySelector('button');
      say('Your reaction is saved.');
    } else if (action.endsWith('/delete')) {
      target = li.querySelector('.undo-form button') || li;
      say('Comment deleted. Undo is where it was.');
    } else if (action.endsWith('/restore')) {
      say('The comment is back.');
    } else if (action.endsWith('/edit')) {
      say('Comment saved.');
    } else {
      say('Comment posted.');
    }
    if (target === li) li.tabIndex = -1;
    target.focus();
  }

  function problem(form, text) {
    let p = form.querySelector(':scope > .inline-problem');
    if (!p) {
      p = document.createElement('p');
      p.className = 'error-message inline-problem';
      p.setAttribute('role', 'alert');
      form.prepend(p);
    }
    p.textContent = text;
  }

  // A refused form: the page's own form with its errors, put in place of this one.
  function refused(form, html) {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const action = form.getAttribute('action');
    const fresh = [...doc.querySelectorAll('form[method="post"]')].find((f) => f.getAttribute('action') === action);
    if (!fresh) { problem(form, 'That was refused. Reload the page and try again.'); return; }
    const reply = form.classList.contains('reply-form');
    const next = document.importNode(fresh, true);
    if (reply || form.closest('.inline-slot')) {
      next.removeAttribute('id');
      next.className = form.className;
      const h = next.querySelector('h2');
      const old = form.querySelector('h3');
      if (h && old) h.replaceWith(old.cloneNode(true));
      uniquify(next);
      const li = form.closest('li.comment');
      const cancel = form.querySelector('.actions > button[type="button"]');
      if (cancel && li) (next.querySelector('.actions') || next).append(cancelButton(li, null, cancel.textContent));
    }
    form.replaceWith(next);
    added(next);
    const invalid = next.querySelector('[aria-invalid="true"]') || next.querySelector('.error-message');
    if (invalid) {
      if (!invalid.matches('textarea, input')) invalid.tabIndex = -1;
      invalid.focus();
    }
  }

  document.addEventListener('submit', async (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || form.method !== 'post') return;
    if (!timeline.contains(form) && form.id !== 'comment-form') return;
    const submitter = e.submitter;
    // Preview is compose.js's (or, without it, the page's).
    if (submitter && submitter.name === 'preview') return;
    e.preventDefault();
    const action = form.getAttribute('action');
    const body = new URLSearchParams(new FormData(form));
    const buttons = form.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    form.setAttribute('aria-busy', 'true');
    const settle = () => {
      buttons.forEach((b) => { b.disabled = false; });
      form.removeAttribute('aria-busy');
    };
    let res;
    try {
      res = await fetch(action, {
        method: 'POST',
        body,
        credentials: 'same-origin',
        headers: { 'X-Weft-Inline': '1', Accept: 'application/json, text/html' },
      });
    } catch (_) {
      settle();
      problem(form, 'Weft could not be reached. Your text is still here: try again.');
      return;
    }
    const json = (res.headers.get('content-type') || '').includes('application/json');
    if (res.ok && json) {
      const { location: to } = await res.json();
      const m = /#c(\d+)$/.exec(to || '');
      if (!m) { location.assign(to); return; }
      const seq = Number(m[1]);
      const what = await show(seq).catch(() => 'failed');
      if (what === 'later' || what === 'failed') { location.assign(to); return; }
      if (form.id === 'comment-form') {
        settle();
        const box = form.querySelector('textarea[name="body"]');
        if (box) box.value = '';
        const preview = form.querySelector('.preview');
        if (preview) preview.remove();
      }
      // A reply's form closes once the reply is in place (an edited or deleted item was
      // replaced whole, its form with it).
      const slot = form.closest('.inline-slot');
      if (slot && document.contains(slot)) close(slot.closest('li.comment'), null);
      after(action, seq, body.get('reaction'));
      return;
    }
    settle();
    if (res.status === 422) {
      refused(form, await res.text());
    } else if (res.status === 404 && action.endsWith('/restore')) {
      problem(form, 'Too late: the comment has been erased.');
      form.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    } else if (res.status === 404) {
      problem(form, 'This comment is not here any more.');
    } else if (res.status === 403) {
      problem(form, 'You may not do that here (any more). Reload the page to see what you may do.');
    } else if (res.status === 429) {
      problem(form, 'Too many at once: wait a moment, then try again.');
    } else {
      problem(form, `That did not work (${res.status}). Your text is still here: try again.`);
    }
  });

  // Undo is offered for a while: when the time is over, it goes.
  function expire(root) {
    root.querySelectorAll('.undo-form[data-until]').forEach((form) => {
      const left = Number(form.dataset.until) - Date.now();
      setTimeout(() => {
        if (!document.contains(form)) return;
        const note = form.previousElementSibling;
        if (note && note.matches('p.muted')) note.textContent = 'Comment deleted.';
        form.remove();
      }, Math.max(0, left));
    });
  }
  expire(timeline);
  document.addEventListener('weft:added', (e) => { if (e.detail instanceof Element) expire(e.detail); });
})();
