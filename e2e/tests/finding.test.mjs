// Finding your way in a large group: a seeded group of 80 threads lists them 30 a page and says
// where you are ("31–60 of 80"), in the order chosen, at desktop and phone widths, with
// JavaScript on and off; times read in each reader's own zone, relative when recent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startWeft } from '../lib/weft.mjs';
import { launch, newContext, DESKTOP, PHONE } from '../lib/browser.mjs';
import { PASSPHRASE, seededPerson, signedUpPerson } from '../lib/people.mjs';

const shots = join(import.meta.dirname, '..', 'artifacts', 'screenshots');

let weft;
let browser;
before(async () => {
  weft = await startWeft({}, { seed: ['--users', '20', '--groups', '1', '--threads', '80', '--comments', '1500'] });
  browser = await launch();
  mkdirSync(shots, { recursive: true });
});
after(async () => { await browser?.close(); await weft?.stop(); });

const seeded = (n, options) => seededPerson(browser, weft, n, options);

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'on' : 'off';
  for (const [width, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    test(`a large group's threads come in pages that say where you are (${width}, JavaScript ${js})`, async () => {
      const { context, page } = await seeded(1, { javaScriptEnabled, viewport });
      await page.goto(`${weft.base}/g/seedg1`);
      const position = page.locator('#threads-position');
      assert.equal(await position.innerText(), 'Threads 1–30 of 80');
      assert.equal(await page.locator('ul.thread-list[aria-describedby="threads-position"] > li').count(), 30);
      await page.getByRole('link', { name: 'Next page' }).click();
      assert.equal(await position.innerText(), 'Threads 31–60 of 80');
      await page.getByRole('link', { name: 'Next page' }).click();
      assert.equal(await position.innerText(), 'Threads 61–80 of 80');
      assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0, 'the last page');
      await page.getByRole('link', { name: 'Previous page' }).click();
      assert.equal(await position.innerText(), 'Threads 31–60 of 80');
      if (js === 'on') {
        await page.screenshot({ path: join(shots, `group-threads-paged-${width}.png`), fullPage: width === 'phone' });
      }

      // Another order; the pages keep it.
      await page.getByLabel('Order').selectOption('newest');
      await page.getByRole('button', { name: 'Filter' }).click();
      assert.equal(await position.innerText(), 'Threads 1–30 of 80');
      await page.getByRole('link', { name: 'Next page' }).click();
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('sort'), 'newest');
      assert.equal(url.searchParams.get('page'), '1');
      assert.equal(await page.getByLabel('Order').inputValue(), 'newest');
      await context.close();
    });
  }

  for (const [width, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    test(`a 1 000-comment thread says where you are and jumps to the first and the latest (${width}, JavaScript ${js})`, async () => {
      const { context, page } = await seeded(width === 'desktop' ? 2 : 3, { javaScriptEnabled, viewport });
      await page.goto(`${weft.base}/t/bench1000?from=1`);
      // Thousands are grouped with a narrow no-break space: compared as plain spaces.
      const timeline = page.locator('#timeline-position');
      const position = { innerText: async () => (await timeline.innerText()).replace(/\s/g, ' ') };
      assert.equal(await position.innerText(), '1–50 of 1 000');
      await page.getByRole('link', { name: 'Latest' }).click();
      assert.equal(await position.innerText(), '951–1 000 of 1 000');
      assert.equal(new URL(page.url()).hash, '#comment-form', 'at the reply box');
      assert.equal(await page.locator('li.comment').last().isVisible(), true);
      await page.getByRole('link', { name: 'First', exact: true }).click();
      assert.equal(await position.innerText(), '1–50 of 1 000');
      await page.getByRole('link', { name: 'Later comments' }).first().click();
      assert.equal(await position.innerText(), '51–100 of 1 000');
      if (js === 'on' && width === 'phone') await page.screenshot({ path: join(shots, 'long-thread-phone.png') });
      await context.close();
    });
  }

  test(`a link opened logged out offers to log in and lands on that page (JavaScript ${js})`, async () => {
    const ann = await signedUpPerson(browser, weft, 'Ann', `ann-back-${js}@example.org`, { javaScriptEnabled });
    await ann.page.getByRole('link', { name: 'Start a group' }).click();
    await ann.page.getByLabel('Name', { exact: true }).fill(`Quiet room ${js}`);
    await ann.page.getByRole('radio', { name: /^Secret/ }).check();
    await ann.page.getByRole('button', { name: 'Create group' }).click();
    await ann.page.getByRole('link', { name: 'Start a thread' }).click();
    await ann.page.getByLabel('Title').fill('Budget, privately');
    await ann.page.getByRole('button', { name: 'Start thread' }).click();
    const thread = new URL(ann.page.url()).pathname;
    await ann.page.getByRole('button', { name: 'Log out' }).click();

    // As from a notification email: the private page, logged out.
    const res = await ann.page.goto(`${weft.base}${thread}?from=1#new`);
    assert.equal(res.status(), 404, 'nothing said about what is there');
    await ann.page.getByRole('link', { name: 'Log in to see it' }).click();
    await ann.page.getByRole('textbox', { name: 'Email address' }).last().fill(`ann-back-${js}@example.org`);
    await ann.page.getByLabel('Password', { exact: true }).fill(PASSPHRASE);
    await ann.page.getByRole('button', { name: 'Log in', exact: true }).last().click();
    await ann.page.getByRole('heading', { name: 'Budget, privately', level: 1 }).waitFor();
    assert.equal(new URL(ann.page.url()).pathname, thread);

    // A page she may not see (here, none at all) still answers 404 once she is logged in.
    assert.equal((await ann.page.goto(`${weft.base}/t/NoSuchKey1`)).status(), 404);
    assert.equal(await ann.page.getByRole('link', { name: 'Log in to see it' }).count(), 0);
    await ann.context.close();
  });

  test(`a reader in another time zone reads times in theirs (JavaScript ${js})`, async () => {
    const kiri = await signedUpPerson(browser, weft, 'Kiri', `kiri-${js}@example.org`,
      { javaScriptEnabled, timezoneId: 'Pacific/Auckland' });
    if (!javaScriptEnabled) {
      // Without JavaScript the browser's zone is not detected at sign-up: she chooses it.
      await kiri.page.goto(`${weft.base}/profile`);
      await kiri.page.getByLabel('Time zone').fill('Pacific/Auckland');
      await kiri.page.getByRole('button', { name: 'Save' }).first().click();
      await kiri.page.goto(weft.base);
    }
    await kiri.page.getByRole('link', { name: 'Start a group' }).click();
    await kiri.page.getByLabel('Name', { exact: true }).fill(`Harbour ${js}`);
    await kiri.page.getByRole('button', { name: 'Create group' }).click();
    await kiri.page.getByRole('link', { name: 'Start a thread' }).click();
    await kiri.page.getByLabel('Title').fill('Boat ramp');
    await kiri.page.getByRole('button', { name: 'Start thread' }).click();
    await kiri.page.getByRole('heading', { name: 'Boat ramp', level: 1 }).waitFor();
    const time = kiri.page.locator('time').first();
    assert.equal(await time.innerText(), 'just now');
    assert.match(await time.getAttribute('title'), /NZ[DS]T$/, 'the exact time, in her zone');
    assert.match(await time.getAttribute('datetime'), /Z$/, 'the instant, for machines');
    await kiri.context.close();
  });
}

