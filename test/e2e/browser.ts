// Headless Debian chromium (playwright-core) for the console's end-to-end tests, with the flags
// it needs on a machine without network, a page logged in through the login form, waiting for
// an element's text, and screenshots on request.
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const WAIT_MS = 20_000;
// Screenshots for the README are refreshed only on request (SWITCHYARD_SCREENSHOTS=docs/screenshots),
// so a test run leaves the working tree as it found it.
export const SCREENSHOTS = process.env.SWITCHYARD_SCREENSHOTS;

export async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
}

/** Waits until the element's trimmed text is `text`. */
export const textOf = (page: Page, selector: string, text: string) =>
  page.waitForFunction(([s, x]) => document.querySelector(s)?.textContent?.trim() === x, [selector, text] as const, { timeout: WAIT_MS });

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh browser profile at phone size (or TV size), logged in with an agent's phone credentials or a token. */
export async function loggedIn(browser: Browser, base: string, login: { extension: string; password: string } | { token: string }, size = { width: 390, height: 844 }): Promise<Page> {
  const context = await browser.newContext({ viewport: size });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.goto(base + '/');
  if ('token' in login) {
    await page.fill('input[name=token]', login.token);
    await page.click('text=Log in with token');
  } else {
    await page.fill('input[name=extension]', login.extension);
    await page.fill('input[name=password]', login.password);
    await page.click('text=Log in as agent');
  }
  await page.waitForSelector('.link.live');
  return page;
}
