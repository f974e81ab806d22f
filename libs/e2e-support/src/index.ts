/**
 * End-to-end test support shared by the suites (apps/*-e2e): the built API booted as a real process on a
 * fresh database, and the headless Chromium the browser tests drive.
 */
export { CHROMIUM_ARGS, launchChromium, resolveChromium, type BrowserSource, type ResolvedBrowser } from './browser';
export { E2E_DATABASE, freePort, startKeyway, type E2EDatabase, type KeywayServer } from './keyway-server';
