// Debian's Chromium driven by playwright-core, with the flags this machine needs, and a guard that
// records every request to another origin (PRIVACY.md P1).
import { chromium } from 'playwright-core';

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A fresh browser profile; `foreign` collects every request that leaves the instance's origin. */
export async function newContext(browser, base, options = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  const origin = new URL(base).origin;
  context.foreign = [];
  context.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(origin) && !url.startsWith('data:')) context.foreign.push(url);
  });
  return context;
}
