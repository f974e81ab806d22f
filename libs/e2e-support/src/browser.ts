import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * The Chromium the browser tests drive, found without installing anything by hand (`npm test` must pass on
 * a fresh clone): `CHROMIUM_PATH` when set; else Playwright's own browser where one is installed (developer
 * laptops, macOS); else the Linux x64 build shipped inside the `@sparticuz/chromium` npm package.
 */
export type BrowserSource = 'CHROMIUM_PATH' | 'playwright' | '@sparticuz/chromium';

export interface ResolvedBrowser {
  executablePath: string;
  source: BrowserSource;
}

/**
 * Our own flags for every source, not @sparticuz/chromium's: its set is for AWS Lambda and includes
 * --disable-web-security, which would let the tests pass where a real browser enforces the rules they test
 * (CSP, cookies, origins). A headless shell only needs --no-sandbox to run as root in a container.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function resolveChromium(env: NodeJS.ProcessEnv = process.env): Promise<ResolvedBrowser> {
  const configured = env['CHROMIUM_PATH'];
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return { executablePath: configured, source: 'CHROMIUM_PATH' };
  }
  const playwrights = playwrightBrowser();
  if (playwrights) return { executablePath: playwrights, source: 'playwright' };
  return { executablePath: await sparticuzChromium(), source: '@sparticuz/chromium' };
}

/** A headless Chromium from resolveChromium(). */
export async function launchChromium(): Promise<Browser> {
  const { executablePath } = await resolveChromium();
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

/**
 * A platform passkey authenticator for the page, through CDP's WebAuthn domain: resident keys, user verification
 * that always succeeds, presence simulated (every ceremony, conditional mediation included, completes at once).
 */
export async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

/** Playwright's downloaded browser for this playwright-core version, if `playwright install` ever put one here. */
function playwrightBrowser(): string | undefined {
  try {
    const candidate = chromium.executablePath();
    return candidate && existsSync(candidate) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Unpacks @sparticuz/chromium (brotli, ~200 MB unpacked, a few seconds) once per version into the temp dir.
 * The package unpacks into `os.tmpdir()` itself and treats an existing `chromium` file as done, so two test
 * runs starting together could launch a half-written binary: it unpacks into a private staging dir instead,
 * which is then renamed into place atomically (the loser of a race discards its copy).
 *
 * The package is ESM-only and locates its files through import.meta.url, which Jest's CommonJS transform
 * cannot load: it runs in a plain Node child process.
 */
async function sparticuzChromium(): Promise<string> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `@sparticuz/chromium is a Linux x64 build; on ${process.platform}/${process.arch} set CHROMIUM_PATH to a Chromium or Chrome, or install Playwright's (npx playwright install chromium)`,
    );
  }
  // The package exports no package.json: read it next to its entry point.
  const packageJson = path.resolve(path.dirname(require.resolve('@sparticuz/chromium')), '..', 'package.json');
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  const target = path.join(tmpdir(), `keyway-sparticuz-chromium-${version}`);
  const binary = path.join(target, 'chromium');
  if (existsSync(binary)) return binary;
  const staging = mkdtempSync(path.join(tmpdir(), 'keyway-chromium-unpack-'));
  try {
    const script =
      "const { default: chromium } = await import('@sparticuz/chromium'); process.stdout.write(await chromium.executablePath());";
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.resolve(__dirname, '../../..'),
      env: { ...process.env, TMPDIR: staging },
    });
    if (stdout !== path.join(staging, 'chromium'))
      throw new Error(`@sparticuz/chromium unpacked to ${stdout}, expected ${staging}/chromium`);
    try {
      renameSync(staging, target);
    } catch (error) {
      if (!existsSync(binary)) throw error; // not a lost race
    }
    return binary;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
