// Threads as people meet them: start a thread with markdown, someone comments, a reply, the
// "new since your last visit" marker and unread badges, editing with history, closing. With
// JavaScript on and off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeft } from '../lib/weft.mjs';
import { launch, newContext } from '../lib/browser.mjs';
import { signedUpPerson } from '../lib/people.mjs';

let weft;
let browser;
before(async () => { weft = await startWeft(); browser = await launch(); });
after(async () => { await browser?.close(); await weft?.stop(); });

function person(name, email, javaScriptEnabled) {
  return signedUpPerson(browser, weft, name, email, { javaScriptEnabled });
}

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'on' : 'off';
  test(`start a thread, comment, reply, edit, close (JavaScript ${js})`, async () => {
    const ann = await person('Ann', `ann-t-${js}@example.org`, javaScriptEnabled);
    const bob = await person('Bob', `bob-t-${js}@example.org`, javaScriptEnabled);
    await ann.page.getByRole('link', { name: 'Start a group' }).click();
    await ann.page.getByLabel('Name', { exact: true }).fill(`Allotment ${js}`);
    await ann.page.getByRole('radio', { name: /^Open/ }).check();
    await ann.page.getByRole('button', { name: 'Create group' }).click();
    const groupUrl = ann.page.url().split('?')[0];
    await ann.page.getByRole('link', { name: 'Settings' }).click();
    await ann.page.getByRole('radio', { name: /^Anyone who can see the group/ }).check();
    await ann.page.getByRole('button', { name: 'Save settings' }).click();
    await ann.page.getByRole('link', { name: 'Start a thread' }).click();
    await ann.page.getByRole('button', { name: 'Start thread' }).click();
    await ann.page.getByText('Give the thread a title').first().waitFor();
    await ann.page.getByLabel('Title').fill('Who waters in August?');
    await ann.page.getByLabel('Context').fill('We need **two** volunteers.');
    await ann.page.getByRole('button', { name: 'Start thread' }).click();
    await ann.page.getByRole('heading', { name: 'Who waters in August?', level: 1 }).waitFor();
    assert.equal(await ann.page.locator('strong', { hasText: 'two' }).count(), 1, 'markdown rendered');
    const threadUrl = ann.page.url().split('?')[0];

    await bob.page.goto(groupUrl);
    await bob.page.getByRole('button', { name: 'Join group' }).click();
    await bob.page.getByRole('link', { name: 'Who waters in August?' }).click();
    await bob.page.getByLabel('Your comment').fill('I can do the first two weeks.');
    await bob.page.getByRole('button', { name: 'Post comment' }).click();
    await bob.page.getByText('I can do the first two weeks.').waitFor();

    await ann.page.goto(`${weft.base}/`);
    await ann.page.getByText('1 unread').waitFor();
    await ann.page.goto(threadUrl);
    await ann.page.getByText('New since your last visit').waitFor();
    await ann.page.getByRole('link', { name: 'Reply to Bob' }).click();
    // With JavaScript the reply form opens under Bob's comment; without, it is the page's form.
    const replyBox = javaScriptEnabled ? ann.page.locator('#c1').getByLabel('Your comment') : ann.page.getByLabel('Your comment');
    await replyBox.fill('Thank you! I take the rest.');
    await ann.page.getByRole('button', { name: 'Post reply' }).click();
    await ann.page.getByText('replying to').waitFor();
    await ann.page.locator('#c1 summary').click();
    await ann.page.locator('#c1').getByRole('button', { name: 'thumbs up', exact: true }).click();
    await ann.page.locator('#c1').getByRole('button', { name: /thumbs up: Ann/ }).waitFor();

    await ann.page.getByRole('link', { name: 'Edit', exact: true }).click();
    await ann.page.getByLabel('Title').fill('Who waters in August 2027?');
    await ann.page.getByRole('button', { name: 'Save changes' }).click();
    await ann.page.getByText('earlier version is in its history').waitFor();
    await ann.page.getByRole('link', { name: 'edited' }).first().click();
    await ann.page.getByText('Who waters in August?', { exact: true }).waitFor();
    await ann.page.goto(threadUrl);
    await ann.page.getByRole('button', { name: 'Close' }).click();
    await bob.page.goto(threadUrl);
    await bob.page.getByText('This thread is closed').waitFor();
    assert.equal(await bob.page.getByLabel('Your comment').count(), 0);

    assert.deepEqual([...ann.context.foreign, ...bob.context.foreign], []);
    await Promise.all([ann.context.close(), bob.context.close()]);
  });
}

