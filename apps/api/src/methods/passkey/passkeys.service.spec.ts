import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SoftwareAuthenticator } from '@keyway/webauthn-testing';
import { openDatabase, type Database } from '../../infra/database/database';
import { ProjectSettings } from '../../domain/projects/project-settings';
import { PasskeyCredentialsRepository } from './passkey-credentials.repository';
import { PasskeysService } from './passkeys.service';
import { relyingPartyOf } from './relying-party';
import { RegistrationCredential, AuthenticationCredential } from './webauthn-json';

// The service against a real (embedded) database and real WebAuthn data from a software authenticator.
describe('PasskeysService', () => {
  const publicUrl = 'https://id.example.com';
  const origin = 'https://id.example.com';
  let dataDir: string;
  let db: Database;
  let service: PasskeysService;
  let project: { id: string; name: string; settings: ProjectSettings };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'keyway-passkeys-'));
    db = await openDatabase({ dataDir });
    service = new PasskeysService(new PasskeyCredentialsRepository(db.prisma), { publicUrl });
    const row = await db.prisma.project.create({ data: { slug: 'passkeys', name: 'Passkeys' } });
    project = { id: row.id, name: row.name, settings: ProjectSettings.parse({}) };
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function newIdentity(email = `u${Math.random().toString(36).slice(2)}@example.com`) {
    return db.prisma.identity.create({ data: { projectId: project.id, traits: { email, name: 'Pat' } } });
  }

  /** Registers a passkey for a new identity; returns both. */
  async function enrolled(authenticator = new SoftwareAuthenticator({ origin })) {
    const identity = await newIdentity();
    const options = await service.registrationOptions(project, identity);
    if (options === 'limit') throw new Error('limit');
    const result = await service.register(
      project,
      identity.id,
      RegistrationCredential.parse(authenticator.create(options)),
      'Laptop',
    );
    expect(result.outcome).toBe('registered');
    return { identity, authenticator };
  }

  async function assert(
    authenticator: SoftwareAuthenticator,
    identityId: string | null,
    overrides: Parameters<SoftwareAuthenticator['get']>[1] = {},
  ) {
    const { options, userVerification } = await service.signInChallenge(project, identityId);
    const response = AuthenticationCredential.parse(authenticator.get(options, overrides));
    const found = await service.findPasskey(project.id, response.id);
    if (!found) return { outcome: 'unknown' as const };
    return service.verifyAssertion(project, found, response, { challenge: options.challenge, userVerification });
  }

  describe('registration', () => {
    it('offers creation options for a discoverable credential with no attestation, bound to the relying party', async () => {
      const identity = await newIdentity('pat@example.com');
      const options = await service.registrationOptions(project, identity);
      expect(options).toMatchObject({
        rp: { id: 'id.example.com', name: 'Passkeys' },
        user: { name: 'pat@example.com', displayName: 'Pat' },
        attestation: 'none',
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
        excludeCredentials: [],
      });
    });

    it('stores the passkey, lists it and excludes it from the next options', async () => {
      const { identity } = await enrolled();
      const [passkey] = await service.list(identity.id);
      expect(passkey).toEqual({
        id: expect.any(String),
        name: 'Laptop',
        createdAt: expect.any(String),
        lastUsedAt: null,
        transports: ['internal'],
        backedUp: false,
      });
      const next = await service.registrationOptions(project, identity);
      expect(next !== 'limit' && next.excludeCredentials?.map(({ id }) => id)).toEqual([passkey?.id]);
    });

    it('spends the challenge on the first answer, right or wrong', async () => {
      const identity = await newIdentity();
      const authenticator = new SoftwareAuthenticator({ origin });
      const options = await service.registrationOptions(project, identity);
      if (options === 'limit') throw new Error('limit');
      const wrong = await service.register(
        project,
        identity.id,
        RegistrationCredential.parse(authenticator.create(options, { origin: 'https://evil.example' })),
      );
      expect(wrong).toEqual({ outcome: 'invalid', reason: expect.stringMatching(/origin/) });
      const retried = await service.register(
        project,
        identity.id,
        RegistrationCredential.parse(authenticator.create(options)),
      );
      expect(retried).toEqual({ outcome: 'not-pending' });
      expect(await service.list(identity.id)).toEqual([]);
    });

    it('refuses an expired challenge, a wrong RP ID and a registration nobody asked for', async () => {
      const identity = await newIdentity();
      const authenticator = new SoftwareAuthenticator({ origin });
      expect(
        await service.register(
          project,
          identity.id,
          RegistrationCredential.parse(
            authenticator.create({
              challenge: 'AAAA',
              rp: { name: 'x' },
              user: { id: 'AA', name: 'x', displayName: 'x' },
            }),
          ),
        ),
      ).toEqual({
        outcome: 'not-pending',
      });
      const old = await service.registrationOptions(project, identity, new Date(Date.now() - 6 * 60_000));
      if (old === 'limit') throw new Error('limit');
      expect(
        await service.register(project, identity.id, RegistrationCredential.parse(authenticator.create(old))),
      ).toEqual({ outcome: 'not-pending' });
      const options = await service.registrationOptions(project, identity);
      if (options === 'limit') throw new Error('limit');
      expect(
        await service.register(
          project,
          identity.id,
          RegistrationCredential.parse(authenticator.create(options, { rpId: 'example.org' })),
        ),
      ).toEqual({
        outcome: 'invalid',
        reason: expect.stringMatching(/RP ID/),
      });
    });

    it('refuses a passkey registered already, to this identity or another of the project', async () => {
      const { identity, authenticator } = await enrolled();
      const passkeyId = authenticator.credentials[0]!.id;
      const again = await service.registrationOptions(project, identity);
      if (again === 'limit') throw new Error('limit');
      // A client that ignores excludeCredentials (or a cloned authenticator) attests the same credential again.
      expect(
        await service.register(
          project,
          identity.id,
          RegistrationCredential.parse(authenticator.create(again, { credentialId: passkeyId })),
        ),
      ).toEqual({
        outcome: 'duplicate',
      });
      const other = await newIdentity();
      const options = await service.registrationOptions(project, other);
      if (options === 'limit') throw new Error('limit');
      expect(
        await service.register(
          project,
          other.id,
          RegistrationCredential.parse(authenticator.create(options, { credentialId: passkeyId })),
        ),
      ).toEqual({
        outcome: 'duplicate',
      });
      expect(await service.list(other.id)).toEqual([]);
    });

    it('answers 409 (retry), not a 500, when every compare-and-set loses to concurrent requests', async () => {
      const identity = await newIdentity();
      const repository = new PasskeyCredentialsRepository(db.prisma);
      jest.spyOn(repository, 'compareAndSetConfig').mockResolvedValue(false);
      const racing = new PasskeysService(repository, { publicUrl });
      await expect(racing.registrationOptions(project, identity)).rejects.toMatchObject({
        status: 409,
        code: 'KW-40900',
      });
    });

    it('removes a passkey, which then no longer signs in', async () => {
      const { identity, authenticator } = await enrolled();
      const [passkey] = await service.list(identity.id);
      expect(await service.remove(identity.id, 'nope')).toBe(false);
      expect(await service.remove(identity.id, passkey!.id)).toBe(true);
      expect(await service.list(identity.id)).toEqual([]);
      expect(await assert(authenticator, null)).toEqual({ outcome: 'unknown' });
    });
  });

  describe('sign-in', () => {
    it('asks for user verification and lists no credentials when the passkey alone signs in', async () => {
      const { options, userVerification } = await service.signInChallenge(project, null);
      expect(userVerification).toBe('required');
      expect(options).toMatchObject({ rpId: 'id.example.com', userVerification: 'required' });
      expect(options.allowCredentials).toBeUndefined();
    });

    it("lists the identity's passkeys and only prefers user verification for a second factor", async () => {
      const { identity } = await enrolled();
      const [passkey] = await service.list(identity.id);
      const { options, userVerification } = await service.signInChallenge(project, identity.id);
      expect(userVerification).toBe('preferred');
      expect(options.allowCredentials).toEqual([{ id: passkey!.id, type: 'public-key', transports: ['internal'] }]);
    });

    it('verifies an assertion, stores the counter and the time of use', async () => {
      const { identity, authenticator } = await enrolled();
      expect(await assert(authenticator, null)).toEqual({
        outcome: 'verified',
        userVerified: true,
        deviceType: 'singleDevice',
      });
      const [passkey] = await service.list(identity.id);
      expect(passkey?.lastUsedAt).toEqual(expect.any(String));
      expect(authenticator.credentials[0]?.counter).toBe(1);
      expect(await assert(authenticator, identity.id)).toMatchObject({ outcome: 'verified' });
    });

    it('refuses a counter that does not increase, and a user handle of someone else', async () => {
      const { authenticator } = await enrolled();
      expect(await assert(authenticator, null, { counter: 5 })).toMatchObject({ outcome: 'verified' });
      expect(await assert(authenticator, null, { counter: 5 })).toEqual({
        outcome: 'invalid',
        reason: expect.stringMatching(/counter/),
      });
      expect(await assert(authenticator, null, { counter: 4 })).toEqual({
        outcome: 'invalid',
        reason: expect.stringMatching(/counter/),
      });
      expect(await assert(authenticator, null, { counter: 6 })).toMatchObject({ outcome: 'verified' });
      authenticator.credentials[0]!.userHandle = 'c29tZW9uZS1lbHNl';
      expect(await assert(authenticator, null)).toEqual({
        outcome: 'invalid',
        reason: expect.stringMatching(/user handle/),
      });
    });

    it('accepts two racing assertions with the same counter at most once', async () => {
      const { authenticator } = await enrolled();
      const { options, userVerification } = await service.signInChallenge(project, null);
      const a = AuthenticationCredential.parse(authenticator.get(options, { counter: 7 }));
      const b = AuthenticationCredential.parse(authenticator.get(options, { counter: 7 }));
      const [foundA, foundB] = await Promise.all([
        service.findPasskey(project.id, a.id),
        service.findPasskey(project.id, b.id),
      ]);
      const results = await Promise.all([
        service.verifyAssertion(project, foundA!, a, { challenge: options.challenge, userVerification }),
        service.verifyAssertion(project, foundB!, b, { challenge: options.challenge, userVerification }),
      ]);
      expect(results.map((r) => r.outcome).sort()).toEqual(['invalid', 'verified']);
    });

    it('accepts counters that stay at zero (synced passkeys) and reports them as multi-device', async () => {
      const { authenticator } = await enrolled(new SoftwareAuthenticator({ origin, counts: false, synced: true }));
      expect(await assert(authenticator, null)).toEqual({
        outcome: 'verified',
        userVerified: true,
        deviceType: 'multiDevice',
      });
      expect(await assert(authenticator, null)).toMatchObject({ outcome: 'verified' });
    });

    it('requires user verification without a prior factor, but not as a second factor', async () => {
      const { identity, authenticator } = await enrolled();
      expect(await assert(authenticator, null, { userVerified: false })).toEqual({
        outcome: 'invalid',
        reason: expect.stringMatching(/User verification/),
      });
      expect(await assert(authenticator, identity.id, { userVerified: false })).toEqual({
        outcome: 'verified',
        userVerified: false,
        deviceType: 'singleDevice',
      });
    });

    it('refuses a wrong origin, RP ID or challenge', async () => {
      const { authenticator } = await enrolled();
      expect(await assert(authenticator, null, { origin: 'https://id.example.com.evil.example' })).toMatchObject({
        outcome: 'invalid',
      });
      expect(await assert(authenticator, null, { rpId: 'evil.example' })).toMatchObject({ outcome: 'invalid' });
      expect(await assert(authenticator, null, { challenge: 'bm90LXRoZS1jaGFsbGVuZ2U' })).toMatchObject({
        outcome: 'invalid',
      });
      expect(await assert(authenticator, null, { type: 'webauthn.create' })).toMatchObject({ outcome: 'invalid' });
    });
  });
});

describe('relyingPartyOf', () => {
  it('follows KEYWAY_PUBLIC_URL and the project name unless the project says otherwise', () => {
    const defaults = { name: 'Demo', settings: ProjectSettings.parse({}) };
    expect(relyingPartyOf(defaults, 'http://localhost:3000')).toEqual({
      id: 'localhost',
      name: 'Demo',
      origins: ['http://localhost:3000'],
    });
    const android = 'android:apk-key-hash:' + 'A'.repeat(43);
    const configured = {
      name: 'Demo',
      settings: ProjectSettings.parse({
        webauthn: { rpId: 'example.com', rpName: 'Example', origins: ['https://login.example.com', android] },
      }),
    };
    expect(relyingPartyOf(configured, 'http://localhost:3000')).toEqual({
      id: 'example.com',
      name: 'Example',
      origins: ['https://login.example.com', android],
    });
  });
});
