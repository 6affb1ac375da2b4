// Deciding as people meet it: raise a proposal in a thread, vote with a reason, change the
// vote, read the results as a chart and a table, close early and write the outcome. With
// JavaScript on and off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeft } from '../lib/weft.mjs';
import { launch } from '../lib/browser.mjs';
import { signedUpPerson } from '../lib/people.mjs';

let weft;
let browser;
before(async () => { weft = await startWeft(); browser = await launch(); });
after(async () => { await browser?.close(); await weft?.stop(); });

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'on' : 'off';
  test(`raise a proposal, vote with a reason, change it, close, write the outcome (JavaScript ${js})`, async () => {
    const ann = await signedUpPerson(browser, weft, 'Ann', `ann-p-${js}@example.org`, { javaScriptEnabled });
    const bob = await signedUpPerson(browser, weft, 'Bob', `bob-p-${js}@example.org`, { javaScriptEnabled });
    await ann.page.getByRole('link', { name: 'Start a group' }).click();
    await ann.page.getByLabel('Name', { exact: true }).fill(`Orchard ${js}`);
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

    // Raise: a missing title is explained next to the field, then the proposal opens.
    await ann.page.getByRole('link', { name: 'Raise a proposal or poll' }).click();
    await ann.page.getByRole('radio', { name: /^Proposal/ }).check();
    await ann.page.getByRole('button', { name: 'Raise' }).click();
    await ann.page.getByText('Give the poll a title.').first().waitFor();
    await ann.page.getByLabel('Title').fill('Prune on Saturday');
    await ann.page.getByLabel('Details (optional)').fill('Bring **gloves**.');
    await ann.page.getByRole('button', { name: 'Raise' }).click();
    await ann.page.getByRole('heading', { name: 'Prune on Saturday', level: 1 }).waitFor();
    const pollUrl = ann.page.url().split('?')[0];

    // Bob joins, finds the proposal in the thread, votes with a reason, then changes his mind.
    await bob.page.goto(groupUrl);
    await bob.page.getByRole('button', { name: 'Join group' }).click();
    await bob.page.goto(threadUrl);
    await bob.page.getByRole('link', { name: 'Prune on Saturday' }).first().click();
    await bob.page.getByRole('radio', { name: 'Agree', exact: true }).check();
    await bob.page.getByLabel('Why do you say so?').fill('The buds are still closed.');
    await bob.page.getByRole('button', { name: 'Vote', exact: true }).click();
    await bob.page.getByText('Your vote is counted.').waitFor();
    await bob.page.getByRole('radio', { name: 'Disagree', exact: true }).check();
    await bob.page.getByLabel('Why do you say so?').fill('Rain is forecast.');
    await bob.page.getByRole('button', { name: 'Change vote' }).click();
    await bob.page.getByText('Your vote is counted.').waitFor();
    const disagree = bob.page.getByRole('row', { name: /^Disagree/ });
    assert.match(await disagree.textContent(), /Disagree\s*1\s*100\.0%/);
    assert.equal(await bob.page.locator('svg.chart-pie').count(), 1, 'a pie chart with the table');
    await bob.page.locator('.vote-list').getByText('Rain is forecast.').waitFor();

    // Ann closes early and writes the outcome; Bob can no longer vote and reads it.
    await ann.page.goto(pollUrl);
    await ann.page.getByRole('button', { name: 'Close now' }).click();
    await ann.page.getByText('The poll is closed.').waitFor();
    await ann.page.getByLabel('What was decided').fill('We prune **next** Saturday.');
    await ann.page.getByRole('button', { name: 'Publish outcome' }).click();
    await ann.page.getByText('The outcome is published.').waitFor();
    await bob.page.goto(pollUrl);
    await bob.page.getByRole('heading', { name: 'Outcome' }).waitFor();
    assert.equal(await bob.page.getByRole('button', { name: 'Change vote' }).count(), 0, 'closed: no vote form');
    await bob.page.goto(threadUrl);
    await bob.page.getByText('wrote the outcome of').waitFor();

    assert.deepEqual([...ann.context.foreign, ...bob.context.foreign], []);
    await Promise.all([ann.context.close(), bob.context.close()]);
  });
}

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'on' : 'off';
  test(`a poll on its own in a group, for named voters, one invited by email (JavaScript ${js})`, async () => {
    const ann = await signedUpPerson(browser, weft, 'Ann', `ann-g-${js}@example.org`, { javaScriptEnabled });
    const zoe = await signedUpPerson(browser, weft, 'Zoe', `zoe-g-${js}@example.org`, { javaScriptEnabled });
    await ann.page.getByRole('link', { name: 'Start a group' }).click();
    await ann.page.getByLabel('Name', { exact: true }).fill(`Seed library ${js}`);
    await ann.page.getByRole('button', { name: 'Create group' }).click();
    const groupUrl = ann.page.url().split('?')[0];

    // Raised from the group's page, naming its one voter by address: Zoe is not a member.
    await ann.page.getByRole('link', { name: 'Raise a poll' }).click();
    await ann.page.getByLabel('Title').fill('Open on Sundays?');
    await ann.page.getByRole('radio', { name: 'Only the people named below' }).check();
    await ann.page.getByRole('button', { name: 'Raise' }).click();
    await ann.page.getByText('Name at least one voter').first().waitFor();
    await ann.page.getByLabel('Voters: usernames or email addresses').fill(`zoe-g-${js}@example.org`);
    await ann.page.getByRole('button', { name: 'Raise' }).click();
    await ann.page.getByRole('heading', { name: 'Open on Sundays?', level: 1 }).waitFor();
    const pollUrl = ann.page.url().split('?')[0];
    await ann.page.goto(groupUrl);
    await ann.page.getByRole('heading', { name: 'Decisions' }).waitFor();
    await ann.page.getByRole('link', { name: 'Open on Sundays?', exact: true }).waitFor();
    await ann.page.getByRole('link', { name: 'Vote on Open on Sundays?' }).waitFor(); // its decision card's one action

    // Zoe accepts the invitation from her email and votes as a guest of the poll.
    const link = (await weft.email(`zoe-g-${js}@example.org`, 2)).link('/vote/');
    await zoe.page.goto(link);
    await zoe.page.getByRole('button', { name: 'Accept and open the poll' }).click();
    await zoe.page.getByText('You can vote in this poll.').waitFor();
    await zoe.page.getByRole('radio', { name: 'Agree', exact: true }).check();
    await zoe.page.getByRole('button', { name: 'Vote', exact: true }).click();
    await zoe.page.getByText('Your vote is counted.').waitFor();
    await zoe.page.getByRole('link', { name: new RegExp(`^Seed library ${js}`) }).first().waitFor();

    // Ann sees the vote in the poll's own timeline and reacts to it.
    await ann.page.goto(pollUrl);
    await ann.page.getByRole('heading', { name: 'What happened' }).waitFor();
    await ann.page.getByText('Zoe voted on').waitFor();
    await ann.page.locator('.vote-list details.reaction-picker summary').first().click();
    await ann.page.locator('.vote-list').getByRole('button', { name: 'heart' }).first().click();
    await ann.page.locator('.vote-list').getByRole('button', { name: /heart: Ann/ }).waitFor();

    assert.deepEqual([...ann.context.foreign, ...zoe.context.foreign], []);
    await Promise.all([ann.context.close(), zoe.context.close()]);
  });
}

