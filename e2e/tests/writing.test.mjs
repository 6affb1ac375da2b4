// Writing in a thread without friction, at desktop and phone widths: with JavaScript, reacting,
// replying (the form opens under the comment it answers), editing, previewing and deleting then
// undoing all happen in place, without the page reloading; without JavaScript every one of them
// works through the same forms and pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startWeft } from '../lib/weft.mjs';
import { launch, DESKTOP, PHONE } from '../lib/browser.mjs';
import { signedUpPerson } from '../lib/people.mjs';

const shots = join(import.meta.dirname, '..', 'artifacts', 'screenshots');

let weft;
let browser;
before(async () => {
  weft = await startWeft();
  browser = await launch();
  mkdirSync(shots, { recursive: true });
});
after(async () => { await browser?.close(); await weft?.stop(); });

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'on' : 'off';
  for (const [width, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    test(`react, reply, edit, preview, delete and undo (${width}, JavaScript ${js})`, async () => {
      const ann = await signedUpPerson(browser, weft, 'Ann', `ann-w-${js}-${width}@example.org`, { javaScriptEnabled, viewport });
      const { page } = ann;
      await page.getByRole('link', { name: 'Start a group' }).click();
      await page.getByLabel('Name', { exact: true }).fill(`Orchard ${js} ${width}`);
      await page.getByRole('button', { name: 'Create group' }).click();
      await page.getByRole('link', { name: 'Start a thread' }).click();
      await page.getByLabel('Title').fill('Pruning day');
      await page.getByRole('button', { name: 'Start thread' }).click();
      await page.getByRole('heading', { name: 'Pruning day', level: 1 }).waitFor();
      await page.getByLabel('Your comment').fill('Saturday at ten.');
      await page.getByRole('button', { name: 'Post comment' }).click();
      const first = page.locator('#c1');
      await first.getByText('Saturday at ten.').waitFor();
      // From here on, with JavaScript, nothing reloads the page: this mark would be lost.
      const mark = async () => { if (javaScriptEnabled) await page.evaluate(() => { window.stayed = true; }); };
      const stayed = async (what) => {
        if (javaScriptEnabled) assert.equal(await page.evaluate(() => window.stayed === true), true, `${what} reloaded the page`);
      };
      await mark();

      // Preview: the text as it will read, nothing posted.
      const box = page.getByLabel('Your comment');
      await box.fill('Bring **secateurs** and gloves: https://example.org/tools');
      await page.getByRole('button', { name: 'Preview' }).click();
      const preview = page.locator('#comment-form .preview');
      await preview.locator('strong', { hasText: 'secateurs' }).waitFor();
      assert.equal(await preview.locator('a[href="https://example.org/tools"]').count(), 1, 'the address is a link');
      assert.equal(await page.locator('li.comment').count(), 1, 'nothing posted');
      await stayed('Preview');
      if (javaScriptEnabled) {
        // The toolbar: bold around the selection, from a button or the keyboard.
        await box.fill('ladders');
        await box.selectText();
        await page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: /^Bold/ }).click();
        assert.equal(await box.inputValue(), '**ladders**');
        await box.fill('');
      }
      await box.fill('');

      // React.
      await first.locator('summary').click();
      await first.getByRole('button', { name: 'thumbs up', exact: true }).click();
      await first.getByRole('button', { name: /thumbs up: Ann/ }).waitFor();
      await stayed('Reacting');

      // Reply: under the comment with JavaScript, the page's own form without.
      await first.getByRole('link', { name: 'Reply to Ann' }).click();
      const replyForm = javaScriptEnabled ? first.locator('.inline-slot form') : page.locator('#comment-form');
      await replyForm.getByRole('heading', { name: 'Reply to Ann' }).waitFor();
      await replyForm.getByLabel('Your comment').fill('I will bring the long ladder.');
      if (javaScriptEnabled && width === 'desktop') {
        await page.screenshot({ path: join(shots, 'thread-reply-in-place-desktop.png') });
      }
      await replyForm.getByRole('button', { name: 'Post reply' }).click();
      const reply = page.locator('li.comment.reply', { hasText: 'I will bring the long ladder.' });
      await reply.waitFor();
      assert.match(await reply.innerText(), /replying to Ann/);
      const heading = page.locator('#timeline-heading');
      assert.equal(await heading.innerText(), '2 comments');
      await stayed('Replying');
      if (javaScriptEnabled) assert.equal(await first.locator('.inline-slot').count(), 0, 'the reply form closed');

      // Edit.
      await first.getByRole('link', { name: 'Edit comment' }).click();
      const editBox = javaScriptEnabled ? first.getByLabel('Comment', { exact: true }) : page.getByLabel('Comment', { exact: true });
      assert.equal(await editBox.inputValue(), 'Saturday at ten.');
      await editBox.fill('Saturday at **eleven**.');
      await page.getByRole('button', { name: 'Save comment' }).click();
      await page.locator('#c1 strong', { hasText: 'eleven' }).waitFor();
      await stayed('Editing');

      // Delete asks first; then Undo is where the comment was.
      await page.locator('#c1').getByRole('link', { name: /^Delete comment/ }).click();
      await page.getByRole('button', { name: 'Delete the comment' }).click();
      const undo = page.getByRole('button', { name: /^Undo/ });
      await undo.waitFor();
      assert.equal(await page.getByText('Saturday at').count(), 0, 'its text is gone from the page');
      assert.equal(await heading.innerText(), '1 comment');
      if (javaScriptEnabled) {
        assert.equal(await undo.evaluate((b) => b === document.activeElement), true, 'the focus is on Undo');
        if (width === 'phone') await page.screenshot({ path: join(shots, 'thread-undo-phone.png') });
      }
      await stayed('Deleting');
      await undo.click();
      await page.locator('#c1 strong', { hasText: 'eleven' }).waitFor();
      assert.equal(await page.getByRole('button', { name: /^Undo/ }).count(), 0);
      assert.equal(await heading.innerText(), '2 comments');
      await stayed('Undoing');

      // What happened in place is what the page says after a reload.
      await page.reload();
      await page.locator('#c1 strong', { hasText: 'eleven' }).waitFor();
      await page.locator('li.comment.reply', { hasText: 'I will bring the long ladder.' }).waitFor();
      await page.locator('#c1').getByRole('button', { name: /thumbs up: Ann/ }).waitFor();
      assert.deepEqual(ann.context.foreign, []);
      await ann.context.close();
    });
  }
}

