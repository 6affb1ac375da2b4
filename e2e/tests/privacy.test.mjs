// The privacy centre as a person uses it: a mention reaches the person mentioned, a public thread
// is readable by a visitor while a secret group's thread is "not found", the personal-data ZIP
// downloads, and after deleting the account the old comment shows the deleted-member placeholder.
// A member asks the coordinators to delete their content; support access opens and is logged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startWeft } from '../lib/weft.mjs';
import { launch, newContext } from '../lib/browser.mjs';
import { PASSPHRASE, signedUpPerson } from '../lib/people.mjs';

let weft;
let browser;
before(async () => { weft = await startWeft(); browser = await launch(); });
after(async () => { await browser?.close(); await weft?.stop(); });

test('mention, public and secret threads, download your data, delete your account', async () => {
  const ann = await signedUpPerson(browser, weft, 'Ann', 'ann-p@example.org');
  const bob = await signedUpPerson(browser, weft, 'Bob', 'bob-p@example.org');

  // Ann's open group holds a public thread; Bob joins and mentions her.
  await ann.page.getByRole('link', { name: 'Start a group' }).click();
  await ann.page.getByLabel('Name', { exact: true }).fill('Open Orchard');
  await ann.page.getByRole('radio', { name: /^Open/ }).check();
  await ann.page.getByRole('button', { name: 'Create group' }).click();
  const groupUrl = ann.page.url().split('?')[0];
  await ann.page.getByRole('link', { name: 'Settings' }).click();
  await ann.page.getByRole('radio', { name: /^Anyone who can see the group/ }).check();
  await ann.page.getByRole('button', { name: 'Save settings' }).click();
  await ann.page.getByRole('link', { name: 'Start a thread' }).click();
  await ann.page.getByLabel('Title').fill('Pruning day');
  await ann.page.getByRole('button', { name: 'Start thread' }).click();
  const threadUrl = ann.page.url().split('?')[0];
  const annUsername = (await (await ann.page.request.get(`${weft.base}/api/v1/me`)).json()).username;

  await bob.page.goto(groupUrl);
  await bob.page.getByRole('button', { name: 'Join group' }).click();
  await bob.page.goto(threadUrl);
  await bob.page.getByLabel('Your comment').fill(`I will bring ladders, @${annUsername}.`);
  await bob.page.getByRole('button', { name: 'Post comment' }).click();
  await bob.page.getByRole('link', { name: `@${annUsername}` }).waitFor();
  const mention = await weft.email('ann-p@example.org', 2);
  assert.match(mention.text, /Bob mentioned you in “Pruning day”/);

  // A visitor reads the public thread; a secret group's thread is not found.
  const visitor = await newContext(browser, weft.base);
  const vpage = await visitor.newPage();
  await vpage.goto(threadUrl);
  await vpage.getByText('I will bring ladders').waitFor();
  await ann.page.goto(`${weft.base}/groups/new`);
  await ann.page.getByLabel('Name', { exact: true }).fill('Hidden Orchard');
  await ann.page.getByRole('radio', { name: /^Secret/ }).check();
  await ann.page.getByRole('button', { name: 'Create group' }).click();
  await ann.page.getByRole('link', { name: 'Start a thread' }).click();
  await ann.page.getByLabel('Title').fill('Secret plans');
  await ann.page.getByRole('button', { name: 'Start thread' }).click();
  const secretThread = ann.page.url().split('?')[0];
  assert.equal((await vpage.goto(secretThread)).status(), 404);
  await vpage.getByRole('heading', { name: 'Page not found' }).waitFor();

  // Bob downloads his data, then deletes his account.
  await bob.page.goto(`${weft.base}/profile`);
  await bob.page.getByRole('link', { name: 'See and download everything we hold about you' }).click();
  await bob.page.getByRole('heading', { name: 'Your data' }).waitFor();
  const [download] = await Promise.all([
    bob.page.waitForEvent('download'),
    bob.page.getByRole('link', { name: 'Download everything (ZIP)' }).click(),
  ]);
  const zip = readFileSync(await download.path());
  assert.equal(zip.subarray(0, 2).toString(), 'PK', 'a ZIP archive');
  assert.ok(zip.includes('I will bring ladders'), 'with his comment in it');

  await bob.page.goto(`${weft.base}/profile`);
  await bob.page.getByRole('link', { name: 'Delete your account' }).click();
  await bob.page.getByLabel('Your password').fill(PASSPHRASE);
  await bob.page.getByRole('button', { name: 'Delete my account for good' }).click();
  await bob.page.getByRole('heading', { name: 'Your account is deleted' }).waitFor();

  await ann.page.goto(threadUrl);
  await ann.page.getByText('A deleted member').waitFor();
  assert.equal(await ann.page.getByText('Bob', { exact: true }).count(), 0);
  assert.deepEqual([...ann.context.foreign, ...bob.context.foreign, ...visitor.foreign], []);
  await Promise.all([ann.context.close(), bob.context.close(), visitor.close()]);
});

