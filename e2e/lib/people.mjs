// A person with a confirmed account, signed in in their own browser context: the set-up most
// journeys start from.
import { newContext } from './browser.mjs';
import { SEED_PASSWORD } from './weft.mjs';

export const PASSPHRASE = 'a long and private passphrase';

/** Signs up `name` <`email`>, confirms the address from the emailed link, and returns the
 * signed-in `{ context, page }`. `options` go to the browser context (e.g. `javaScriptEnabled`). */
export async function signedUpPerson(browser, weft, name, email, options = {}) {
  const context = await newContext(browser, weft.base, options);
  const page = await context.newPage();
  await page.goto(`${weft.base}/signup`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.goto((await weft.email(email)).link('/verify/'));
  await page.getByRole('button', { name: 'Confirm and log in' }).click();
  await page.getByRole('heading', { name: `Welcome, ${name}` }).waitFor();
  return { context, page };
}

/** Logs in seeded account `user{n}@seed.example` (a `weft seed` instance) and returns the
 * signed-in `{ context, page }`. */
export async function seededPerson(browser, weft, n, options = {}) {
  const context = await newContext(browser, weft.base, options);
  const page = await context.newPage();
  await page.goto(`${weft.base}/login`);
  await page.getByRole('textbox', { name: 'Email address' }).last().fill(`user${n}@seed.example`);
  await page.getByLabel('Password', { exact: true }).fill(SEED_PASSWORD);
  await page.getByRole('button', { name: 'Log in', exact: true }).last().click();
  await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
  return { context, page };
}
