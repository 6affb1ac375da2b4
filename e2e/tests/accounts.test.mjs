// Accounts as a person meets them: sign up, confirm from the email, log out, log back in by link
// and by code, with JavaScript on and off. Locators are roles and labels, as a screen reader sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWeft } from '../lib/weft.mjs';
import { launch, newContext } from '../lib/browser.mjs';

let weft;
let browser;
before(async () => { weft = await startWeft(); browser = await launch(); });
after(async () => { await browser?.close(); await weft?.stop(); });

async function signUp(page, name, email) {
  await page.goto(`${weft.base}/`);
  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('a long and private passphrase');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  const mail = await weft.email(email);
  await page.goto(mail.link('/verify/'));
  await page.getByRole('button', { name: 'Confirm and log in' }).click();
  await page.getByRole('heading', { name: `Welcome, ${name}` }).waitFor();
}

for (const javaScriptEnabled of [true, false]) {
  test(`sign up, verify, log out and in by link and by code (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const context = await newContext(browser, weft.base, { javaScriptEnabled });
    const page = await context.newPage();
    const email = `ada-${javaScriptEnabled}@example.org`;
    await signUp(page, 'Ada', email);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();

    // Log in with an emailed link.
    await page.getByRole('link', { name: 'Log in' }).first().click();
    await page.getByRole('textbox', { name: 'Email address' }).first().fill(email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    const link = (await weft.email(email, 2)).link('/login/token/');
    await page.goto(link);
    await page.getByRole('button', { name: 'Log in now' }).click();
    await page.getByRole('heading', { name: /^Welcome( back)?, Ada$/ }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();

    // Log in with the 6-digit code, as on a second device.
    await page.goto(`${weft.base}/login`);
    await page.getByRole('textbox', { name: 'Email address' }).first().fill(email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    const code = (await weft.email(email, 3)).code();
    await page.getByLabel('6-digit code from the email').fill(code);
    await page.getByRole('button', { name: 'Log in' }).last().click();
    await page.getByRole('heading', { name: /^Welcome( back)?, Ada$/ }).waitFor();

    // A mistake is explained next to the field and what was typed is kept.
    await page.getByRole('link', { name: 'Ada' }).click();
    await page.getByLabel('Username', { exact: true }).fill('not valid!');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Use only letters a–z, digits, _ and -.').first().waitFor();
    assert.equal(await page.getByLabel('Username', { exact: true }).inputValue(), 'not valid!');
    assert.equal(await page.getByLabel('Username', { exact: true }).getAttribute('aria-invalid'), 'true');

    assert.deepEqual(context.foreign, [], 'no request left the instance');
    await context.close();
  });
}

test('the sessions page lists this browser and logs out everywhere', async () => {
  const context = await newContext(browser, weft.base);
  const page = await context.newPage();
  await signUp(page, 'Bo', 'bo@example.org');
  await page.goto(`${weft.base}/profile/sessions`);
  await page.getByRole('cell', { name: /\(this browser\)/ }).waitFor();
  await page.getByRole('button', { name: 'Log out everywhere' }).click();
  await page.getByRole('heading', { name: 'Log in', exact: true }).waitFor();
  await context.close();
});
