// Staying in the loop, as people meet it: a mention rings the bell (live with JavaScript, on the
// next page without), the notification leads to the comment and clears the bell, and a member
// chooses how loudly they hear of the group and a weekly catch-up digest; a thread announced to
// chosen people reaches only them, and a member starts a thread by email from the address the
// group's page gives them. With JavaScript on and off.
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

  test(`a mention rings the bell and leads to the comment (JavaScript ${js})`, async () => {
    const ann = await signedUpPerson(browser, weft, 'Ann', `ann-bell-${js}@example.org`, { javaScriptEnabled });
    const bob = await signedUpPerson(browser, weft, 'Bob', `bob-bell-${js}@example.org`, { javaScriptEnabled });
    await ann.page.getByRole('link', { name: 'Start a group' }).click();
    await ann.page.getByLabel('Name', { exact: true }).fill(`Bells ${js}`);
    await ann.page.getByRole('radio', { name: /^Open/ }).check();
    await ann.page.getByRole('button', { name: 'Create group' }).click();
    const groupUrl = ann.page.url().split('?')[0];
    await ann.page.getByRole('link', { name: 'Settings' }).click();
    await ann.page.getByRole('radio', { name: /^Anyone who can see the group/ }).check();
    await ann.page.getByRole('button', { name: 'Save settings' }).click();
    await bob.page.goto(groupUrl);
    await bob.page.getByRole('button', { name: 'Join group' }).click();

    // Ann announces a thread to the whole group: Bob is emailed, with the group in the subject.
    await ann.page.goto(groupUrl);
    await ann.page.getByRole('link', { name: 'Start a thread' }).click();
    await ann.page.getByLabel('Title').fill('Watering rota');
    await ann.page.getByRole('radio', { name: /^The whole group/ }).check();
    await ann.page.getByRole('button', { name: 'Start thread' }).click();
    const threadUrl = ann.page.url().split('?')[0];
    const announced = await weft.email(`bob-bell-${js}@example.org`, 2);
    assert.match(announced.subject, new RegExp(`in Bells ${js}$`));
    assert.match(announced.text, new RegExp(`Ann started a thread in Bells ${js}: “Watering rota”`));

    await bob.page.goto(`${weft.base}/notifications`);
    await bob.page.getByRole('link', { name: /^Ann started “Watering rota”/ }).click();
    await bob.page.getByRole('heading', { name: 'Watering rota', level: 1 }).waitFor();
    const bell = bob.page.getByRole('link', { name: /^Notifications/ });
    assert.equal(await bell.getAttribute('aria-label'), 'Notifications');

    await bob.page.goto(`${weft.base}/profile`);
    const handle = await bob.page.getByRole('textbox', { name: 'Username' }).inputValue();
    assert.ok(handle);
    await bob.page.goto(threadUrl);
    await ann.page.goto(threadUrl);
    await ann.page.getByLabel('Your comment').fill(`@${handle} can you take Mondays?`);
    await ann.page.getByRole('button', { name: 'Post comment' }).click();
    if (javaScriptEnabled) {
      // Live: the open page's bell counts without a reload.
      await bob.page.getByRole('link', { name: 'Notifications, 1 unread' }).waitFor();
    } else {
      await bob.page.reload();
      await bob.page.getByRole('link', { name: 'Notifications, 1 unread' }).waitFor();
    }
    await bob.page.getByRole('link', { name: 'Notifications, 1 unread' }).click();
    await bob.page.getByRole('link', { name: /^Ann mentioned you in “Watering rota”/ }).click();
    await bob.page.getByText('can you take Mondays?').waitFor();
    assert.match(bob.page.url(), /\/t\/[^?]+\?from=\d+#c\d+$/);
    await bob.page.getByRole('link', { name: 'Notifications', exact: true }).waitFor();

    // Bob chooses quiet for the group: the next announcement reaches him in the app only.
    await bob.page.goto(groupUrl);
    await bob.page.getByLabel('How you hear of this group').selectOption('quiet');
    await bob.page.getByRole('button', { name: 'Save' }).click();
    await bob.page.getByText('How you hear of this group was saved.').waitFor();
    await bob.page.goto(`${weft.base}/profile/notifications`);
    assert.equal(await bob.page.getByLabel(`Bells ${js}`).inputValue(), 'quiet');

    // And a weekly catch-up digest on Fridays, at six in the morning his time.
    await bob.page.getByRole('radio', { name: 'Once a week' }).check();
    await bob.page.getByLabel('Day of a weekly digest').selectOption('friday');
    await bob.page.getByRole('button', { name: 'Save the digest' }).click();
    await bob.page.getByText('Your catch-up digest was saved.').waitFor();
    assert.match(await bob.page.locator('#digest-next').innerText(), /^The next one comes Fri .*, 06:00 /);
    assert.ok(await bob.page.getByRole('radio', { name: 'Once a week' }).isChecked());
    await ann.context.close();
    await bob.context.close();
  });
}

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'on' : 'off';

  test(`a thread reaches the chosen people, and a member starts one by email (JavaScript ${js})`, async () => {
    const mail = await startWeft({ WEFT_REPLY_DOMAIN: 'reply.weft.test' });
    try {
      const ann = await signedUpPerson(browser, mail, 'Ann', `ann-chosen-${js}@example.org`, { javaScriptEnabled });
      const bob = await signedUpPerson(browser, mail, 'Bob', `bob-chosen-${js}@example.org`, { javaScriptEnabled });
      const cy = await signedUpPerson(browser, mail, 'Cy', `cy-chosen-${js}@example.org`, { javaScriptEnabled });
      await ann.page.getByRole('link', { name: 'Start a group' }).click();
      await ann.page.getByLabel('Name', { exact: true }).fill(`Chosen ${js}`);
      await ann.page.getByRole('radio', { name: /^Open/ }).check();
      await ann.page.getByRole('button', { name: 'Create group' }).click();
      const groupUrl = ann.page.url().split('?')[0];
      await ann.page.getByRole('link', { name: 'Settings' }).click();
      await ann.page.getByRole('radio', { name: /^Anyone who can see the group/ }).check();
      await ann.page.getByRole('checkbox', { name: /^Start threads by email/ }).check();
      await ann.page.getByRole('button', { name: 'Save settings' }).click();
      for (const member of [bob, cy]) {
        await member.page.goto(groupUrl);
        await member.page.getByRole('button', { name: 'Join group' }).click();
      }
      await cy.page.goto(`${mail.base}/profile`);
      const cyName = await cy.page.getByRole('textbox', { name: 'Username' }).inputValue();

      // Ann tells Cy only: Cy is emailed, Bob sees it in the app.
      await ann.page.goto(groupUrl);
      await ann.page.getByRole('link', { name: 'Start a thread' }).click();
      await ann.page.getByLabel('Title').fill('Seed swap');
      await ann.page.getByRole('radio', { name: /^Chosen people/ }).check();
      await ann.page.getByLabel(/^People to notify/).fill(`@${cyName}`);
      await ann.page.getByRole('button', { name: 'Start thread' }).click();
      await ann.page.getByRole('heading', { name: 'Seed swap', level: 1 }).waitFor();
      const told = await mail.email(`cy-chosen-${js}@example.org`, 2);
      assert.match(told.text, /Ann started a thread in Chosen .*: “Seed swap”/);
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(!mail.emails().some((e) => e.to.includes(`bob-chosen-${js}`) && /Seed swap/.test(e.text)),
        'Bob is not emailed');
      await bob.page.goto(`${mail.base}/notifications`);
      await bob.page.getByRole('link', { name: /^Ann started “Seed swap”/ }).waitFor();

      // A name that cannot read the thread is refused next to the field, what was typed kept.
      await ann.page.goto(groupUrl);
      await ann.page.getByRole('link', { name: 'Start a thread' }).click();
      await ann.page.getByLabel('Title').fill('Refused');
      await ann.page.getByRole('radio', { name: /^Chosen people/ }).check();
      await ann.page.getByLabel(/^People to notify/).fill('@nobody-here');
      await ann.page.getByRole('button', { name: 'Start thread' }).click();
      assert.equal(await ann.page.locator('#notify-people-error').innerText(),
        'Not among the people who may read this thread: @nobody-here.');
      assert.equal(await ann.page.getByLabel(/^People to notify/).inputValue(), '@nobody-here');

      // A poll asks the same: Ann emails Cy only when it opens; Bob sees it in the app.
      await ann.page.goto(groupUrl);
      await ann.page.getByRole('link', { name: 'Raise a poll' }).click();
      await ann.page.getByLabel('Title').fill('Plant beans?');
      assert.ok(await ann.page.getByRole('radio', { name: /^Everyone who may vote/ }).isChecked(),
        'everyone, by default, for who may announce');
      await ann.page.getByRole('radio', { name: /^Chosen people/ }).check();
      await ann.page.getByLabel(/^People to email/).fill(`@${cyName}`);
      await ann.page.getByRole('button', { name: 'Raise' }).click();
      await ann.page.getByRole('heading', { name: 'Plant beans?', level: 1 }).waitFor();
      const asked = await mail.email(`cy-chosen-${js}@example.org`, 3);
      assert.match(asked.text, /Ann raised a proposal in “Chosen .*”: Plant beans\?/);
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(!mail.emails().some((e) => e.to.includes(`bob-chosen-${js}`) && /Plant beans/.test(e.text)),
        'Bob is not emailed of the poll');

      // Bob's own address for the group, from its page; his email becomes his thread.
      await bob.page.goto(groupUrl);
      await bob.page.getByText('Start a thread by email').click();
      const address = (await bob.page.locator('#by-email code').first().innerText()).trim();
      assert.match(address, /^group\+[0-9a-z-]+@reply\.weft\.test$/);
      const raw = [
        `Return-Path: <bob-chosen-${js}@example.org>`,
        `From: Bob <bob-chosen-${js}@example.org>`,
        `To: ${address}`,
        'Subject: Compost bins',
        'Message-ID: <compost@example.org>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Shall we buy two?',
        '',
        '-- ',
        'Bob',
        '',
      ].join('\r\n');
      assert.match(mail.receive(raw, address), /^thread /);
      await bob.page.goto(groupUrl);
      await bob.page.getByRole('link', { name: 'Compost bins' }).click();
      await bob.page.getByText('Shall we buy two?').waitFor();
      for (const p of [ann, bob, cy]) await p.context.close();
    } finally {
      await mail.stop();
    }
  });
}
