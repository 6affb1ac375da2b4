// @mention suggestions in a comment box: typing "@ad" lists the people who may read the thread
// whose username or name starts with it (asked of the server, which answers only for them);
// arrows move, Enter or Tab inserts "@username ", Escape closes. Every comment box of a thread
// has them, also those opened in place (a reply under its comment, an edit). Without
// JavaScript people type the username themselves.
(function () {
  'use strict';
  let counter = 0;

  function attach(box) {
    const form = box.form;
    const key = form && ((form.getAttribute('action') || '').match(/^\/t\/([^/]+)\/comments/) || [])[1];
    if (!key || box.dataset.mentions) return;
    box.dataset.mentions = '1';
    const n = ++counter;
    const url = `/api/v1/threads/${encodeURIComponent(key)}/mentionable`;
    const list = document.createElement('ul');
    list.id = `mention-suggestions-${n}`;
    list.className = 'mention-list';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'People to mention');
    list.hidden = true;
    box.insertAdjacentElement('afterend', list);
    box.setAttribute('aria-autocomplete', 'list');
    box.setAttribute('aria-controls', list.id);
    let people = [];
    let active = -1;
    let timer = null;
    let asked = '';

    const typed = () => {
      const before = box.value.slice(0, box.selectionStart);
      const m = before.match(/(^|[^\w@.])@([\p{L}\p{N}_-]{1,30})$/u);
      return m ? m[2] : null;
    };
    const close = () => {
      list.hidden = true;
      list.replaceChildren();
      people = [];
      active = -1;
      box.removeAttribute('aria-activedescendant');
    };
    const show = () => {
      list.replaceChildren(...people.map((p, i) => {
        const li = document.createElement('li');
        li.id = `mention-${n}-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', String(i === active));
        const name = document.createElement('span');
        name.textContent = p.name;
        const handle = document.createElement('span');
        handle.className = 'muted';
        handle.textContent = ` @${p.username}`;
        li.append(name, handle);
        li.addEventListener('mousedown', (e) => { e.preventDefault(); insert(i); });
        return li;
      }));
      list.hidden = people.length === 0;
      if (active >= 0) box.setAttribute('aria-activedescendant', `mention-${n}-${active}`);
      else box.removeAttribute('aria-activedescendant');
    };
    const insert = (i) => {
      const word = typed();
      if (word === null || !people[i]) return close();
      const at = box.selectionStart;
      const start = at - word.length;
      const text = `${people[i].username} `;
      box.value = box.value.slice(0, start) + text + box.value.slice(at);
      box.selectionStart = box.selectionEnd = start + text.length;
      close();
      box.focus();
    };
    const ask = () => {
      const word = typed();
      if (word === null) return close();
      if (word === asked) return;
      asked = word;
      clearTimeout(timer);
      timer = setTimeout(async () => {
        try {
          const res = await fetch(`${url}?q=${encodeURIComponent(word)}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
          if (!res.ok || typed() !== word) return;
          people = (await res.json()).people || [];
          active = people.length ? 0 : -1;
          show();
        } catch (_) { close(); }
      }, 120);
    };
    box.addEventListener('input', () => { asked = ''; ask(); });
    box.addEventListener('keydown', (e) => {
      if (list.hidden) return;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        active = (active + (e.key === 'ArrowDown' ? 1 : people.length - 1)) % people.length;
        show();
      } else if (e.key === 'Enter' || e.key === 'Tab') {
        if (active >= 0) { e.preventDefault(); insert(active); }
      } else if (e.key === 'Escape') {
        e.preventDefault();
        close();
      }
    });
    box.addEventListener('blur', () => setTimeout(close, 150));
  }

  const enhance = (root) => root.querySelectorAll('textarea[name="body"]').forEach(attach);
  enhance(document);
  document.addEventListener('weft:added', (e) => { if (e.detail instanceof Element) enhance(e.detail); });
})();
