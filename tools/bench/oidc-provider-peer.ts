/**
 * The benchmark's peer: oidc-provider (OpenID certified) on PostgreSQL, started by tools/bench/bench.ts as a
 * child process (`node --import tsx tools/bench/oidc-provider-peer.ts`) so its CPU time and RSS can be read from
 * /proc apart from Keyway's. Configured to do what Keyway does on the measured rows:
 * - ES256 keys (and an RS256 one), JWT access tokens (RFC 9068, ES256) through resource indicators;
 * - refresh-token rotation, refresh tokens for the public PKCE client, ID tokens in ES256;
 * - client_credentials with a JWT access token for one resource;
 * - every model in PostgreSQL through `PostgresAdapter` on a `pg` pool sized like Keyway's (KEYWAY_DB_POOL_SIZE,
 *   default 10), with Keyway's statement_timeout and no synchronous_commit setting (Keyway sets none either, so
 *   both run at the server's default).
 *
 * Environment: PEER_PORT, PEER_DATABASE_URL. It creates its table and listens on 127.0.0.1 (ready when its
 * discovery document answers). Not a production configuration: the login interaction signs in BENCH_ACCOUNT at
 * once, as a browser that typed the password would.
 */
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import pg from 'pg';

/** The bench's fixed names: bench.ts drives the peer with them. */
export const PEER = {
  publicClientId: 'bench-native',
  redirectUri: 'com.keyway.bench:/cb',
  serviceClientId: 'bench-service',
  serviceClientSecret: 'bench-service-secret-0123456789abcdef',
  resource: 'https://api.bench.example/orders',
  resourceScope: 'orders:read',
  account: 'bench-user',
} as const;

/** Keyway's defaults (apps/api/src/infra/database/database.ts). */
const POOL_SIZE = Number(process.env['KEYWAY_DB_POOL_SIZE'] ?? 10);
const STATEMENT_TIMEOUT_MS = 15_000;

const TABLE = 'oidc_payloads';
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS ${TABLE} (
    model text NOT NULL,
    id text NOT NULL,
    payload jsonb NOT NULL,
    grant_id text,
    user_code text,
    uid text,
    expires_at timestamptz,
    consumed_at timestamptz,
    PRIMARY KEY (model, id)
  );
  CREATE INDEX IF NOT EXISTS ${TABLE}_grant_id ON ${TABLE} (grant_id) WHERE grant_id IS NOT NULL;
  CREATE INDEX IF NOT EXISTS ${TABLE}_user_code ON ${TABLE} (user_code) WHERE user_code IS NOT NULL;
  CREATE INDEX IF NOT EXISTS ${TABLE}_uid ON ${TABLE} (uid) WHERE uid IS NOT NULL;
`;

/**
 * oidc-provider's Adapter on one JSONB table keyed (model, id), like the reference adapters in its example folder:
 * grantId, userCode and uid are columns with indexes for the lookups by them, expiry and consumption are columns
 * so finding filters on them in SQL.
 */
export class PostgresAdapter implements Adapter {
  constructor(
    private readonly pool: pg.Pool,
    private readonly model: string,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${TABLE} (model, id, payload, grant_id, user_code, uid, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int > 0 THEN now() + make_interval(secs => $7::int) END)
       ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
         user_code = EXCLUDED.user_code, uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`,
      [
        this.model,
        id,
        payload,
        payload.grantId ?? null,
        payload.userCode ?? null,
        payload.uid ?? null,
        expiresIn ? Math.ceil(expiresIn) : 0,
      ],
    );
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.findBy('id', id);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findBy('uid', uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findBy('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    await this.pool.query(`UPDATE ${TABLE} SET consumed_at = now() WHERE model = $1 AND id = $2`, [this.model, id]);
  }

  async destroy(id: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${TABLE} WHERE model = $1 AND id = $2`, [this.model, id]);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${TABLE} WHERE grant_id = $1`, [grantId]);
  }

  private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    const { rows } = await this.pool.query<{ payload: AdapterPayload; consumed: boolean }>(
      `SELECT payload, consumed_at IS NOT NULL AS consumed FROM ${TABLE}
       WHERE model = $1 AND ${column} = $2 AND (expires_at IS NULL OR expires_at > now())`,
      [this.model, value],
    );
    const row = rows[0];
    if (!row) return undefined;
    return row.consumed ? { ...row.payload, consumed: true } : row.payload;
  }
}

async function main(): Promise<void> {
  const port = Number(process.env['PEER_PORT']);
  const databaseUrl = process.env['PEER_DATABASE_URL'];
  if (!port || !databaseUrl) throw new Error('PEER_PORT and PEER_DATABASE_URL are required');
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: POOL_SIZE,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  await pool.query(SCHEMA);

  const { default: Provider, errors } = await import('oidc-provider');
  const keys: JWK[] = [];
  for (const alg of ['ES256', 'RS256'] as const) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    keys.push({ ...(await exportJWK(privateKey)), kid: `${alg}-bench`, alg, use: 'sig' });
  }
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    adapter: (model: string) => new PostgresAdapter(pool, model),
    jwks: { keys },
    clients: [
      {
        client_id: PEER.publicClientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: [PEER.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
      },
      {
        client_id: PEER.serviceClientId,
        client_secret: PEER.serviceClientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'offline_access', 'email'],
    conformIdTokenClaims: true,
    rotateRefreshToken: true,
    // Keyway gives every refresh_token client a refresh token (no offline_access needed).
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => PEER.resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== PEER.resource) throw new errors.InvalidTarget();
          return {
            scope: PEER.resourceScope,
            audience: PEER.resource,
            accessTokenTTL: 900,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, email: 'bench@keyway.local', email_verified: true }),
    }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['bench-peer-cookie-key-0123456789'] },
    // Keyway's defaults: codes 60 s, access tokens 900 s, ID tokens 3600 s, refresh tokens 30 days.
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 900,
      ClientCredentials: 900,
      IdToken: 3600,
      RefreshToken: 30 * 24 * 3600,
      Grant: 90 * 24 * 3600,
      Session: 90 * 24 * 3600,
      Interaction: 600,
    },
  });
  const callback = provider.callback();
  const server = createServer((request, response) => {
    if (!request.url?.startsWith('/interaction/')) return void callback(request, response);
    // The login and consent pages, answered at once for BENCH_ACCOUNT with every scope asked for.
    void (async () => {
      const details = await provider.interactionDetails(request, response);
      const grant = new provider.Grant({ accountId: PEER.account, clientId: String(details.params['client_id']) });
      const oidcScope = String(details.params['scope'] ?? '')
        .split(' ')
        .filter((scope) => scope === 'openid' || scope === 'email')
        .join(' ');
      if (oidcScope) grant.addOIDCScope(oidcScope);
      grant.addResourceScope(PEER.resource, PEER.resourceScope);
      const grantId = await grant.save();
      await provider.interactionFinished(
        request,
        response,
        { login: { accountId: PEER.account, amr: ['pwd'] }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const stop = () => {
    server.closeAllConnections();
    server.close(() => void pool.end().finally(() => process.exit(0)));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