test('ask the coordinators to delete your content; open support access and read its log', async () => {
  const ann = await signedUpPerson(browser, weft, 'Ann', 'ann-r@example.org');
  const bob = await signedUpPerson(browser, weft, 'Bob', 'bob-r@example.org', { javaScriptEnabled: false });

  // Ann's closed group; Bob joins by request and comments.
  await ann.page.getByRole('link', { name: 'Start a group' }).click();
  await ann.page.getByLabel('Name', { exact: true }).fill('Quiet Garden');
  await ann.page.getByRole('radio', { name: /^Closed/ }).check();
  await ann.page.getByRole('button', { name: 'Create group' }).click();
  const groupUrl = ann.page.url().split('?')[0];
  await ann.page.getByRole('link', { name: 'Start a thread' }).click();
  await ann.page.getByLabel('Title').fill('Compost');
  await ann.page.getByRole('button', { name: 'Start thread' }).click();
  const threadUrl = ann.page.url().split('?')[0];
  await bob.page.goto(groupUrl);
  await bob.page.getByRole('button', { name: 'Ask to join' }).click();
  await ann.page.goto(`${groupUrl}/requests`);
  await ann.page.getByRole('button', { name: 'Approve Bob' }).click();
  await bob.page.goto(threadUrl);
  await bob.page.getByLabel('Your comment').fill('My secret compost recipe.');
  await bob.page.getByRole('button', { name: 'Post comment' }).click();
  await bob.page.getByText('My secret compost recipe.').waitFor();

  // Bob asks (without JavaScript); an empty request is refused next to the field.
  await bob.page.goto(groupUrl);
  await bob.page.getByRole('link', { name: 'Ask to delete my content here' }).click();
  await bob.page.getByRole('button', { name: 'Send to the coordinators' }).click();
  await bob.page.getByText('Say what you would like deleted.').first().waitFor();
  await bob.page.getByLabel('What would you like deleted?').fill('My comment about compost, please.');
  await bob.page.getByRole('button', { name: 'Send to the coordinators' }).click();
  await bob.page.getByText('You will get an email with the answer').waitFor();

  // Ann sees the deadline and deletes; Bob is told.
  await ann.page.goto(groupUrl);
  await ann.page.getByRole('link', { name: 'Deletion requests' }).click();
  await ann.page.getByText(/Answer by .* days left/).waitFor();
  await ann.page.getByRole('button', { name: 'Delete their content in this group' }).click();
  await ann.page.getByText('The outcome is recorded').waitFor();
  const answer = await weft.email('bob-r@example.org', 2);
  assert.match(answer.text, /was carried out/);
  await ann.page.goto(threadUrl);
  assert.equal(await ann.page.getByText('My secret compost recipe.').count(), 0);

  // Support access: closed to the administrator until Ann opens it; the read is logged.
  const staff = await newContext(browser, weft.base);
  const spage = await staff.newPage();
  await spage.goto(weft.admin('staff-r@example.org'));
  await spage.getByRole('button', { name: 'Log in now' }).click();
  assert.equal((await spage.goto(threadUrl)).status(), 404);
  await ann.page.goto(`${groupUrl}/support`);
  await ann.page.getByLabel('Open support access for').selectOption({ label: 'one hour' });
  await ann.page.getByRole('button', { name: 'Open support access' }).click();
  await ann.page.getByText(/Open until/).waitFor();
  assert.equal((await spage.goto(threadUrl)).status(), 200);
  await ann.page.reload();
  await ann.page.getByRole('cell', { name: 'the thread “Compost”' }).waitFor();
  await ann.page.getByRole('button', { name: 'Close access now' }).click();
  assert.equal((await spage.goto(threadUrl)).status(), 404);
  assert.deepEqual([...ann.context.foreign, ...bob.context.foreign, ...staff.foreign], []);
  await Promise.all([ann.context.close(), bob.context.close(), staff.close()]);
});
