import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  UnsecuredJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import {
  openScratchDatabase,
  type ScratchDatabase,
  singleProcessNotifications,
} from '../../infra/database/scratch-database.testing';
import type { Application } from '../applications/application';
import { ApplicationsRepository } from '../applications/applications.repository';
import { ApplicationsService } from '../applications/applications.service';
import { ProjectSettings } from '../projects/project-settings';
import type { Project } from '../projects/projects.service';
import { ClientAssertionVerifier, type ClientAuthenticationEndpoint } from './client-assertion.verifier';
import { ClientAssertionsRepository } from './client-assertions.repository';
import { ClientAuthenticator, readClientCredentials } from './client-authentication';
import { ClientKeySets } from './client-key-sets';

jest.setTimeout(60_000);

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('readClientCredentials', () => {
  it('reads form-urlencoded Basic credentials (RFC 6749 §2.3.1)', () => {
    expect(readClientCredentials(basic('my client', 'p@ss:word'), {})).toEqual({
      method: 'client_secret_basic',
      clientId: 'my client',
      clientSecret: 'p@ss:word',
    });
  });

  it('reads client_secret_post and public clients from the body', () => {
    expect(readClientCredentials(undefined, { client_id: 'a', client_secret: 'b' })).toEqual({
      method: 'client_secret_post',
      clientId: 'a',
      clientSecret: 'b',
    });
    expect(readClientCredentials(undefined, { client_id: 'a' })).toEqual({ method: 'none', clientId: 'a' });
  });

  it('refuses two methods at once, a mismatching client_id, and no client at all', () => {
    expect(() => readClientCredentials(basic('a', 'b'), { client_secret: 'b' })).toThrow(
      /one client authentication method/,
    );
    expect(() => readClientCredentials(basic('a', 'b'), { client_id: 'c' })).toThrow(/does not match/);
    expect(() => readClientCredentials(undefined, {})).toThrow(/client_id is required/);
    expect(() => readClientCredentials('Basic bm9jb2xvbg==', {})).toThrow(/malformed/);
  });

  it('refuses Basic credentials that decode to NUL bytes (they would reach a query)', () => {
    expect(() => readClientCredentials(basic('a\u0000b', 'x'), {})).toThrow(/client_id must not contain NUL/);
    expect(() => readClientCredentials(`Basic ${Buffer.from('a\u0000b:x').toString('base64')}`, {})).toThrow(
      /client_id must not contain NUL/,
    );
  });
});

