/**
 * End-to-end test support shared by the suites (apps/*-e2e): the built API booted as a real process on a
 * fresh database, the headless Chromium the browser tests drive, and a real SMTP server that keeps the mail it gets.
 */
export {
  addVirtualAuthenticator,
  CHROMIUM_ARGS,
  launchChromium,
  resolveChromium,
  type BrowserSource,
  type ResolvedBrowser,
} from './browser';
export {
  E2E_DATABASE,
  freePort,
  startKeyway,
  type E2EDatabase,
  type KeywayReplica,
  type KeywayServer,
} from './keyway-server';
export { eventually, SmtpSink } from './smtp-sink';
export {
  startKeySetServer,
  startUpstreamProvider,
  type KeySetServer,
  type UpstreamAccount,
  type UpstreamAlg,
  type UpstreamProvider,
} from './upstream-provider';
