import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { isNotFound } from '../../infra/database/prisma-errors';
import { SessionsRepository } from '../sessions/sessions.repository';

export type AuthorizationCodeRow = Prisma.AuthorizationCodeGetPayload<object>;

export interface NewSessionAndCode {
  /** Chosen by the caller: the after-flow hooks that run with the session know it beforehand. */
  sessionId: string;
  projectId: string;
  applicationId: string;
  identityId: string;
  amr: string[];
  authTime: Date;
  sessionExpiresAt: Date;
  codeHash: string;
  codeExpiresAt: Date;
  /** Undefined when the authorization request carried none (First-Party Apps). */
  redirectUri: string | undefined;
  scope: string;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
  /** The device the login completed on; undefined when unknown (stored as {}). */
  device?: { userAgent: string; ip: string | null; fingerprint: string } | undefined;
}

@Injectable()
export class AuthorizationCodesRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sessions: SessionsRepository,
  ) {}

  /**
   * Creates the SSO session (through its owner, SessionsRepository), then the authorization code that answers the flow. No transaction (two round
   * trips instead of four on the login path): a session whose code failed to insert is unusable and expires.
   * With `alsoInTransaction` (the after-flow hooks: a mail that must exist exactly when the session does), all three run in one.
   */
  async createWithSession(
    input: NewSessionAndCode,
    alsoInTransaction?: (tx: Prisma.TransactionClient) => Promise<unknown>,
  ): Promise<void> {
    if (!alsoInTransaction) return this.insert(undefined, input);
    await this.prisma.$transaction(async (tx) => {
      await this.insert(tx, input);
      await alsoInTransaction(tx);
    });
  }

  /**
   * A code in an existing SSO session (a later app of the same browser), carrying the session's amr and
   * auth_time; a session revoked meanwhile gets none (the insert selects the live session, in one statement).
   * False when nothing was stored.
   */
  async createInSession(input: Omit<NewSessionAndCode, 'sessionExpiresAt' | 'device'>, now: Date): Promise<boolean> {
    const id = randomUUID();
    const count = await this.prisma.$executeRaw`
      INSERT INTO "authorization_codes" ("id", "project_id", "application_id", "identity_id", "session_id", "amr",
        "auth_time", "code_hash", "expires_at", "redirect_uri", "scope", "nonce", "code_challenge", "code_challenge_method")
      SELECT ${id}::uuid, ${input.projectId}::uuid, ${input.applicationId}::uuid, ${input.identityId}::uuid, s."id",
        ${input.amr}::text[], ${input.authTime}, ${input.codeHash}, ${input.codeExpiresAt}, ${input.redirectUri ?? null},
        ${input.scope}, ${input.nonce ?? null}, ${input.codeChallenge ?? null}, ${input.codeChallengeMethod ?? null}
      FROM "sessions" s
      WHERE s."id" = ${input.sessionId}::uuid AND s."identity_id" = ${input.identityId}::uuid
        AND s."revoked_at" IS NULL AND s."expires_at" > ${now}`;
    return count === 1;
  }

  private async insert(tx: Prisma.TransactionClient | undefined, input: NewSessionAndCode): Promise<void> {
    const { sessionId, projectId, identityId, amr, authTime, device } = input;
    await this.sessions.create(tx, {
      id: sessionId,
      projectId,
      identityId,
      amr,
      authTime,
      expiresAt: input.sessionExpiresAt,
      device,
    });
    await (tx ?? this.prisma).authorizationCode.create({
      data: {
        projectId,
        applicationId: input.applicationId,
        identityId,
        sessionId,
        amr,
        authTime,
        codeHash: input.codeHash,
        expiresAt: input.codeExpiresAt,
        redirectUri: input.redirectUri ?? null,
        scope: input.scope,
        nonce: input.nonce ?? null,
        codeChallenge: input.codeChallenge ?? null,
        codeChallengeMethod: input.codeChallengeMethod ?? null,
      },
      select: { id: true },
    });
  }

  /**
   * Marks an unused code used and returns it, in one statement: single use without a race, and one round
   * trip on the token path. Undefined when no unused code has this hash (see findByHash for why).
   */
  async consume(codeHash: string, now: Date): Promise<AuthorizationCodeRow | undefined> {
    try {
      return await this.prisma.authorizationCode.update({
        where: { codeHash, consumedAt: null },
        data: { consumedAt: now },
      });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  findByHash(codeHash: string): Promise<AuthorizationCodeRow | null> {
    return this.prisma.authorizationCode.findUnique({ where: { codeHash } });
  }
}
