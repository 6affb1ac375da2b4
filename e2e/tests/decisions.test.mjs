// Decisions beyond a show of hands, as people meet them: rank options with plain selects and
// read every stage of the count; find a meeting time across time zones. With JavaScript on and off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeft } from '../lib/weft.mjs';
import { launch } from '../lib/browser.mjs';
import { signedUpPerson } from '../lib/people.mjs';

let weft;
let browser;
before(async () => { weft = await startWeft(); browser = await launch(); });
after(async () => { await browser?.close(); await weft?.stop(); });

/** Ann's open group with a thread; Bob joins it. Returns the thread's address. */
async function groupWithThread(ann, bob, name) {
  await ann.page.getByRole('link', { name: 'Start a group' }).click();
  await ann.page.getByLabel('Name', { exact: true }).fill(name);
  await ann.page.getByRole('radio', { name: /^Open/ }).check();
  await ann.page.getByRole('button', { name: 'Create group' }).click();
  const groupUrl = ann.page.url().split('?')[0];
  await ann.page.getByRole('link', { name: 'Settings' }).click();
  await ann.page.getByRole('radio', { name: /^Anyone who can see the group/ }).check();
  await ann.page.getByRole('button', { name: 'Save settings' }).click();
  await ann.page.getByRole('link', { name: 'Start a thread' }).click();
  await ann.page.getByLabel('Title').fill('What next');
  await ann.page.getByRole('button', { name: 'Start thread' }).click();
  const threadUrl = ann.page.url().split('?')[0];
  await bob.page.goto(groupUrl);
  await bob.page.getByRole('button', { name: 'Join group' }).click();
  return threadUrl;
}

async function setTimeZone(person, zone) {
  await person.page.goto(new URL('/profile', person.page.url()).href);
  await person.page.getByLabel('Time zone').fill(zone);
  await person.page.getByRole('button', { name: 'Save', exact: true }).first().click();
}

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'on' : 'off';

  test(`rank options with plain selects and read every stage of the count (JavaScript ${js})`, async () => {
    const ann = await signedUpPerson(browser, weft, 'Ann', `ann-rc-${js}@example.org`, { javaScriptEnabled });
    const bob = await signedUpPerson(browser, weft, 'Bob', `bob-rc-${js}@example.org`, { javaScriptEnabled });
    const threadUrl = await groupWithThread(ann, bob, `Trees ${js}`);

    await ann.page.goto(threadUrl);
    await ann.page.getByRole('link', { name: 'Raise a proposal or poll' }).click();
    await ann.page.getByRole('radio', { name: /^Ranked choice/ }).check();
    await ann.page.getByLabel('Title').fill('Which tree first?');
    await ann.page.getByLabel('Options, one per line').fill('Oak\nAsh\nElm');
    await ann.page.getByRole('radio', { name: /^Instant runoff/ }).check();
    await ann.page.getByRole('button', { name: 'Raise' }).click();
    await ann.page.getByRole('heading', { name: 'Which tree first?', level: 1 }).waitFor();
    const pollUrl = ann.page.url().split('?')[0];

    // A rank given twice is explained next to the field; then a full ranking is counted.
    await bob.page.goto(pollUrl);
    await bob.page.getByLabel('Oak', { exact: true }).selectOption('1');
    await bob.page.getByLabel('Ash', { exact: true }).selectOption('1');
    await bob.page.getByLabel('Elm', { exact: true }).selectOption('2');
    await bob.page.getByRole('button', { name: 'Vote', exact: true }).click();
    await bob.page.getByText('Give each rank once').first().waitFor();
    await bob.page.getByLabel('Oak', { exact: true }).selectOption('2');
    await bob.page.getByLabel('Ash', { exact: true }).selectOption('1');
    await bob.page.getByLabel('Elm', { exact: true }).selectOption('3');
    await bob.page.getByRole('button', { name: 'Vote', exact: true }).click();
    await bob.page.getByText('Your vote is counted.').waitFor();
    await bob.page.getByText('Elected: Ash.').waitFor();
    await bob.page.getByRole('table', { name: 'Every stage of the count' }).waitFor();
    assert.equal(await bob.page.locator('svg.chart-rounds').count(), 1, 'the rounds as a chart');
    assert.equal(await bob.page.getByLabel('Ash', { exact: true }).inputValue(), '1', 'the form keeps the ranking');
    await bob.page.getByRole('link', { name: 'How it is counted' }).click();
    await bob.page.getByRole('heading', { name: 'How ranked-choice polls are counted' }).waitFor();

    assert.deepEqual([...ann.context.foreign, ...bob.context.foreign], []);
    await Promise.all([ann.context.close(), bob.context.close()]);
  });

  test(`find a meeting time from Berlin and Auckland (JavaScript ${js})`, async () => {
    const ann = await signedUpPerson(browser, weft, 'Ann', `ann-mt-${js}@example.org`, { javaScriptEnabled });
    const bob = await signedUpPerson(browser, weft, 'Bob', `bob-mt-${js}@example.org`, { javaScriptEnabled });
    const threadUrl = await groupWithThread(ann, bob, `Calls ${js}`);
    await setTimeZone(ann, 'Europe/Berlin');
    await setTimeZone(bob, 'Pacific/Auckland');

    await ann.page.goto(threadUrl);
    await ann.page.getByRole('link', { name: 'Raise a proposal or poll' }).click();
    await ann.page.getByRole('radio', { name: /^Meeting time/ }).check();
    await ann.page.getByLabel('Title').fill('Planning call');
    await ann.page.getByLabel('Options, one per line').fill('2027-03-27 20:00\n2027-03-29 10:00');
    await ann.page.getByLabel('Time zone the times are in').fill('Europe/Berlin');
    await ann.page.getByRole('button', { name: 'Raise' }).click();
    await ann.page.getByRole('heading', { name: 'Planning call', level: 1 }).waitFor();
    const pollUrl = ann.page.url().split('?')[0];
    await ann.page.getByRole('group', { name: 'Sat 27 Mar 2027, 20:00–21:00 CET' }).waitFor();

    // Bob reads the same instants in Auckland's time, across Berlin's change to summer time.
    await bob.page.goto(pollUrl);
    const saturday = bob.page.getByRole('group', { name: 'Sun 28 Mar 2027, 08:00–09:00 NZDT' });
    const monday = bob.page.getByRole('group', { name: 'Mon 29 Mar 2027, 21:00–22:00 NZDT' });
    await saturday.getByRole('radio', { name: 'Yes' }).check();
    await monday.getByRole('radio', { name: 'If need be' }).check();
    await bob.page.getByRole('button', { name: 'Vote', exact: true }).click();
    await bob.page.getByText('Your vote is counted.').waitFor();
    await bob.page.getByText('best time').first().waitFor();
    const best = bob.page.getByRole('row', { name: /best time/ });
    assert.match(await best.textContent(), /Sun 28 Mar 2027, 08:00/);
    await bob.page.getByRole('heading', { name: 'Who can make it' }).waitFor();

    assert.deepEqual([...ann.context.foreign, ...bob.context.foreign], []);
    await Promise.all([ann.context.close(), bob.context.close()]);
  });
}
