// Writing markdown: a small formatting toolbar above every `textarea[data-markdown]`, and the
// form's Preview button shown in place (the same renderer as posting, through
// `POST /api/v1/preview`). Without JavaScript people type markdown as the hint says, and
// Preview posts the form, which comes back with the preview and saves nothing.
(() => {
  'use strict';
  let counter = 0;

  // How each tool changes the selection: wrap it, or prefix each line of it.
  const TOOLS = [
    { name: 'Bold', key: 'b', text: 'B', wrap: ['**', '**'], sample: 'bold text' },
    { name: 'Italic', key: 'i', text: 'I', wrap: ['_', '_'], sample: 'italic text' },
    { name: 'Link', key: 'k', text: 'Link', link: true },
    { name: 'Quote', text: '❝', prefix: '> ' },
    { name: 'Bulleted list', text: '•', prefix: '- ' },
    { name: 'Numbered list', text: '1.', prefix: '1. ' },
    { name: 'Code', text: '</>', wrap: ['`', '`'], block: ['```\n', '\n```'], sample: 'code' },
  ];

  function apply(box, tool) {
    const { selectionStart: start, selectionEnd: end, value } = box;
    const chosen = value.slice(start, end);
    let text;
    let from;
    let to;
    if (tool.link) {
      const label = chosen || 'link text';
      text = `[${label}](https://)`;
      from = start + label.length + 3;
      to = from + 8;
    } else if (tool.prefix) {
      const lineStart = value.lastIndexOf('\n', start - 1) + 1;
      const block = value.slice(lineStart, end) || '';
      text = block.split('\n').map((l) => tool.prefix + l).join('\n');
      box.setRangeText(text, lineStart, end, 'end');
      box.dispatchEvent(new Event('input', { bubbles: true }));
      return;
    } else {
      const [open, close] = tool.block && chosen.includes('\n') ? tool.block : tool.wrap;
      const inner = chosen || tool.sample;
      text = open + inner + close;
      from = start + open.length;
      to = from + inner.length;
    }
    box.setRangeText(text, start, end, 'select');
    box.setSelectionRange(from, to);
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }

  function toolbar(box) {
    if (box.dataset.composed) return;
    box.dataset.composed = '1';
    if (!box.id) box.id = `compose-${++counter}`;
    const bar = document.createElement('div');
    bar.className = 'format-bar';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', 'Formatting');
    bar.setAttribute('aria-controls', box.id);
    const buttons = TOOLS.map((tool, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'format-button';
      b.tabIndex = i === 0 ? 0 : -1;
      // The symbol is what shows; the name is what is read (and the tooltip).
      const name = tool.key ? `${tool.name} (Ctrl+${tool.key.toUpperCase()})` : tool.name;
      b.title = name;
      const symbol = document.createElement('span');
      symbol.setAttribute('aria-hidden', 'true');
      symbol.textContent = tool.text;
      const label = document.createElement('span');
      label.className = 'visually-hidden';
      label.textContent = name;
      b.append(symbol, label);
      b.addEventListener('click', () => { box.focus(); apply(box, tool); });
      bar.append(b);
      return b;
    });
    // One tab stop; arrows, Home and End move along the toolbar.
    bar.addEventListener('keydown', (e) => {
      const at = buttons.indexOf(document.activeElement);
      if (at < 0) return;
      const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      const next = buttons[(to + buttons.length) % buttons.length];
      buttons.forEach((b) => { b.tabIndex = b === next ? 0 : -1; });
      next.focus();
    });
    box.addEventListener('keydown', (e) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const tool = TOOLS.find((t) => t.key === e.key.toLowerCase());
      if (!tool) return;
      e.preventDefault();
      apply(box, tool);
    });
    box.insertAdjacentElement('beforebegin', bar);
  }

  async function preview(form, button) {
    const box = form.querySelector('textarea[data-markdown]');
    const token = form.querySelector('input[name="csrf_token"]');
    if (!box || !token) return false;
    const res = await fetch('/api/v1/preview', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': token.value },
      body: JSON.stringify({ markdown: box.value }),
    });
    const field = box.closest('.field') || box;
    let section = form.querySelector('.preview');
    if (!section) {
      const id = `preview-${++counter}`;
      section = document.createElement('section');
      section.className = 'preview';
      section.setAttribute('aria-labelledby', id);
      const h = document.createElement('h3');
      h.id = id;
      h.innerHTML = 'Preview <span class="muted">· not posted yet</span>';
      const prose = document.createElement('div');
      prose.className = 'prose';
      section.append(h, prose);
      field.insertAdjacentElement('afterend', section);
    }
    const prose = section.querySelector('.prose');
    if (res.ok) {
      const { html } = await res.json();
      // The server's sanitised rendering, as a posted comment would show it.
      prose.innerHTML = html || '<p class="muted">Nothing to preview yet.</p>';
    } else if (res.status === 422) {
      const { errors } = await res.json();
      prose.textContent = (errors && errors.markdown && errors.markdown[0]) || 'This cannot be previewed.';
    } else {
      return false;
    }
    section.tabIndex = -1;
    section.focus();
    button.setAttribute('aria-describedby', section.getAttribute('aria-labelledby'));
    return true;
  }

  function enhance(root) {
    root.querySelectorAll('textarea[data-markdown]').forEach(toolbar);
  }

  document.addEventListener('click', (e) => {
    const button = e.target.closest('button.preview-button');
    if (!button || !button.form) return;
    e.preventDefault();
    const form = button.form;
    // Not previewed here: the form goes to the server, which previews it (no JavaScript path).
    preview(form, button).then((ok) => { if (!ok) form.requestSubmit(button); }).catch(() => {});
  });
  enhance(document);
  document.addEventListener('weft:added', (e) => { if (e.detail instanceof Element) enhance(e.detail); });
})();
