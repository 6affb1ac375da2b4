// The core account journey with the keyboard alone: the skip link works and focus is always visible.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeft } from '../lib/weft.mjs';
import { launch, newContext } from '../lib/browser.mjs';

let weft;
let browser;
before(async () => { weft = await startWeft(); browser = await launch(); });
after(async () => { await browser?.close(); await weft?.stop(); });

/** Presses Tab until the focused element matches, asserting each stop shows a focus outline. */
async function tabTo(page, describe, max = 30) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      const s = getComputedStyle(el);
      return {
        label: (el.labels?.[0]?.textContent || el.textContent || el.getAttribute('aria-label') || '').trim(),
        outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
      };
    });
    assert.ok(f.outline, `focus is not visible on "${f.label}"`);
    if (f.label.startsWith(describe)) return;
  }
  assert.fail(`never reached "${describe}" with Tab`);
}

test('sign up and log in with the keyboard only', async () => {
  const context = await newContext(browser, weft.base);
  const page = await context.newPage();
  await page.goto(`${weft.base}/`);

  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Skip to content');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main', 'the skip link moves focus to the content');

  await tabTo(page, 'Create an account');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Create your account' }).waitFor();
  await tabTo(page, 'Name');
  await page.keyboard.type('Kay');
  await tabTo(page, 'Email address');
  await page.keyboard.type('kay@example.org');
  await tabTo(page, 'Password');
  await page.keyboard.type('typed with keys only');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();

  await page.goto((await weft.email('kay@example.org')).link('/verify/'));
  await tabTo(page, 'Confirm and log in');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: /^Welcome( back)?, Kay$/ }).waitFor();
  await tabTo(page, 'Log out');
  await page.keyboard.press('Enter');
  await page.getByText('You are logged out.').waitFor();
  await context.close();
});

test('start a group and a thread, and comment, with the keyboard only', async () => {
  const context = await newContext(browser, weft.base);
  const page = await context.newPage();
  await page.goto(`${weft.base}/signup`);
  await page.getByLabel('Name').fill('Lee');
  await page.getByLabel('Email address').fill('lee@example.org');
  await page.getByLabel('Password', { exact: true }).fill('typed with keys only');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.goto((await weft.email('lee@example.org')).link('/verify/'));
  await page.getByRole('button', { name: 'Confirm and log in' }).click();
  await page.getByRole('heading', { name: /^Welcome( back)?, Lee$/ }).waitFor();

  await tabTo(page, 'Start a group');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Start a group' }).waitFor();
  await tabTo(page, 'Name');
  await page.keyboard.type('Keyboard Club');
  await tabTo(page, 'Create group', 40);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Keyboard Club', level: 1 }).waitFor();

  await tabTo(page, 'Start a thread', 40);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Start a thread' }).waitFor();
  await tabTo(page, 'Title');
  await page.keyboard.type('Shortcuts we like');
  await tabTo(page, 'Context');
  await page.keyboard.type('Share **yours**.');
  await tabTo(page, 'Start thread', 40);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Shortcuts we like', level: 1 }).waitFor();

  await tabTo(page, 'Your comment', 60);
  await page.keyboard.type('Ctrl+L to reach the address bar.');
  await tabTo(page, 'Post comment', 10);
  await page.keyboard.press('Enter');
  await page.getByText('Ctrl+L to reach the address bar.').waitFor();
  await context.close();
});
