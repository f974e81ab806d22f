/**
 * The benchmark's `--enumeration` mode: can the time of a self-service answer tell whether an address has an
 * account? For each step that takes an address it times requests for known and unknown addresses, in a
 * shuffled order, and prints both medians and p90s and the AUC (the probability that a random known
 * sample is slower than a random unknown one: 0.5 = indistinguishable). A benchmark, not a test: shared
 * machines are noisy, so read the AUC next to the sample count, and compare runs on the same machine.
 */
import { createHash, randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { auc, percentile, shuffledPairs } from './stats';

export interface EnumerationOptions {
  samples: number;
  /** Idle time after each timed request, so work left after an answer (the outbox) does not land on the next sample. */
  gapMs: number;
}

interface Api {
  baseUrl: string;
  adminToken: string;
}

interface Tenant {
  issuer: string;
  clientId: string;
  redirectUri: string;
}

type Label = 'known' | 'unknown';

interface Endpoint {
  name: string;
  known: string;
  unknown: string;
  /** Prepares one sample (not timed) and returns the timed request. */
  prepare(label: Label): Promise<() => Promise<Response>>;
}

const id = (name: string) => Buffer.from(`${name}:LOCAL`).toString('base64url');
const RECOVERY_EMAIL_ID = id('EmailRecovery');
const REGISTRATION_FORM_ID = id('PasswordRegistration');
const VERIFICATION_CODE_ID = id('EmailCodeVerification');

export async function runEnumeration(api: Api, options: EnumerationOptions): Promise<void> {
  const sink = await startSink();
  try {
    const tenant = await setUpTenant(api, sink.port);
    const slug = 'enumeration';
    const verified = `verified-${randomBytes(4).toString('hex')}@example.com`;
    const unverified = `unverified-${randomBytes(4).toString('hex')}@example.com`;
    for (const email of [verified, unverified])
      await admin(api, `/projects/${slug}/identities`, {
        traits: { email, name: 'Known' },
        password: 'known password 123',
      });
    await verifyAddress(tenant, sink, verified);
    sink.keepCodes(false);
    const unknown = () => `nobody-${randomBytes(6).toString('hex')}@example.com`;

    const endpoints: Endpoint[] = [
      {
        name: 'recovery: address step (EmailRecovery)',
        known: `${verified} (verified recovery address)`,
        unknown: 'a new random address each time',
        prepare: async (label) => {
          const flowId = await startFlow(tenant, 'recovery');
          const email = label === 'known' ? verified : unknown();
          return () =>
            post(`${tenant.issuer}/flows/recovery`, {
              flowId,
              selectedAuthenticator: { authenticatorId: RECOVERY_EMAIL_ID, params: { email } },
            });
        },
      },
      {
        name: 'verification: start',
        known: `${unverified} (unverified, gets a code)`,
        unknown: 'a new random address each time',
        prepare: async (label) => {
          const email = label === 'known' ? unverified : unknown();
          return () => post(`${tenant.issuer}/flows/verification`, { client_id: tenant.clientId, email });
        },
      },
      {
        name: 'registration: form step (PasswordRegistration)',
        known: `${verified} (taken)`,
        unknown: 'a new random address each time (created)',
        prepare: async (label) => {
          const flowId = await startFlow(tenant, 'registration');
          const email = label === 'known' ? verified : unknown();
          const params = { 'traits.email': email, 'traits.name': 'Bench', password: 'a long enough password' };
          return () =>
            post(`${tenant.issuer}/flows/registration`, {
              flowId,
              selectedAuthenticator: { authenticatorId: REGISTRATION_FORM_ID, params },
            });
        },
      },
    ];

    console.log(
      `\nEnumeration by timing: ${options.samples} known + ${options.samples} unknown samples per step, shuffled, ${options.gapMs} ms idle after each`,
    );
    console.log('AUC = P(a known sample is slower than an unknown one); 0.5 = indistinguishable\n');
    for (const endpoint of endpoints) {
      // Warm-up: JIT, caches and connections, for both kinds, before anything counts.
      for (const label of ['known', 'unknown', 'known', 'unknown'] as const)
        await timed(endpoint, label, options.gapMs);
      const times: Record<Label, number[]> = { known: [], unknown: [] };
      for (const label of shuffledPairs<Label>(options.samples, 'known', 'unknown'))
        times[label].push(await timed(endpoint, label, options.gapMs));
      report(endpoint, times);
    }
  } finally {
    await sink.stop();
  }
}

/** One timed request (ms); the answer must be a 200, as for every address. */
async function timed(endpoint: Endpoint, label: Label, gapMs: number): Promise<number> {
  const request = await endpoint.prepare(label);
  if (gapMs) await sleep(gapMs);
  const started = performance.now();
  const response = await request();
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== 200) throw new Error(`${endpoint.name} (${label}): HTTP ${response.status}`);
  if (gapMs) await sleep(gapMs);
  return elapsed;
}

