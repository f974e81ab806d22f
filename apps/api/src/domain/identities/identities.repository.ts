import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

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

  /** The identity with its verified email addresses, in one query: what the email_verified claim needs. */
  async findWithVerifiedEmails(projectId: string, id: string): Promise<(IdentityRow & { verifiedEmails: string[] }) | null> {
    const row = await this.prisma.identity.findFirst({
      relationLoadStrategy: 'join',
      where: { id, projectId },
      include: { verifiableAddresses: { where: { via: 'email', verified: true }, select: { value: true } } },
    });
    if (!row) return null;
    const { verifiableAddresses, ...identity } = row;
    return { ...identity, verifiedEmails: verifiableAddresses.map((address) => address.value) };
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

  /**
   * Creates an identity and, when given, its password credential with its login identifiers and its
   * TOTP credential (sealed secret + config), in one write.
   */
  create(
    projectId: string,
    traits: Prisma.InputJsonObject,
    schemaVersion: number,
    password: { hash: string; identifiers: string[] } | undefined,
    totp?: { sealedSecret: string; config: Prisma.InputJsonObject },
    addresses: Array<{ via: 'email' | 'phone'; value: string }> = [],
  ): Promise<IdentityRow> {
    const credentials: Prisma.CredentialCreateWithoutIdentityInput[] = [];
    if (password) {
      credentials.push({
        type: 'password',
        secret: password.hash,
        identifiers: { create: password.identifiers.map((identifier) => ({ projectId, type: 'password' as const, identifier })) },
      });
    }
    if (totp) credentials.push({ type: 'totp', secret: totp.sealedSecret, config: totp.config });
    return this.prisma.identity.create({
      data: {
        projectId,
        traits,
        schemaVersion,
        credentials: credentials.length ? { create: credentials } : undefined,
        // Unverified: an admin import proves nothing about who reads the mailbox; the verification flow does.
        verifiableAddresses: addresses.length ? { create: addresses.map(({ via, value }) => ({ projectId, via, value })) } : undefined,
      },
    });
  }

  /** The identity's credentials with their stored verifiers; callers summarise them, never return them. */
  listCredentials(identityId: string): Promise<{ type: string; secret: string | null; config: Prisma.JsonValue }[]> {
    return this.prisma.credential.findMany({ where: { identityId }, select: { type: true, secret: true, config: true }, orderBy: { createdAt: 'asc' } });
  }

  listVerifiableAddresses(identityId: string): Promise<{ via: string; value: string; verified: boolean; verifiedAt: Date | null }[]> {
    return this.prisma.verifiableAddress.findMany({ where: { identityId }, select: { via: true, value: true, verified: true, verifiedAt: true }, orderBy: { createdAt: 'asc' } });
  }

  async updatePasswordHash(credentialId: string, hash: string): Promise<void> {
    await this.prisma.credential.update({ where: { id: credentialId }, data: { secret: hash } });
  }
}