test('closing times are typed and read in the reader\'s time zone (JavaScript on)', async () => {
  const ann = await signedUpPerson(browser, weft, 'Ann', 'ann-tz@example.org', { javaScriptEnabled: true, timezoneId: 'Europe/Berlin' });
  await ann.page.getByRole('link', { name: 'Start a group' }).click();
  await ann.page.getByLabel('Name', { exact: true }).fill('Time zones');
  await ann.page.getByRole('button', { name: 'Create group' }).click();
  await ann.page.getByRole('link', { name: 'Start a thread' }).click();
  await ann.page.getByLabel('Title').fill('When?');
  await ann.page.getByRole('button', { name: 'Start thread' }).click();
  await ann.page.getByRole('link', { name: 'Raise a proposal or poll' }).click();
  await ann.page.getByLabel('Title').fill('Meet at noon');
  const closing = ann.page.getByLabel('Closes at (your time)');
  await closing.fill('2027-01-15T12:00');
  await ann.page.getByRole('button', { name: 'Raise' }).click();
  await ann.page.getByRole('heading', { name: 'Meet at noon', level: 1 }).waitFor();
  const key = new URL(ann.page.url()).pathname.split('/').pop();
  const api = await ann.page.evaluate(async (k) => (await fetch(`/api/v1/polls/${k}`)).json(), key);
  assert.equal(api.closing_at, '2027-01-15T11:00:00Z', 'noon in Berlin is 11:00 UTC');
  const shown = await ann.page.locator('time').first().textContent();
  assert.match(shown, /12:00|12\.00|12 PM/, `shown in Berlin time: ${shown}`);
  await ann.context.close();
});
