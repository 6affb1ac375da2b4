// Invitations as people meet them: a coordinator invites by email with a note, the invitee opens
// the emailed link, creates an account on the spot and lands in the group; someone with an account
// joins through the shareable link. With JavaScript on and off.
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
  test(`invite by email, sign up from the link, join by shareable link (JavaScript ${js})`, async () => {
    const ann = await person('Ann', `ann-${js}@example.org`, javaScriptEnabled);
    const name = `Secret Orchard ${js}`;
    await ann.page.getByRole('link', { name: 'Start a group' }).click();
    await ann.page.getByLabel('Name', { exact: true }).fill(name);
    await ann.page.getByRole('radio', { name: /^Secret/ }).check();
    await ann.page.getByRole('button', { name: 'Create group' }).click();
    const groupUrl = ann.page.url().split('?')[0];

    await ann.page.getByRole('link', { name: 'Invite people' }).click();
    await ann.page.getByLabel('Email addresses').fill(`dee-${js}@example.org, not-an-address`);
    await ann.page.getByRole('button', { name: 'Send invitations' }).click();
    await ann.page.getByText('These are not email addresses: “not-an-address”').first().waitFor();
    await ann.page.getByLabel('Email addresses').fill(`dee-${js}@example.org`);
    await ann.page.getByLabel('Message (optional)').fill('We prune on Saturdays.');
    await ann.page.getByRole('button', { name: 'Send invitations' }).click();
    await ann.page.getByText('Invitations sent').waitFor();
    await ann.page.getByRole('cell', { name: `dee-${js}@example.org`, exact: true }).waitFor();

    const dee = await newContext(browser, weft.base, { javaScriptEnabled });
    const deePage = await dee.newPage();
    const mail = await weft.email(`dee-${js}@example.org`);
    assert.match(mail.text, /We prune on Saturdays\./);
    await deePage.goto(mail.link('/invitations/'));
    await deePage.getByRole('heading', { name: `Join ${name}` }).waitFor();
    await deePage.getByLabel('Your name').fill('Dee');
    await deePage.getByLabel('Choose a password').fill('another long passphrase');
    await deePage.getByRole('button', { name: 'Create account and join' }).click();
    await deePage.getByText('Welcome to the group!').waitFor();
    await deePage.getByRole('heading', { name, level: 1 }).waitFor();

    await ann.page.goto(`${groupUrl}/invite`);
    await ann.page.getByRole('button', { name: 'Create a shareable link' }).click();
    const joinLink = await ann.page.getByLabel('Invitation link').inputValue();
    const bob = await person('Bob', `bob-${js}@example.org`, javaScriptEnabled);
    assert.equal((await bob.page.goto(groupUrl)).status(), 404, 'secret until Bob has the link');
    await bob.page.goto(joinLink);
    await bob.page.getByRole('button', { name: 'Join group' }).click();
    await bob.page.getByText('Welcome to the group!').waitFor();

    await ann.page.goto(`${groupUrl}/members`);
    for (const member of ['Ann', 'Bob', 'Dee']) {
      await ann.page.getByRole('cell', { name: member, exact: true }).waitFor();
    }
    assert.deepEqual([...ann.context.foreign, ...dee.foreign, ...bob.context.foreign], []);
    await Promise.all([ann.context.close(), dee.close(), bob.context.close()]);
  });
}
