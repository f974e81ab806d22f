import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client';

export type IdentityRow = Prisma.IdentityGetPayload<object>;

/** What a password login needs, read in one query by login identifier. */
export interface PasswordLogin {
  identity: IdentityRow;
  credentialId: string;
  passwordHash: string;
}

@Injectable()
export class IdentitiesRepository {
  constructor(private readonly prisma: PrismaClient) {}

  findById(projectId: string, id: string): Promise<IdentityRow | null> {
    return this.prisma.identity.findFirst({ where: { id, projectId } });
  }

  list(projectId: string, take: number): Promise<IdentityRow[]> {
    return this.prisma.identity.findMany({ where: { projectId }, orderBy: { createdAt: 'asc' }, take });
  }

  async findPasswordLogin(projectId: string, identifier: string): Promise<PasswordLogin | undefined> {
    const row = await this.prisma.credentialIdentifier.findUnique({
      relationLoadStrategy: 'join', // on the login hot path: one query instead of three
      where: { projectId_type_identifier: { projectId, type: 'password', identifier } },
      select: { credential: { select: { id: true, secret: true, identity: true } } },
    });
    if (!row?.credential.secret) return undefined;
    return { identity: row.credential.identity, credentialId: row.credential.id, passwordHash: row.credential.secret };
  }

  /** Creates an identity and, when given, its password credential with its login identifiers. */
  create(
    projectId: string,
    traits: Prisma.InputJsonObject,
    password: { hash: string; identifiers: string[] } | undefined,
  ): Promise<IdentityRow> {
    return this.prisma.identity.create({
      data: {
        projectId,
        traits,
        credentials: password
          ? {
              create: {
                type: 'password',
                secret: password.hash,
                identifiers: { create: password.identifiers.map((identifier) => ({ projectId, type: 'password' as const, identifier })) },
              },
            }
          : undefined,
      },
    });
  }

  async updatePasswordHash(credentialId: string, hash: string): Promise<void> {
    await this.prisma.credential.update({ where: { id: credentialId }, data: { secret: hash } });
  }
}
