import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

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

export interface UpstreamProvider {
  issuer: string;
  jwksUri: string;
  /** A real ID token from oidc-provider's own IdToken model, signed with its key for the client's alg. */
  mintIdToken(clientId: string, request: UpstreamIdTokenRequest): Promise<string>;
  close(): Promise<void>;
}

/**
 * oidc-provider (OpenID certified) as the upstream identity provider, in the test process on 127.0.0.1 with its
 * own keys, serving its real discovery and JWKS. `clients` maps client ids to their ID token alg.
 */
export async function startUpstreamProvider(clients: Record<string, UpstreamAlg>): Promise<UpstreamProvider> {
  const { default: Provider } = await import('oidc-provider');
  const server = await listen();
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
      client_secret: 'upstream-client-secret',
      redirect_uris: ['https://app.example/callback'],
      id_token_signed_response_alg: alg,
    })),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    ttl: { IdToken: 3600 },
  });
  server.on('request', provider.callback());

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
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
