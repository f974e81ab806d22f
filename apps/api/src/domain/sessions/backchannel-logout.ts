import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import type { Prisma } from '../../generated/prisma/client';
import { signJwt } from '../../infra/crypto/jws';
import { EmailOutbox } from '../email/email-outbox';
import { OutboxJobs, type OutboxJob } from '../email/outbox-jobs';
import { SigningKeysService } from '../keys/signing-keys.service';
import { SIGNING_ALGS } from '../keys/signing-key-lifecycle';
import type { EndedSession, SessionEndHook } from './sessions.repository';
import { ProjectsService } from '../projects/projects.service';

const BACKCHANNEL_LOGOUT_JOB = 'job:backchannel-logout';
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Back-Channel Logout §2.4 recommends a short lifetime: the token is signed when it is sent, not when queued. */
const LOGOUT_TOKEN_TTL_SECONDS = 120;
const DELIVERY_TIMEOUT_MS = 5_000;

const Payload = z.object({
  issuer: z.string(),
  clientId: z.string(),
  sid: z.string(),
  sub: z.string(),
  /** Signed like the app's ID tokens (its id_token_signed_response_alg). */
  alg: z.enum(SIGNING_ALGS),
});
type Payload = z.infer<typeof Payload>;

/**
 * OpenID Connect Back-Channel Logout 1.0: when a session ends, each app that got a code in it and registered a
 * `backchannel_logout_uri` is sent a logout token (a JWT with `sid`, `sub` and the logout event) by a direct
 * POST. Delivery rides the durable outbox (as mail does): the jobs are written in the transaction that ends the
 * session, so they exist exactly when the logout does, and a down or failing app is retried with the outbox's
 * backoff until it answers 2xx or the attempts run out.
 */
@Injectable()
export class BackchannelLogout implements SessionEndHook {
  private readonly logger = new Logger('BackchannelLogout');

  constructor(
    private readonly outbox: EmailOutbox,
    private readonly keys: SigningKeysService,
    private readonly projects: ProjectsService,
    jobs: OutboxJobs,
  ) {
    jobs.register(BACKCHANNEL_LOGOUT_JOB, (job) => this.deliver(job));
  }

  /**
   * Queues a logout token for every app of the ended sessions that wants one, in the transaction that ends them
   * (a logout, a help-desk revocation, a password change ending the other sessions, a replayed code).
   */
  async sessionsEnded(tx: Prisma.TransactionClient, ended: EndedSession[]): Promise<void> {
    const byId = new Map(ended.map((session) => [session.id, session]));
    // The apps the sessions issued codes to: the ones the user is signed in to through them.
    const targets = await tx.$queryRaw<
      Array<{ sessionId: string; clientId: string; uri: string; alg: Payload['alg']; slug: string }>
    >`
      SELECT DISTINCT c."session_id"::text AS "sessionId", a."client_id" AS "clientId", a."backchannel_logout_uri" AS "uri",
        a."id_token_signed_response_alg" AS "alg", p."slug" AS "slug"
      FROM "authorization_codes" c
        JOIN "applications" a ON a."id" = c."application_id"
        JOIN "projects" p ON p."id" = a."project_id"
      WHERE c."session_id" = ANY(${[...byId.keys()]}::uuid[]) AND a."backchannel_logout_uri" IS NOT NULL`;
    for (const target of targets) {
      const session = byId.get(target.sessionId);
      if (!session) continue;
      const payload: Payload = {
        issuer: this.projects.issuerOf(target.slug),
        clientId: target.clientId,
        sid: session.id,
        sub: session.identityId,
        alg: target.alg,
      };
      await this.outbox.enqueueJob(tx, {
        projectId: session.projectId,
        kind: BACKCHANNEL_LOGOUT_JOB,
        to: target.uri,
        payload,
        idempotencyKey: `backchannel-logout:${session.id}:${target.clientId}`,
      });
    }
  }

  private async deliver(job: OutboxJob): Promise<void> {
    const payload = Payload.parse(job.payload);
    const token = await this.logoutToken(job.projectId, payload);
    const response = await fetch(job.to, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    // §2.8: 200 (or 204) means the RP logged the session out; anything else is tried again later.
    if (!response.ok) throw new Error(`back-channel logout to ${payload.clientId} answered ${response.status}`);
    this.logger.log({ clientId: payload.clientId, sid: payload.sid, backchannelLogout: 'delivered' });
    await job.transaction(async () => undefined);
  }

  private async logoutToken(projectId: string, payload: Payload): Promise<string> {
    const key = await this.keys.signingKey(projectId, payload.alg);
    const iat = Math.floor(Date.now() / 1000);
    return signJwt(key, 'logout+jwt', {
      iss: payload.issuer,
      sub: payload.sub,
      aud: payload.clientId,
      iat,
      exp: iat + LOGOUT_TOKEN_TTL_SECONDS,
      jti: randomUUID(),
      sid: payload.sid,
      events: { [LOGOUT_EVENT]: {} },
    });
  }
}
