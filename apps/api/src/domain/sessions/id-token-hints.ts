import { Injectable } from '@nestjs/common';
import { compactVerify } from 'jose';
import { z } from 'zod';
import { SigningKeysService } from '../keys/signing-keys.service';
import { SIGNING_ALGS } from '../keys/signing-key-lifecycle';
import type { Project } from '../projects/projects.service';

/** What an id_token_hint tells: whose token, for which app, in which session. */
export interface IdTokenHint {
  subject: string;
  clientIds: string[];
  sessionId: string | undefined;
}

const Claims = z.object({
  iss: z.string(),
  sub: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  sid: z.string().optional(),
});

/**
 * Reads an `id_token_hint` (OIDC Core §3.1.2.1, RP-Initiated Logout §2): an ID token this issuer signed. Its
 * expiry is deliberately not checked (a hint is usually an old token, the specs say so); the signature, by a key
 * still in the JWKS, and the issuer are.
 */
@Injectable()
export class IdTokenHints {
  constructor(private readonly keys: SigningKeysService) {}

  async read(project: Project, token: string | undefined): Promise<IdTokenHint | undefined> {
    if (!token) return undefined;
    const keys = await this.keys.verificationKeys(project.id);
    const verified = await compactVerify(token, keys, { algorithms: [...SIGNING_ALGS] }).catch(() => undefined);
    if (!verified || verified.protectedHeader.typ === 'at+jwt') return undefined;
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(verified.payload));
    } catch {
      return undefined;
    }
    const claims = Claims.safeParse(json);
    if (!claims.success || claims.data.iss !== project.issuer) return undefined;
    const { sub, aud, sid } = claims.data;
    return { subject: sub, clientIds: typeof aud === 'string' ? [aud] : aud, sessionId: sid };
  }
}