describe('readClientCredentials: private_key_jwt (RFC 7523 §2.2)', () => {
  const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
  /** An unsigned-looking JWT: reading only decodes it; the signature is the authenticator's business. */
  const assertion = (claims: object) =>
    `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

  it('names the client by the assertion’s sub, client_id being optional', () => {
    const jwt = assertion({ sub: 'app' });
    expect(readClientCredentials(undefined, { client_assertion_type: JWT_BEARER, client_assertion: jwt })).toEqual({
      method: 'private_key_jwt',
      clientId: 'app',
      assertion: jwt,
    });
    expect(
      readClientCredentials(undefined, { client_id: 'app', client_assertion_type: JWT_BEARER, client_assertion: jwt }),
    ).toMatchObject({ method: 'private_key_jwt', clientId: 'app' });
  });

  it('refuses a client_id other than the sub', () => {
    expect(() =>
      readClientCredentials(undefined, {
        client_id: 'other',
        client_assertion_type: JWT_BEARER,
        client_assertion: assertion({ sub: 'app' }),
      }),
    ).toThrow(/does not match/);
  });

  it('refuses an assertion beside a secret or Basic credentials (one method per request)', () => {
    const body = { client_assertion_type: JWT_BEARER, client_assertion: assertion({ sub: 'app' }) };
    expect(() => readClientCredentials(undefined, { ...body, client_secret: 's' })).toThrow(
      expect.objectContaining({ error: 'invalid_request' }),
    );
    expect(() => readClientCredentials(basic('app', 's'), body)).toThrow(
      expect.objectContaining({ error: 'invalid_request' }),
    );
  });

  it('refuses half an assertion, another assertion type, a non-JWT and a JWT without sub', () => {
    expect(() => readClientCredentials(undefined, { client_assertion: assertion({ sub: 'app' }) })).toThrow(
      expect.objectContaining({ error: 'invalid_request' }),
    );
    expect(() =>
      readClientCredentials(undefined, {
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
        client_assertion: assertion({ sub: 'app' }),
      }),
    ).toThrow(expect.objectContaining({ error: 'invalid_client' }));
    expect(() =>
      readClientCredentials(undefined, { client_assertion_type: JWT_BEARER, client_assertion: 'not-a-jwt' }),
    ).toThrow(/not a JWT/);
    expect(() =>
      readClientCredentials(undefined, { client_assertion_type: JWT_BEARER, client_assertion: assertion({}) }),
    ).toThrow(/no usable sub/);
  });
});

// The authenticator with real client rows (PGlite; the jti store's SQL is under test in its repository spec, on
// both databases). Each client has one method; each row of a bad assertion changes one thing in a good one.
describe('ClientAuthenticator', () => {
  const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
  let scratch: ScratchDatabase;
  let authenticator: ClientAuthenticator;
  let project: Project;
  const clients = {} as Record<'public' | 'basic' | 'post' | 'inlineKeys' | 'remoteKeys', Application>;
  const secrets: Record<string, string> = {};
  let clientKey: CryptoKey;
  let otherKey: CryptoKey;
  let keyServer: Server;
  let served: JSONWebKeySet;

  beforeAll(async () => {
    scratch = await openScratchDatabase('pglite');
    const prisma = scratch.db.prisma;
    const row = await prisma.project.create({ data: { slug: `p${randomBytes(4).toString('hex')}`, name: 'P' } });
    project = {
      id: row.id,
      slug: row.slug,
      name: row.name,
      issuer: `https://id.example.com/t/${row.slug}`,
      settings: ProjectSettings.parse({}),
    };
    const pair = await generateKeyPair('ES256');
    clientKey = pair.privateKey;
    otherKey = (await generateKeyPair('ES256')).privateKey;
    const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', use: 'sig' }] };
    served = jwks;
    keyServer = createServer((_request, response) => response.end(JSON.stringify(served)));
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    const applications = new ApplicationsService(
      new ApplicationsRepository(prisma),
      singleProcessNotifications(prisma),
    );
    const app = (
      type: 'public' | 'confidential',
      auth: Partial<Pick<Application, 'tokenEndpointAuthMethod' | 'jwks' | 'jwksUri'>> = {},
    ) =>
      applications.create(project.id, {
        name: 'App',
        type,
        redirectUris: [],
        grantTypes: [],
        appNative: true,
        ...auth,
      });
    clients.public = (await app('public')).application;
    for (const method of ['basic', 'post'] as const) {
      const created = await app('confidential', { tokenEndpointAuthMethod: `client_secret_${method}` });
      clients[method] = created.application;
      secrets[method] = created.clientSecret ?? '';
    }
    clients.inlineKeys = (await app('confidential', { tokenEndpointAuthMethod: 'private_key_jwt', jwks })).application;
    const { port } = keyServer.address() as AddressInfo;
    clients.remoteKeys = (
      await app('confidential', {
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwksUri: `http://127.0.0.1:${port}/jwks`,
      })
    ).application;
    const verifier = new ClientAssertionVerifier(new ClientKeySets(), new ClientAssertionsRepository(prisma));
    authenticator = new ClientAuthenticator(applications, verifier);
  });

  afterAll(async () => {
    keyServer?.close();
    await scratch?.dispose();
  });

  const authenticate = (
    authorization: string | undefined,
    body: Record<string, string>,
    endpoint: ClientAuthenticationEndpoint = 'token',
  ) => authenticator.authenticate(project, readClientCredentials(authorization, body), endpoint);

  /** A good assertion of `client` for the token endpoint; `change` edits its claims, `header` its header. */
  async function assertion(
    client: Application,
    change: (claims: JWTPayload) => JWTPayload = (claims) => claims,
    options: { key?: CryptoKey; kid?: string } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims = change({
      iss: client.clientId,
      sub: client.clientId,
      aud: project.issuer,
      iat: now,
      exp: now + 60,
      jti: randomUUID(),
    });
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'k1' })
      .sign(options.key ?? clientKey);
  }
  const assertionBody = (jwt: string) => ({ client_assertion_type: JWT_BEARER, client_assertion: jwt });
  const basicOf = (client: Application, secret: string) =>
    `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}`;
  const refusal = (description: RegExp | string) =>
    expect.objectContaining({ error: 'invalid_client', status: 401, description: expect.stringMatching(description) });

  it('none: a public client names itself', async () => {
    await expect(authenticate(undefined, { client_id: clients.public.clientId })).resolves.toEqual(clients.public);
  });

  it('none: a public client that sends a secret is refused', async () => {
    await expect(authenticate(undefined, { client_id: clients.public.clientId, client_secret: 'x' })).rejects.toEqual(
      refusal(/does not authenticate with client_secret_post/),
    );
  });

  it('client_secret_basic: the secret by Basic authenticates, a wrong one does not', async () => {
    await expect(authenticate(basicOf(clients.basic, secrets['basic']!), {})).resolves.toEqual(clients.basic);
    await expect(authenticate(basicOf(clients.basic, 'wrong'), {})).rejects.toEqual(refusal(/failed/));
  });

  it('client_secret_post: the secret in the body authenticates, a wrong one does not', async () => {
    const clientId = clients.post.clientId;
    await expect(authenticate(undefined, { client_id: clientId, client_secret: secrets['post']! })).resolves.toEqual(
      clients.post,
    );
    await expect(authenticate(undefined, { client_id: clientId, client_secret: 'wrong' })).rejects.toEqual(
      refusal(/failed/),
    );
  });

  it('the right secret by another method than the registered one is refused', async () => {
    await expect(
      authenticate(undefined, { client_id: clients.basic.clientId, client_secret: secrets['basic']! }),
    ).rejects.toEqual(refusal(/does not authenticate with client_secret_post \(registered: client_secret_basic\)/));
    await expect(authenticate(basicOf(clients.post, secrets['post']!), {})).rejects.toEqual(
      refusal(/does not authenticate with client_secret_basic/),
    );
  });

  it('a confidential client that sends no credentials is refused', async () => {
    await expect(authenticate(undefined, { client_id: clients.basic.clientId })).rejects.toEqual(
      refusal(/must authenticate/),
    );
  });

  it('private_key_jwt: a good assertion authenticates, with aud the issuer or the endpoint called', async () => {
    const client = clients.inlineKeys;
    await expect(authenticate(undefined, assertionBody(await assertion(client)))).resolves.toEqual(client);
    const forRevoke = await assertion(client, (claims) => ({ ...claims, aud: [`${project.issuer}/oauth2/revoke`] }));
    await expect(authenticate(undefined, assertionBody(forRevoke), 'revoke')).resolves.toEqual(client);
  });

  it('private_key_jwt: keys at a jwks_uri are fetched', async () => {
    const client = clients.remoteKeys;
    await expect(authenticate(undefined, assertionBody(await assertion(client)))).resolves.toEqual(client);
  });

  it('private_key_jwt: a secret is refused for a client that signs assertions', async () => {
    await expect(authenticate(basicOf(clients.inlineKeys, 'guess'), {})).rejects.toEqual(
      refusal(/registered: private_key_jwt/),
    );
  });

  it('an assertion is refused for a client registered with a secret', async () => {
    await expect(authenticate(undefined, assertionBody(await assertion(clients.basic)))).rejects.toEqual(
      refusal(/does not authenticate with private_key_jwt/),
    );
  });

  it('private_key_jwt: a replayed assertion (same jti) is refused', async () => {
    const jwt = await assertion(clients.inlineKeys);
    await expect(authenticate(undefined, assertionBody(jwt))).resolves.toEqual(clients.inlineKeys);
    await expect(authenticate(undefined, assertionBody(jwt))).rejects.toEqual(refusal(/already used/));
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, (claims: JWTPayload) => JWTPayload, RegExp]>([
    ['another iss', (claims) => ({ ...claims, iss: 'someone-else' }), /"iss"/],
    // The client is found by sub: another sub names another client (here none), never this one.
    ['a sub naming no client', (claims) => ({ ...claims, sub: 'someone-else' }), /unknown client/],
    ['aud another server', (claims) => ({ ...claims, aud: 'https://other.example.com' }), /"aud"/],
    ['aud another endpoint', (claims) => ({ ...claims, aud: `${project.issuer}/oauth2/introspect` }), /"aud"/],
    ['expired', (claims) => ({ ...claims, iat: now() - 600, exp: now() - 300 }), /"exp"/],
    ['no exp', ({ exp: _exp, ...claims }) => claims, /"exp"/],
    ['exp more than five minutes ahead', (claims) => ({ ...claims, exp: now() + 3600 }), /too far ahead/],
    ['no jti', ({ jti: _jti, ...claims }) => claims, /"jti"/],
    ['an empty jti', (claims) => ({ ...claims, jti: '' }), /jti/],
    ['nbf in the future', (claims) => ({ ...claims, nbf: now() + 600 }), /"nbf"/],
  ])('private_key_jwt: refuses an assertion with %s', async (_name, change, description) => {
    const jwt = await assertion(clients.inlineKeys, change);
    await expect(authenticate(undefined, assertionBody(jwt))).rejects.toEqual(refusal(description));
  });

  it('private_key_jwt: refuses alg none', async () => {
    const claims = { iss: clients.inlineKeys.clientId, sub: clients.inlineKeys.clientId, aud: project.issuer };
    const unsigned = new UnsecuredJWT({ ...claims, jti: randomUUID() }).setExpirationTime('1m').encode();
    await expect(authenticate(undefined, assertionBody(unsigned))).rejects.toEqual(refusal(/alg/i));
  });

  it('private_key_jwt: refuses HS256 (a shared-secret MAC)', async () => {
    const client = clients.inlineKeys;
    const jwt = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(client.clientId)
      .setSubject(client.clientId)
      .setAudience(project.issuer)
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode('a'.repeat(32)));
    await expect(authenticate(undefined, assertionBody(jwt))).rejects.toEqual(refusal(/alg/i));
  });

  it('private_key_jwt: refuses an unknown kid and a signature by another key', async () => {
    const unknownKid = await assertion(clients.inlineKeys, undefined, { kid: 'k9' });
    await expect(authenticate(undefined, assertionBody(unknownKid))).rejects.toEqual(refusal(/no applicable key/));
    const forged = await assertion(clients.inlineKeys, undefined, { key: otherKey });
    await expect(authenticate(undefined, assertionBody(forged))).rejects.toEqual(refusal(/signature/));
  });

  it('private_key_jwt: an unreachable jwks_uri is the client’s failure (401), not the server’s', async () => {
    const unreachable = { ...clients.remoteKeys, id: randomUUID(), jwksUri: 'http://127.0.0.1:9/jwks' };
    const verifier = new ClientAssertionVerifier(
      new ClientKeySets(),
      new ClientAssertionsRepository(scratch.db.prisma),
    );
    await expect(verifier.verify(project, unreachable, await assertion(unreachable), 'token')).rejects.toEqual(
      refusal(/jwks_uri could not be read/),
    );
  });
});
