// Every page type at desktop and phone widths, light and dark: axe-core finds no serious or
// critical violation, no request leaves the instance (P1), and a screenshot is kept for review.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startWeft } from '../lib/weft.mjs';
import { launch, newContext, DESKTOP, PHONE } from '../lib/browser.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const shots = resolve(import.meta.dirname, '../artifacts/screenshots');
const email = 'pages@example.org';
const password = 'a long and private passphrase';

let weft;
let browser;
let loginLink;
let groupPath;
let unsubscribeLink;
let invitationLink;
let joinLink;
let threadPath;
let pollPath;
let commentEditPath;
let guestLink;
let groupPollPath;
let rankedPath;
let meetingPath;
let voteLink;
before(async () => {
  weft = await startWeft({ WEFT_PUBLIC_USAGE: 'true', WEFT_SECURITY_LOG: 'true' });
  browser = await launch();
  mkdirSync(shots, { recursive: true });
  const context = await newContext(browser, weft.base);
  const page = await context.newPage();
  await page.goto(`${weft.base}/signup`);
  await page.getByLabel('Name').fill('Page Reviewer');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  const verify = await weft.email(email);
  await page.goto(verify.link('/verify/'));
  await page.getByRole('button', { name: 'Confirm and log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.goto(`${weft.base}/login`);
  await page.getByRole('textbox', { name: 'Email address' }).first().fill(email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  const mail = await weft.email(email, 2);
  loginLink = mail.link('/login/token/');
  unsubscribeLink = mail.link('/unsubscribe/');
  await page.goto(loginLink);
  await page.getByRole('button', { name: 'Log in now' }).click();
  await page.goto(`${weft.base}/groups/new`);
  await page.getByLabel('Name', { exact: true }).fill('Community Garden');
  await page.getByRole('textbox', { name: 'Description', exact: true }).fill('We grow vegetables together.\n\nEveryone is welcome.');
  await page.getByRole('radio', { name: /^Open/ }).check();
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.getByRole('heading', { name: 'Community Garden', level: 1 }).waitFor();
  groupPath = new URL(page.url()).pathname;
  await page.goto(`${weft.base}${groupPath}/settings`);
  await page.getByLabel(/directory \(open groups only\)/).check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('settings were saved').waitFor();
  await page.goto(`${weft.base}${groupPath}/invite`);
  await page.getByLabel('Email addresses').fill('invitee@example.org');
  await page.getByLabel('Message (optional)').fill('Come and grow with us.');
  await page.getByRole('button', { name: 'Send invitations' }).click();
  await page.getByText('Invitations sent').waitFor();
  await page.getByRole('button', { name: 'Create a shareable link' }).click();
  joinLink = await page.getByLabel('Invitation link').inputValue();
  invitationLink = (await weft.email('invitee@example.org')).link('/invitations/');
  await page.goto(`${weft.base}${groupPath}/threads/new`);
  await page.getByLabel('Title').fill('Planting plan for spring');
  await page.getByLabel('Context').fill('## Beds\n\n- tomatoes\n- beans\n\nSee [the map](https://example.org/map).');
  await page.getByRole('button', { name: 'Start thread' }).click();
  threadPath = new URL(page.url()).pathname;
  await page.getByLabel('Your comment').fill('Beans go by the fence.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.getByRole('link', { name: /^Reply/ }).first().click();
  await page.locator('.inline-slot').getByLabel('Your comment').fill('Good idea.');
  await page.getByRole('button', { name: 'Post reply' }).click();
  await page.getByRole('link', { name: 'Edit comment' }).first().waitFor();
  commentEditPath = new URL(await page.getByRole('link', { name: 'Edit comment' }).first().evaluate((a) => a.href)).pathname;
  await page.goto(`${weft.base}${commentEditPath}`);
  await page.getByLabel('Comment', { exact: true }).fill('Beans go by the fence, peas too.');
  await page.getByRole('button', { name: 'Save comment' }).click();
  await page.goto(`${weft.base}${threadPath}/edit`);
  await page.getByLabel('Title').fill('Planting plan for spring 2027');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.goto(`${weft.base}${threadPath}/polls/new`);
  await page.getByLabel('Title').fill('Plant beans first?');
  await page.getByRole('button', { name: 'Raise' }).click();
  pollPath = new URL(page.url()).pathname;
  await page.getByRole('radio', { name: 'Agree', exact: true }).check();
  await page.getByLabel('Why do you say so?').fill('They fix nitrogen.');
  await page.getByRole('button', { name: 'Vote', exact: true }).click();
  await page.getByText('Your vote is counted.').waitFor();
  await page.goto(`${weft.base}${threadPath}`);
  await page.getByLabel('Invite guests by email').fill('guest@example.org');
  await page.getByRole('button', { name: 'Invite guests' }).click();
  guestLink = (await weft.email('guest@example.org')).link('/guest/');
  await page.goto(`${weft.base}${groupPath}/polls/new`);
  await page.getByLabel('Title').fill('Who brings the seeds?');
  await page.getByRole('radio', { name: 'Only the people named below' }).check();
  await page.getByLabel('Voters: usernames or email addresses').fill('voter@example.org');
  await page.getByRole('button', { name: 'Raise' }).click();
  await page.getByRole('heading', { name: 'Who brings the seeds?', level: 1 }).waitFor();
  groupPollPath = new URL(page.url()).pathname;
  voteLink = (await weft.email('voter@example.org')).link('/vote/');
  // A ranked-choice poll counted by STV and a meeting poll, each with a vote, for their results.
  await page.goto(`${weft.base}${threadPath}/polls/new?template=ranked_choice`);
  await page.getByLabel('Title').fill('Which beds first?');
  await page.getByLabel('Options, one per line').fill('North\nSouth\nEast\nWest');
  await page.getByRole('radio', { name: /^Single transferable vote/ }).check();
  await page.getByRole('button', { name: 'Raise' }).click();
  rankedPath = new URL(page.url()).pathname;
  await page.getByLabel('North', { exact: true }).selectOption('1');
  await page.getByLabel('South', { exact: true }).selectOption('2');
  await page.getByLabel('East', { exact: true }).selectOption('3');
  await page.getByRole('button', { name: 'Vote', exact: true }).click();
  await page.getByText('Your vote is counted.').waitFor();
  await page.goto(`${weft.base}${threadPath}/polls/new?template=meeting`);
  await page.getByLabel('Title').fill('Work party');
  await page.getByLabel('Options, one per line').fill('2027-04-03 10:00\n2027-04-04 14:00');
  await page.getByLabel('Time zone the times are in').fill('Europe/Berlin');
  await page.getByRole('button', { name: 'Raise' }).click();
  meetingPath = new URL(page.url()).pathname;
  await page.getByRole('group', { name: /^Sat 3 Apr 2027/ }).getByRole('radio', { name: 'Yes' }).check();
  await page.getByRole('group', { name: /^Sun 4 Apr 2027/ }).getByRole('radio', { name: 'No' }).check();
  await page.getByRole('button', { name: 'Vote', exact: true }).click();
  await page.getByText('Your vote is counted.').waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  // The reviewer is also an instance administrator, for the admin pages (which ends the
  // pending log-in links: the fresh one below is asked for afterwards).
  weft.admin(email);
  // The log-in link above was used; ask for a fresh one for the page listing.
  await page.goto(`${weft.base}/login`);
  await page.getByRole('textbox', { name: 'Email address' }).first().fill(email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  loginLink = (await weft.email(email, 3)).link('/login/token/');
  await context.close();
});
after(async () => { await browser?.close(); await weft?.stop(); });

const pages = [
  { name: 'home', path: '/' },
  { name: 'signup', path: '/signup' },
  { name: 'signup-errors', path: '/signup', act: (p) => p.getByRole('button', { name: 'Create account' }).click() },
  { name: 'login', path: '/login' },
  { name: 'login-code', path: '/login', act: async (p) => {
    await p.getByRole('textbox', { name: 'Email address' }).first().fill('someone@example.org');
    await p.getByRole('button', { name: 'Email me a link' }).click();
  } },
  { name: 'forgot-password', path: '/password/forgot' },
  { name: 'login-link', path: () => loginLink },
  { name: 'expired-link', path: '/login/token/0000000000000000000000000000000000000000000000000000000000000000', error: true },
  { name: 'unsubscribe', path: () => unsubscribeLink },
  { name: 'not-found', path: '/no/such/page', error: true },
  { name: 'group-public', path: () => groupPath },
  { name: 'explore', path: '/explore' },
  { name: 'invitation', path: () => invitationLink },
  { name: 'invitation-errors', path: () => invitationLink, act: (p) => p.getByRole('button', { name: 'Create account and join' }).click() },
  { name: 'join-link', path: () => joinLink },
  { name: 'dashboard', path: '/', signedIn: true },
  { name: 'profile', path: '/profile', signedIn: true },
  { name: 'sessions', path: '/profile/sessions', signedIn: true },
  { name: 'group-new', path: '/groups/new', signedIn: true },
  { name: 'group-new-errors', path: '/groups/new', signedIn: true, act: (p) => p.getByRole('button', { name: 'Create group' }).click() },
  { name: 'group', path: () => groupPath, signedIn: true },
  { name: 'group-members', path: () => `${groupPath}/members`, signedIn: true },
  { name: 'group-settings', path: () => `${groupPath}/settings`, signedIn: true },
  { name: 'group-requests', path: () => `${groupPath}/requests`, signedIn: true },
  { name: 'group-delete', path: () => `${groupPath}/delete`, signedIn: true },
  { name: 'group-invite', path: () => `${groupPath}/invite`, signedIn: true },
  { name: 'thread-public', path: () => threadPath },
  { name: 'thread', path: () => threadPath, signedIn: true },
  { name: 'thread-comment-errors', path: () => threadPath, signedIn: true, act: async (p) => { await p.getByRole('button', { name: 'Post comment' }).click(); await p.locator('#comment-form .error-message').first().waitFor(); } },
  { name: 'thread-reply-in-place', path: () => threadPath, signedIn: true, act: async (p) => {
    await p.getByRole('link', { name: /^Reply to/ }).first().click();
    const form = p.locator('.inline-slot form');
    await form.getByLabel('Your comment').fill('A **quick** answer');
    await form.getByRole('button', { name: 'Preview' }).click();
    await form.locator('.preview strong').waitFor();
  } },
  { name: 'thread-edit-in-place', path: () => threadPath, signedIn: true, act: async (p) => {
    await p.getByRole('link', { name: 'Edit comment' }).first().click();
    await p.locator('.inline-slot form').getByRole('button', { name: 'Save comment' }).waitFor();
  } },
  { name: 'thread-comment-deleted-undo', path: () => threadPath, signedIn: true, act: async (p) => {
    await p.getByLabel('Your comment').fill('Posted to be deleted.');
    await p.getByRole('button', { name: 'Post comment' }).click();
    const item = p.locator('li.comment', { hasText: 'Posted to be deleted.' });
    await item.getByRole('link', { name: /^Delete comment/ }).click();
    await item.getByRole('button', { name: 'Delete the comment' }).click();
    await p.getByRole('button', { name: /^Undo/ }).first().waitFor();
  } },
  { name: 'thread-preview', path: () => threadPath, signedIn: true, act: async (p) => {
    await p.getByLabel('Your comment').fill('Look: **bold** and https://example.org');
    await p.getByRole('button', { name: 'Preview' }).click();
    await p.locator('#comment-form .preview strong').waitFor();
  } },
  { name: 'thread-new', path: () => `${groupPath}/threads/new`, signedIn: true },
  { name: 'thread-edit', path: () => `${threadPath}/edit`, signedIn: true },
  { name: 'thread-history', path: () => `${threadPath}/history`, signedIn: true },
  { name: 'thread-delete', path: () => `${threadPath}/delete`, signedIn: true },
  { name: 'comment-edit', path: () => commentEditPath, signedIn: true },
  { name: 'person', path: '/u/page_reviewer', signedIn: true },
  { name: 'profile-deactivate', path: '/profile/deactivate', signedIn: true },
  { name: 'profile-delete', path: '/profile/delete', signedIn: true },
  { name: 'personal-data', path: '/profile/data', signedIn: true },
  { name: 'privacy', path: '/privacy' },
  { name: 'terms', path: '/terms' },
  { name: 'third-parties', path: '/third-parties' },
  { name: 'dpo-request', path: '/privacy/request' },
  { name: 'dpo-request-errors', path: '/privacy/request', act: (p) => p.getByRole('button', { name: 'Send the request' }).click() },
  { name: 'ask-deletion', path: () => `${groupPath}/delete-my-content`, signedIn: true },
  { name: 'group-deletion-requests', path: () => `${groupPath}/deletion-requests`, signedIn: true },
  { name: 'group-support', path: () => `${groupPath}/support`, signedIn: true },
  { name: 'subgroup-new', path: () => `${groupPath}/subgroups/new`, signedIn: true },
  { name: 'thread-move', path: () => `${threadPath}/move`, signedIn: true },
  { name: 'comment-history', path: () => commentEditPath.replace(/\/edit$/, '/history'), signedIn: true },
  { name: 'comment-delete', path: () => commentEditPath.replace(/\/edit$/, '/delete'), signedIn: true },
  { name: 'guest-invitation', path: () => guestLink },
  { name: 'usage-public', path: '/usage' },
  { name: 'admin', path: '/admin', signedIn: true },
  { name: 'admin-deletion-requests', path: '/admin/deletion-requests', signedIn: true },
  { name: 'admin-security-log', path: '/admin/security-log', signedIn: true },
  { name: 'admin-usage', path: '/admin/usage', signedIn: true },
  { name: 'admin-policy', path: '/admin/policies/privacy', signedIn: true },
  { name: 'admin-jobs', path: '/admin/jobs', signedIn: true },
  { name: 'admin-emails', path: '/admin/emails', signedIn: true },
  { name: 'poll-new', path: () => `${threadPath}/polls/new`, signedIn: true },
  { name: 'poll-new-errors', path: () => `${threadPath}/polls/new`, signedIn: true, act: (p) => p.getByRole('button', { name: 'Raise' }).click() },
  { name: 'poll', path: () => pollPath, signedIn: true },
  { name: 'poll-public', path: () => pollPath },
  { name: 'group-poll-new', path: () => `${groupPath}/polls/new`, signedIn: true },
  { name: 'group-poll', path: () => groupPollPath, signedIn: true },
  { name: 'poll-invitation', path: () => voteLink },
  { name: 'poll-ranked-stv', path: () => rankedPath, signedIn: true },
  { name: 'poll-meeting', path: () => meetingPath, signedIn: true },
  { name: 'poll-print', path: () => `${rankedPath}/print`, signedIn: true },
  { name: 'group-templates', path: () => `${groupPath}/templates`, signedIn: true },
  { name: 'thread-new-from-template', path: () => `${groupPath}/threads/new?template=prepare_for_a_meeting`, signedIn: true },
  { name: 'help-counting', path: '/help/counting' },
  { name: 'notifications', path: '/notifications', signedIn: true },
  { name: 'notification-settings', path: '/profile/notifications', signedIn: true },
];

for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  for (const colorScheme of ['light', 'dark']) {
    test(`every page type, ${size}, ${colorScheme}: accessible, first-party only`, async () => {
      const context = await newContext(browser, weft.base, { viewport, colorScheme });
      const page = await context.newPage();
      const problems = [];
      for (const spec of pages) {
        if (spec.signedIn && !(await context.cookies()).some((c) => c.name.endsWith('weft_session'))) {
          await page.goto(`${weft.base}/login`);
          await page.getByRole('textbox', { name: 'Email address' }).nth(1).fill(email);
          await page.getByLabel('Password', { exact: true }).fill(password);
          await page.getByRole('button', { name: 'Log in' }).last().click();
          await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
        }
        const path = typeof spec.path === 'function' ? spec.path() : spec.path;
        const res = await page.goto(path.startsWith('http') ? path : `${weft.base}${path}`);
        // A sweep of error pages would prove nothing about the pages it means to cover.
        if (!spec.error && res.status() >= 400) problems.push(`${spec.name}: ${path} answered ${res.status()}`);
        if (spec.act) await spec.act(page);
        await page.waitForLoadState('load');
        await page.evaluate(axeSource);
        const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
        for (const v of result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))) {
          problems.push(`${spec.name}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        }
        await page.screenshot({ path: join(shots, `${spec.name}-${size}-${colorScheme}.png`), fullPage: true });
      }
      assert.deepEqual(problems, [], `axe violations:\n${problems.join('\n')}`);
      assert.deepEqual(context.foreign, [], 'requests to other origins');
      await context.close();
    });
  }
}