function report(endpoint: Endpoint, times: Record<Label, number[]>): void {
  const f = (value: number) => value.toFixed(2).padStart(7);
  console.log(`${endpoint.name}`);
  console.log(
    `  known   (${endpoint.known}): median ${f(percentile(times.known, 50))} ms, p90 ${f(percentile(times.known, 90))} ms, n=${times.known.length}`,
  );
  console.log(
    `  unknown (${endpoint.unknown}): median ${f(percentile(times.unknown, 50))} ms, p90 ${f(percentile(times.unknown, 90))} ms, n=${times.unknown.length}`,
  );
  console.log(`  AUC ${auc(times.known, times.unknown).toFixed(3)}\n`);
}

async function setUpTenant(api: Api, smtpPort: number): Promise<Tenant> {
  const project = await admin(api, '/projects', { slug: 'enumeration', name: 'Enumeration' });
  const redirectUri = 'com.keyway.bench:/cb';
  const app = await admin(api, '/projects/enumeration/applications', {
    name: 'Bench',
    type: 'public',
    redirectUris: [redirectUri],
    appNative: true,
  });
  const smtp = await fetch(`${api.baseUrl}/api/admin/v1/projects/enumeration/email/smtp`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminToken}` },
    body: JSON.stringify({ host: '127.0.0.1', port: smtpPort, tlsMode: 'none', fromAddress: 'bench@keyway.local' }),
  });
  if (!smtp.ok) throw new Error(`SMTP settings: ${smtp.status} ${await smtp.text()}`);
  return { issuer: project['issuer']!, clientId: app['clientId']!, redirectUri };
}

/** Verifies an address the way a user does: the verification flow, with the code from the mail. */
async function verifyAddress(tenant: Tenant, sink: Sink, email: string): Promise<void> {
  const started = (await (
    await post(`${tenant.issuer}/flows/verification`, { client_id: tenant.clientId, email })
  ).json()) as { flowId: string };
  const code = await sink.codeFor(email);
  const done = (await (
    await post(`${tenant.issuer}/flows/verification`, {
      flowId: started.flowId,
      selectedAuthenticator: { authenticatorId: VERIFICATION_CODE_ID, params: { code } },
    })
  ).json()) as { flowStatus: string };
  if (done.flowStatus !== 'SUCCESS_COMPLETED') throw new Error(`could not verify ${email}: ${JSON.stringify(done)}`);
}

async function startFlow(tenant: Tenant, flow: 'recovery' | 'registration'): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const response = await post(`${tenant.issuer}/flows/${flow}`, {
    client_id: tenant.clientId,
    redirect_uri: tenant.redirectUri,
    scope: 'openid email',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const body = (await response.json()) as { flowId?: string };
  if (!body.flowId) throw new Error(`${flow} start: ${response.status} ${JSON.stringify(body)}`);
  return body.flowId;
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function admin(api: Api, path: string, body: unknown): Promise<Record<string, string>> {
  const response = await fetch(`${api.baseUrl}/api/admin/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminToken}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, string>>;
}

interface Sink {
  port: number;
  codeFor(email: string): Promise<string>;
  /** Off while measuring: then mail is only swallowed, so parsing it costs the timing client nothing. */
  keepCodes(on: boolean): void;
  stop(): Promise<void>;
}

/**
 * An SMTP server that accepts every mail, as a relay does: the known addresses' mail is really sent, so
 * the work it costs the API is in the measurement. Codes are kept to verify an address during setup.
 */
async function startSink(): Promise<Sink> {
  const codes = new Map<string, string>();
  let keep = true;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, session, callback) => {
      if (!keep) {
        stream.on('end', () => callback());
        stream.resume();
        return;
      }
      simpleParser(stream)
        .then((mail) => {
          const code = /\b(\d{6})\b/.exec(mail.text ?? '')?.[1];
          for (const rcpt of session.envelope.rcptTo) if (code) codes.set(rcpt.address.toLowerCase(), code);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    codeFor: async (email) => {
      for (let i = 0; i < 200; i++) {
        const code = codes.get(email.toLowerCase());
        if (code) return code;
        await sleep(50);
      }
      throw new Error(`no mail for ${email}`);
    },
    keepCodes: (on) => {
      keep = on;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
