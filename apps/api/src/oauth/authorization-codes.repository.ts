import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client';

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
  redirectUri: string;
  scope: string;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
}

@Injectable()
export class AuthorizationCodesRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Creates the SSO session and the authorization code that answers the flow, atomically. */
  async createWithSession(input: NewSessionAndCode): Promise<{ sessionId: string }> {
    const sessionId = randomUUID();
    const { projectId, identityId, amr, authTime } = input;
    await this.prisma.$transaction([
      this.prisma.session.create({ data: { id: sessionId, projectId, identityId, amr, authTime, expiresAt: input.sessionExpiresAt } }),
      this.prisma.authorizationCode.create({
        data: {
          projectId,
          applicationId: input.applicationId,
          identityId,
          sessionId,
          amr,
          authTime,
          codeHash: input.codeHash,
          expiresAt: input.codeExpiresAt,
          redirectUri: input.redirectUri,
          scope: input.scope,
          nonce: input.nonce ?? null,
          codeChallenge: input.codeChallenge ?? null,
          codeChallengeMethod: input.codeChallengeMethod ?? null,
        },
      }),
    ]);
    return { sessionId };
  }

  findByHash(codeHash: string): Promise<AuthorizationCodeRow | null> {
    return this.prisma.authorizationCode.findUnique({ where: { codeHash } });
  }

  /** Marks the code used; false when another request already did (single use, race-free). */
  async consume(id: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.authorizationCode.updateMany({ where: { id, consumedAt: null }, data: { consumedAt: now } });
    return count === 1;
  }
}