test('a refused reply keeps what was typed and says why next to the field (JavaScript on)', async () => {
  const ann = await signedUpPerson(browser, weft, 'Ann', 'ann-w-refused@example.org');
  const { page } = ann;
  await page.getByRole('link', { name: 'Start a group' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Refusals');
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.getByRole('link', { name: 'Start a thread' }).click();
  await page.getByLabel('Title').fill('Long words');
  await page.getByRole('button', { name: 'Start thread' }).click();
  await page.getByLabel('Your comment').fill('First.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.locator('#c1').getByText('First.').waitFor();
  await page.evaluate(() => { window.stayed = true; });
  await page.locator('#c1').getByRole('link', { name: 'Reply to Ann' }).click();
  const form = page.locator('#c1 .inline-slot form');
  const long = 'x'.repeat(20_001);
  await form.getByLabel('Your comment').fill(long);
  await form.getByRole('button', { name: 'Post reply' }).click();
  const reason = page.locator('#c1 .inline-slot .error-message');
  await reason.first().waitFor();
  assert.match(await reason.first().innerText(), /20 000|20,000|characters/);
  assert.equal(await page.locator('#c1 .inline-slot').getByLabel('Your comment').inputValue(), long);
  assert.equal(await page.evaluate(() => window.stayed === true), true);
  assert.equal(await page.locator('li.comment').count(), 1);
  await ann.context.close();
});
