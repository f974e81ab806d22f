import { freePort, launchChromium, startKeyway, type KeywayServer } from '@keyway/e2e-support';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startConsole, type ConsoleServer } from './console-server';

/** Screenshots of every page the suites visit (git-ignored, under dist/). */
export const SCREENSHOTS = path.resolve(__dirname, '../../../../dist/console-e2e/screenshots');
export const OWNER = 'owner@keyway.local';

/** The API and the console as real processes, a Chromium page, and the first owner's password. */
export interface ConsoleSession {
  api: KeywayServer;
  consoleServer: ConsoleServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  ownerPassword: string;
  /** The console's URL of a path. */
  url(pathname: string): string;
  /** A full-page screenshot of the page as it is, under SCREENSHOTS. */
  shot(name: string): Promise<unknown>;
  /** The admin API with the root token, as automation would call it (set-up the test does not click through). */
  rootAdmin(method: string, pathname: string, body?: unknown): Promise<Response>;
  /** Signs the first owner in through the console's sign-in page with the password and waits for the shell. */
  signInAsOwner(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Boots the built API (PGlite or PostgreSQL: E2E_DATABASE) and the production build of the console, makes
 * the first owner (the embedded default prints one; PostgreSQL gets one from `create-owner`, as an operator
 * would) and opens Chromium. `apiEnv` adds to the API's environment.
 */
export async function startConsoleSession(options: { apiEnv?: Record<string, string> } = {}): Promise<ConsoleSession> {
  const port = await freePort();
  const api = await startKeyway({ env: { KEYWAY_CONSOLE_URL: `http://localhost:${port}`, ...options.apiEnv } });
  let consoleServer: ConsoleServer;
  try {
    consoleServer = await startConsole({ port, apiUrl: api.baseUrl, dataDir: api.dataDir });
  } catch (error) {
    await api.stop();
    throw error;
  }
  let ownerPassword: string;
  if (api.databaseUrl) {
    ownerPassword = `pw-${randomBytes(12).toString('base64url')}`;
    const created = await api.command(['create-owner', '--email', OWNER, '--password', ownerPassword]);
    if (created.exitCode !== 0) throw new Error(`create-owner failed:\n${created.output}`);
  } else ownerPassword = readFileSync(path.join(api.dataDir, 'owner-password'), 'utf8').trim();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const url = (pathname: string) => `${consoleServer.url}${pathname}`;

  return {
    api,
    consoleServer,
    browser,
    context,
    page,
    ownerPassword,
    url,
    shot: (name) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true }),
    rootAdmin: (method, pathname, body) =>
      fetch(`${api.baseUrl}/api/admin/v1${pathname}`, {
        method,
        headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    async signInAsOwner() {
      await page.goto(url('/sign-in'));
      await page.getByRole('textbox', { name: 'Username' }).fill(OWNER);
      await page.getByLabel('Password', { exact: true }).fill(ownerPassword);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(url('/'));
      await page.getByTestId('signed-in-user').filter({ hasText: OWNER }).waitFor();
    },
    async stop() {
      await browser.close();
      await consoleServer.stop();
      await api.stop();
    },
  };
}