test('typing @ suggests only people who may read the thread, and Enter inserts one (JavaScript on)', async () => {
  const ann = await signedUpPerson(browser, weft, 'Ann', 'ann-mention@example.org');
  const adam = await signedUpPerson(browser, weft, 'Adam Quill', 'adam-mention@example.org');
  const adele = await signedUpPerson(browser, weft, 'Adele Quince', 'adele-mention@example.org');
  await ann.page.getByRole('link', { name: 'Start a group' }).click();
  await ann.page.getByLabel('Name', { exact: true }).fill('Mentions');
  await ann.page.getByRole('radio', { name: /^Open/ }).check();
  await ann.page.getByRole('button', { name: 'Create group' }).click();
  const groupUrl = ann.page.url().split('?')[0];
  await ann.page.getByRole('link', { name: 'Settings' }).click();
  await ann.page.getByRole('radio', { name: /^Anyone who can see the group/ }).check();
  await ann.page.getByRole('button', { name: 'Save settings' }).click();
  await adam.page.goto(groupUrl);
  await adam.page.getByRole('button', { name: 'Join group' }).click();
  await ann.page.goto(groupUrl);
  await ann.page.getByRole('link', { name: 'Start a thread' }).click();
  await ann.page.getByLabel('Title').fill('Who sows?');
  await ann.page.getByRole('button', { name: 'Start thread' }).click();
  await ann.page.getByRole('heading', { name: 'Who sows?', level: 1 }).waitFor();

  const box = ann.page.getByLabel('Your comment');
  await box.click();
  await box.pressSequentially('Over to @ad');
  const list = ann.page.getByRole('listbox', { name: 'People to mention' });
  await list.getByRole('option').first().waitFor();
  const options = await list.getByRole('option').allInnerTexts();
  assert.equal(options.length, 1, `only Adam, a member: ${options}`);
  assert.match(options[0], /^Adam Quill @/);
  assert.equal(await box.getAttribute('aria-controls'), 'mention-suggestions-1');
  await box.press('Enter');
  const username = options[0].split('@')[1].trim();
  assert.equal(await box.inputValue(), `Over to @${username} `);
  assert.equal(await list.isHidden(), true);
  await ann.page.getByRole('button', { name: 'Post comment' }).click();
  await ann.page.locator(`.prose a[href="/u/${username}"]`).waitFor();
  for (const p of [ann, adam, adele]) await p.context.close();
});