test('a reader sees new comments appear without reloading (live updates)', async () => {
  const ann = await person('Ann', 'ann-live@example.org', true);
  const bob = await person('Bob', 'bob-live@example.org', true);
  await ann.page.getByRole('link', { name: 'Start a group' }).click();
  await ann.page.getByLabel('Name', { exact: true }).fill('Live Garden');
  await ann.page.getByRole('radio', { name: /^Open/ }).check();
  await ann.page.getByRole('button', { name: 'Create group' }).click();
  await ann.page.getByRole('link', { name: 'Start a thread' }).click();
  await ann.page.getByLabel('Title').fill('Harvest day');
  await ann.page.getByRole('button', { name: 'Start thread' }).click();
  const threadUrl = ann.page.url().split('?')[0];

  await bob.page.goto(threadUrl);
  await bob.page.getByText('No comments yet.').waitFor();
  await bob.page.waitForTimeout(300); // the stream connects
  await ann.page.getByLabel('Your comment').fill('Baskets are in the shed.');
  await ann.page.getByRole('button', { name: 'Post comment' }).click();
  await bob.page.getByText('Baskets are in the shed.').waitFor({ timeout: 5000 });
  assert.equal(await bob.page.locator('#live-status').textContent(), 'New comment from Ann.');
  assert.equal(await bob.page.getByText('No comments yet.').count(), 0);

  await ann.page.getByRole('button', { name: 'Close' }).click();
  await bob.page.getByText('This thread was changed.').first().waitFor({ timeout: 5000 });
  assert.deepEqual([...ann.context.foreign, ...bob.context.foreign], []);
  await Promise.all([ann.context.close(), bob.context.close()]);
});

test('a guest joins one thread of a secret group from an emailed invitation (JavaScript off)', async () => {
  const ann = await person('Ann', 'ann-guest@example.org', false);
  await ann.page.getByRole('link', { name: 'Start a group' }).click();
  await ann.page.getByLabel('Name', { exact: true }).fill('Board');
  await ann.page.getByRole('radio', { name: /^Secret/ }).check();
  await ann.page.getByRole('button', { name: 'Create group' }).click();
  const groupUrl = ann.page.url().split('?')[0];
  await ann.page.getByRole('link', { name: 'Start a thread' }).click();
  await ann.page.getByLabel('Title').fill('Choosing an auditor');
  await ann.page.getByRole('button', { name: 'Start thread' }).click();
  await ann.page.getByLabel('Invite guests by email').fill('gus-guest@example.org');
  await ann.page.getByRole('button', { name: 'Invite guests' }).click();
  await ann.page.getByText('They will see this thread only').waitFor();

  const gus = await newContext(browser, weft.base, { javaScriptEnabled: false });
  const page = await gus.newPage();
  await page.goto((await weft.email('gus-guest@example.org')).link('/guest/'));
  await page.getByRole('heading', { name: 'Take part in “Choosing an auditor”' }).waitFor();
  await page.getByLabel('Your name').fill('Gus');
  await page.getByLabel('Choose a password').fill('a long and private passphrase');
  await page.getByRole('button', { name: 'Create account and open the thread' }).click();
  await page.getByText('You can read and comment on this thread').waitFor();
  await page.getByLabel('Your comment').fill('Firm B looks best.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.getByText('Firm B looks best.').waitFor();
  assert.equal((await page.goto(groupUrl)).status(), 404, 'the group stays hidden');
  assert.deepEqual([...ann.context.foreign, ...gus.foreign], []);
  await Promise.all([ann.context.close(), gus.close()]);
});
