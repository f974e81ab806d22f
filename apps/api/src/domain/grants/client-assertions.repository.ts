import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../../generated/prisma/client';

/**
 * The jti of each private_key_jwt client assertion accepted, per client, until the assertion expires
 * (RFC 7523 §3: a jti is used once). The only writer of client_assertions.
 */
@Injectable()
export class ClientAssertionsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Records the first use of (client, jti): true for it, false for any replay. The primary key decides a race
   * (INSERT … ON CONFLICT DO NOTHING), so of two concurrent uses exactly one wins. A row whose assertion has
   * expired no longer blocks its jti: it is dropped and the insert tried again, once.
   */
  async recordFirstUse(applicationId: string, jti: string, expiresAt: Date, now: Date): Promise<boolean> {
    const insert = () =>
      this.prisma.clientAssertion.createMany({ data: [{ applicationId, jti, expiresAt }], skipDuplicates: true });
    if ((await insert()).count === 1) return true;
    const { count: expired } = await this.prisma.clientAssertion.deleteMany({
      where: { applicationId, jti, expiresAt: { lte: now } },
    });
    return expired === 1 && (await insert()).count === 1;
  }

  /** Drops the rows of assertions that have expired (they can no longer be replayed); returns how many. */
  async purgeExpired(now: Date): Promise<number> {
    const { count } = await this.prisma.clientAssertion.deleteMany({ where: { expiresAt: { lte: now } } });
    return count;
  }
}
