import { Injectable } from '@nestjs/common';
import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { Application } from '../applications/application';

/** How long a fetch of a client's jwks_uri may take, before the assertion is refused. */
const FETCH_TIMEOUT_MS = 3_000;
/** After a fetch, an unknown kid waits this long before the set is fetched again (a flood of bad kids costs one fetch). */
const COOLDOWN_MS = 30_000;
/** A fetched set is used this long before it is fetched again (a client rotating keys is seen within it). */
const CACHE_MAX_AGE_MS = 10 * 60_000;

/**
 * The public keys of private_key_jwt clients, as jose key resolvers: the inline JWK Set, or the set at the
 * client's jwks_uri, fetched by jose (cached, refetched on an unknown kid after a cooldown, with a timeout).
 * One remote set per client, replaced when its jwks_uri changes.
 */
@Injectable()
export class ClientKeySets {
  private readonly remote = new Map<string, { uri: string; keys: JWTVerifyGetKey }>();

  /** The client's keys; undefined for a client that registered none. */
  resolverFor(application: Application): JWTVerifyGetKey | undefined {
    const uri = application.jwksUri;
    if (application.jwks || !uri) {
      this.remote.delete(application.id);
      return application.jwks ? createLocalJWKSet(application.jwks) : undefined;
    }
    const cached = this.remote.get(application.id);
    if (cached?.uri === uri) return cached.keys;
    const keys = createRemoteJWKSet(new URL(uri), {
      timeoutDuration: FETCH_TIMEOUT_MS,
      cooldownDuration: COOLDOWN_MS,
      cacheMaxAge: CACHE_MAX_AGE_MS,
    });
    this.remote.set(application.id, { uri, keys });
    return keys;
  }
}
