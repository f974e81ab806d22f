import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client';
import { isNotFound } from '../prisma/prisma-errors';

export type AuthorizationCodeRow = Prisma.AuthorizationCodeGetPayload<object>;

export interface NewSessionAndCode {
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
}

@Injectable()
export class AuthorizationCodesRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Creates the SSO session, then the authorization code that answers the flow. No transaction (two round
   * trips instead of four on the login path): a session whose code failed to insert is unusable and expires.
   */
  async createWithSession(input: NewSessionAndCode): Promise<{ sessionId: string }> {
    const sessionId = randomUUID();
    const { projectId, identityId, amr, authTime } = input;
    await this.prisma.session.create({
      data: { id: sessionId, projectId, identityId, amr, authTime, expiresAt: input.sessionExpiresAt },
      select: { id: true },
    });
    await this.prisma.authorizationCode.create({
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
    return { sessionId };
  }

  /**
   * Marks an unused code used and returns it, in one statement: single use without a race, and one round
   * trip on the token path. Undefined when no unused code has this hash (see findByHash for why).
   */
  async consume(codeHash: string, now: Date): Promise<AuthorizationCodeRow | undefined> {
    try {
      return await this.prisma.authorizationCode.update({ where: { codeHash, consumedAt: null }, data: { consumedAt: now } });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  findByHash(codeHash: string): Promise<AuthorizationCodeRow | null> {
    return this.prisma.authorizationCode.findUnique({ where: { codeHash } });
  }
}
