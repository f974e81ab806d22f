import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

const UPSTREAM_CLIENT_SECRET = 'upstream-client-secret';

/** The algs the upstream test provider signs with, one key each. */
export type UpstreamAlg = 'RS256' | 'ES256' | 'PS256' | 'EdDSA';

export interface UpstreamIdTokenRequest {
  sub: string;
  nonce?: string;
  /** oidc-provider turns the access token into at_hash with the client's alg. */
  accessToken?: string;
  /** How the user signed in upstream (oidc-provider takes it from its session, here set directly). */
  amr?: string[];
  /** Epoch seconds; in the past for an expired token. */
  expiresAt?: number;
  /** Claims beyond sub, released under the email/profile scopes. */
  claims?: Record<string, unknown>;
}

/** Who the provider's login page signs in next (the user at the provider, in a redirect-mode test). */
export interface UpstreamAccount {
  sub: string;
  claims?: Record<string, unknown>;
  amr?: string[];
}

export interface UpstreamProviderOptions {
  /** Where the provider may send its clients' users back to (Keyway's callback, an app's redirect URI). */
  redirectUris?: string[];
  /** How clients authenticate at the token endpoint (Keyway's connections send the secret in the body). */
  tokenEndpointAuthMethod?: 'client_secret_post' | 'client_secret_basic';
}

export interface UpstreamProvider {
  issuer: string;
  jwksUri: string;
  discoveryUrl: string;
  clientSecret: string;
  /** A real ID token from oidc-provider's own IdToken model, signed with its key for the client's alg. */
  mintIdToken(clientId: string, request: UpstreamIdTokenRequest): Promise<string>;
  /**
   * The account the provider's login interaction signs in from now on: a browser (or an HTTP client) sent to its
   * authorization endpoint comes straight back with a code, as if the user had signed in and consented.
   */
  signInAs(account: UpstreamAccount): void;
  /** Follows the provider's redirects for an authorization URL, as a browser would; returns the callback URL. */
  authorize(authorizationUrl: string): Promise<URL>;
  close(): Promise<void>;
}

/**
 * oidc-provider (OpenID certified) as the upstream identity provider, in the test process on 127.0.0.1 with its
 * own keys, serving its real discovery and JWKS. `clients` maps client ids to their ID token alg.
 */
export async function startUpstreamProvider(
  clients: Record<string, UpstreamAlg>,
  options: UpstreamProviderOptions = {},
): Promise<UpstreamProvider> {
  const { default: Provider } = await import('oidc-provider');
  const server = await listen();
  let account: UpstreamAccount | undefined;
  const accounts = new Map<string, UpstreamAccount>();
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const keys: JWK[] = [];
  for (const alg of new Set(Object.values(clients))) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    keys.push({ ...(await exportJWK(privateKey)), kid: `${alg}-key`, alg, use: 'sig' });
  }
  const provider = new Provider(issuer, {
    jwks: { keys },
    clients: Object.entries(clients).map(([clientId, alg]) => ({
      client_id: clientId,
      client_secret: UPSTREAM_CLIENT_SECRET,
      redirect_uris: options.redirectUris ?? ['https://app.example/callback'],
      id_token_signed_response_alg: alg,
      token_endpoint_auth_method: options.tokenEndpointAuthMethod ?? 'client_secret_post',
    })),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const known = accounts.get(sub);
      return known && { accountId: sub, claims: () => ({ ...known.claims, sub }) };
    },
    ttl: { IdToken: 3600, AccessToken: 3600, Interaction: 600, Grant: 3600, Session: 3600 },
  });
  const callback = provider.callback();
  server.on('request', (request, response) => {
    const uid = /^\/interaction\/([^/?]+)/.exec(request.url ?? '')?.[1];
    if (!uid) return void callback(request, response);
    // The provider's own login and consent pages, answered at once for the account the test chose.
    void (async () => {
      const details = await provider.interactionDetails(request, response);
      if (!account) throw new Error('signInAs() was not called: nobody signs in at the upstream provider');
      const clientId = String(details.params['client_id']);
      const grant = new provider.Grant({ accountId: account.sub, clientId });
      grant.addOIDCScope(String(details.params['scope']));
      const grantId = await grant.save();
      await provider.interactionFinished(
        request,
        response,
        { login: { accountId: account.sub, ...(account.amr ? { amr: account.amr } : {}) }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    clientSecret: UPSTREAM_CLIENT_SECRET,
    signInAs(next) {
      account = next;
      accounts.set(next.sub, next);
    },
    async authorize(authorizationUrl) {
      // A cookie jar of one provider: its interaction and session cookies, sent back on every hop.
      const cookies = new Map<string, string>();
      let url = new URL(authorizationUrl);
      for (let hop = 0; hop < 10; hop += 1) {
        if (url.origin !== issuer) return url;
        const response = await fetch(url, {
          redirect: 'manual',
          headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
        });
        for (const header of response.headers.getSetCookie()) {
          const [pair = ''] = header.split(';');
          const separator = pair.indexOf('=');
          cookies.set(pair.slice(0, separator), pair.slice(separator + 1));
        }
        const location = response.headers.get('location');
        if (!location)
          throw new Error(`upstream answered ${response.status} without a redirect: ${await response.text()}`);
        url = new URL(location, url);
      }
      throw new Error('too many upstream redirects');
    },
    async mintIdToken(clientId, request) {
      const client = await provider.Client.find(clientId);
      if (!client) throw new Error(`unknown upstream client ${clientId}`);
      const idToken = new provider.IdToken({ ...request.claims, sub: request.sub }, { client });
      // The model releases claims by scope; its typings leave the field out.
      Object.assign(idToken, { scope: 'openid email profile' });
      if (request.nonce !== undefined) idToken.set('nonce', request.nonce);
      if (request.amr !== undefined) idToken.set('amr', request.amr);
      if (request.accessToken !== undefined) idToken.set('at_hash', request.accessToken);
      return String(await idToken.issue({ use: 'idtoken', expiresAt: request.expiresAt }));
    },
    close: () => close(server),
  };
}

/** A JWKS endpoint whose keys the test swaps, counting how often it is fetched. */
export interface KeySetServer {
  jwksUri: string;
  fetches: number;
  publish(keys: JWK[]): void;
  close(): Promise<void>;
}

export async function startKeySetServer(keys: JWK[]): Promise<KeySetServer> {
  let published = keys;
  const server = await listen();
  const keySet: KeySetServer = {
    jwksUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    fetches: 0,
    publish: (next) => void (published = next),
    close: () => close(server),
  };
  server.on('request', (_request, response) => {
    keySet.fetches += 1;
    response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: published }));
  });
  return keySet;
}

async function listen(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
