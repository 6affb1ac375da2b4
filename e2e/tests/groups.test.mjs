// Groups as a person meets them: start a group, someone else asks to join, the coordinator
// approves, the members page shows emails only to the coordinator (P6), and a secret group
// answers "not found" to outsiders.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeft } from '../lib/weft.mjs';
import { launch, newContext } from '../lib/browser.mjs';
import { signedUpPerson } from '../lib/people.mjs';

let weft;
let browser;
before(async () => { weft = await startWeft(); browser = await launch(); });
after(async () => { await browser?.close(); await weft?.stop(); });

function person(name, email) {
  return signedUpPerson(browser, weft, name, email);
}

async function startGroup(page, name, privacy) {
  await page.goto(`${weft.base}/`);
  await page.getByRole('link', { name: 'Start a group' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('textbox', { name: 'Description', exact: true }).fill('We share seeds and tools.');
  await page.getByRole('radio', { name: new RegExp(`^${privacy}`, 'i') }).check();
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  return page.url().split('?')[0];
}

for (const javaScriptEnabled of [true, false]) {
  test(`start a group, ask to join, approve, see members (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const ann = await person('Ann', `ann-${javaScriptEnabled}@example.org`);
    const bob = await person('Bob', `bob-${javaScriptEnabled}@example.org`);
    const groupUrl = await startGroup(ann.page, javaScriptEnabled ? 'Seed Library' : 'Tool Library', 'closed');
    await ann.page.getByText('Your group is ready').waitFor();

    await bob.page.goto(groupUrl);
    await bob.page.getByLabel('Introduce yourself (optional)').fill('I keep tomato seeds');
    await bob.page.getByRole('button', { name: 'Ask to join' }).click();
    await bob.page.getByText('Your request was sent').waitFor();

    await ann.page.goto(groupUrl);
    await ann.page.getByRole('link', { name: 'Membership requests' }).click();
    await ann.page.getByText('I keep tomato seeds').waitFor();
    await ann.page.getByRole('button', { name: 'Approve Bob' }).click();
    await ann.page.getByText('they are now a member').waitFor();

    await ann.page.goto(`${groupUrl}/members`);
    await ann.page.getByRole('cell', { name: `bob-${javaScriptEnabled}@example.org` }).waitFor();
    await bob.page.goto(`${groupUrl}/members`);
    await bob.page.getByRole('cell', { name: 'Ann', exact: true }).waitFor();
    assert.equal(await bob.page.getByText('@example.org').count(), 0, 'a member sees no email addresses');

    assert.deepEqual([...ann.context.foreign, ...bob.context.foreign], []);
    await ann.context.close();
    await bob.context.close();
  });
}

test('a secret group answers "not found" to an outsider and to an anonymous visitor', async () => {
  const owner = await person('Sam', 'sam@example.org');
  const url = await startGroup(owner.page, 'Hidden Circle', 'secret');
  const outsider = await person('Olu', 'olu@example.org');
  const res = await outsider.page.goto(url);
  assert.equal(res.status(), 404);
  await outsider.page.getByRole('heading', { name: 'Page not found' }).waitFor();
  const anon = await newContext(browser, weft.base);
  const anonPage = await anon.newPage();
  assert.equal((await anonPage.goto(url)).status(), 404);
  await Promise.all([owner.context.close(), outsider.context.close(), anon.close()]);
});
