// Staying in the loop, as people meet it: a mention rings the bell (live with JavaScript, on the
// next page without), the notification leads to the comment and clears the bell, and a member
// chooses how loudly they hear of the group and a weekly catch-up digest. With JavaScript on and
// off.
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
