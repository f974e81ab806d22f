import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

type Tx = Prisma.TransactionClient;

/** The login identifier of a partner's user: unique per project, so one partner subject is one identity. */
const subjectIdentifier = (issuerId: string, subject: string): string => `${issuerId}:${subject}`;

/**
 * The `external_token` credential, stored like federation's `oidc` one: one Credential per identity (config
 * lists the partner subjects it stands for) and one CredentialIdentifier per subject (`issuerId:subject`),
 * whose unique (project, type, identifier) index keeps a partner subject on one identity even when two first
 * sign-ins race. The only writer of `external_token` credentials and their identifiers.
 */
@Injectable()
export class ExternalCredentialsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The identity a partner subject signs in as, by index. */
  async findIdentity(projectId: string, issuerId: string, subject: string): Promise<string | undefined> {
    const row = await this.prisma.credentialIdentifier.findUnique({
      where: {
        projectId_type_identifier: {
          projectId,
          type: 'external_token',
          identifier: subjectIdentifier(issuerId, subject),
        },
      },
      select: { credential: { select: { identityId: true } } },
    });
    return row?.credential.identityId;
  }

  /**
   * Gives a new identity its credential for the partner subject, in the registration's transaction: a subject
   * registered concurrently throws P2002 and the whole registration rolls back.
   */
  async create(tx: Tx, projectId: string, identityId: string, issuerId: string, subject: string): Promise<void> {
    await tx.credential.create({
      data: {
        identityId,
        type: 'external_token',
        config: { subjects: [{ issuerId, subject, linkedAt: new Date().toISOString() }] },
        identifiers: {
          create: { projectId, type: 'external_token', identifier: subjectIdentifier(issuerId, subject) },
        },
      },
      select: { id: true },
    });
  }
}
