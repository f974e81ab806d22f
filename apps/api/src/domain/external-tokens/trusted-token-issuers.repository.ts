import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { SecretBox } from '../../infra/crypto/secret-box';
import type { AsymmetricAlg, TrustedTokenIssuer, UpdatePolicy } from './trusted-token-issuer';

const WITH_APPLICATIONS = {
  applications: { include: { application: { select: { clientId: true } } } },
} as const satisfies Prisma.TrustedTokenIssuerInclude;
type IssuerRow = Prisma.TrustedTokenIssuerGetPayload<{ include: typeof WITH_APPLICATIONS }>;

export interface NewTrustedTokenIssuer {
  name: string;
  mode: TrustedTokenIssuer['mode'];
  issuer: string | null;
  audiences: string[];
  jwksUri: string | null;
  jwks: { keys: Record<string, unknown>[] } | null;
  allowedAlgs: AsymmetricAlg[];
  callbackUrl: string | null;
  /** Plaintext; sealed here before it is written. */
  callbackSecret: string | null;
  callbackTimeoutMs: number;
  subjectClaim: string;
  claimMapping: Record<string, string>;
  updatePolicy: UpdatePolicy;
  /** By database id. */
  applicationIds: string[];
}

/** What an update may change: never the name or mode. */
export type TrustedTokenIssuerChanges = Partial<Omit<NewTrustedTokenIssuer, 'name' | 'mode'>>;

/** The only writer of trusted token issuers and their applications; seals callback secrets at rest. */
@Injectable()
export class TrustedTokenIssuersRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly secretBox: SecretBox,
  ) {}

  async list(projectId: string): Promise<TrustedTokenIssuer[]> {
    const rows = await this.prisma.trustedTokenIssuer.findMany({
      where: { projectId },
      include: WITH_APPLICATIONS,
      orderBy: [{ createdAt: 'asc' }, { name: 'asc' }],
    });
    return rows.map(toIssuer);
  }

  /** The issuers of a mode the application may use, in one query. */
  async listForApplication(
    projectId: string,
    applicationId: string,
    mode: TrustedTokenIssuer['mode'],
  ): Promise<TrustedTokenIssuer[]> {
    const rows = await this.prisma.trustedTokenIssuer.findMany({
      where: { projectId, mode, applications: { some: { applicationId } } },
      include: WITH_APPLICATIONS,
      orderBy: [{ createdAt: 'asc' }, { name: 'asc' }],
    });
    return rows.map(toIssuer);
  }

  async find(projectId: string, id: string): Promise<TrustedTokenIssuer | undefined> {
    const row = await this.prisma.trustedTokenIssuer.findFirst({
      where: { id, projectId },
      include: WITH_APPLICATIONS,
    });
    return row ? toIssuer(row) : undefined;
  }

  /** The callback secret in clear, for signing a call; null when none is set. */
  async callbackSecretOf(projectId: string, id: string): Promise<string | null> {
    const row = await this.prisma.trustedTokenIssuer.findFirst({
      where: { id, projectId },
      select: { callbackSecretSealed: true },
    });
    return row?.callbackSecretSealed ? this.secretBox.open(row.callbackSecretSealed) : null;
  }

  /** P2002 when the project already has an issuer with this name. */
  async create(
    projectId: string,
    { callbackSecret, applicationIds, updatePolicy, jwks, ...rest }: NewTrustedTokenIssuer,
  ): Promise<TrustedTokenIssuer> {
    const row = await this.prisma.trustedTokenIssuer.create({
      data: {
        projectId,
        ...rest,
        jwks: jwks === null ? Prisma.DbNull : (jwks as Prisma.InputJsonObject),
        updatePolicy: toRowPolicy(updatePolicy),
        callbackSecretSealed: callbackSecret === null ? null : await this.secretBox.seal(callbackSecret),
        applications: { create: applicationIds.map((applicationId) => ({ applicationId })) },
      },
      include: WITH_APPLICATIONS,
    });
    return toIssuer(row);
  }

  /** Changes an issuer (its applications replaced whole when given); undefined when the project has none such. */
  async update(
    projectId: string,
    id: string,
    changes: TrustedTokenIssuerChanges,
  ): Promise<TrustedTokenIssuer | undefined> {
    const { callbackSecret, applicationIds, updatePolicy, jwks, ...rest } = changes;
    const callbackSecretSealed =
      callbackSecret === undefined
        ? undefined
        : callbackSecret === null
          ? null
          : await this.secretBox.seal(callbackSecret);
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.trustedTokenIssuer.updateMany({
        where: { id, projectId },
        data: {
          ...rest,
          // Never an empty update (Prisma skips it and counts no row): an application list change is a change too.
          updatedAt: new Date(),
          ...(jwks !== undefined ? { jwks: jwks === null ? Prisma.DbNull : (jwks as Prisma.InputJsonObject) } : {}),
          ...(updatePolicy ? { updatePolicy: toRowPolicy(updatePolicy) } : {}),
          ...(callbackSecretSealed !== undefined ? { callbackSecretSealed } : {}),
        },
      });
      if (count === 0) return undefined;
      if (applicationIds) {
        await tx.trustedTokenIssuerApplication.deleteMany({ where: { issuerId: id } });
        await tx.trustedTokenIssuerApplication.createMany({
          data: applicationIds.map((applicationId) => ({ issuerId: id, applicationId })),
        });
      }
      return toIssuer(await tx.trustedTokenIssuer.findUniqueOrThrow({ where: { id }, include: WITH_APPLICATIONS }));
    });
  }

  /** False when the project has no issuer with this id. */
  async delete(projectId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.trustedTokenIssuer.deleteMany({ where: { id, projectId } });
    return count > 0;
  }
}

// The database spells the policy with an underscore (Prisma enum names); the API with a hyphen.
function toRowPolicy(policy: UpdatePolicy) {
  return policy === 'first-login' ? ('first_login' as const) : ('every_login' as const);
}

function toIssuer(row: IssuerRow): TrustedTokenIssuer {
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    mode: row.mode,
    issuer: row.issuer,
    audiences: row.audiences,
    jwksUri: row.jwksUri,
    jwks: (row.jwks as TrustedTokenIssuer['jwks']) ?? null,
    allowedAlgs: row.allowedAlgs as AsymmetricAlg[],
    callbackUrl: row.callbackUrl,
    callbackSecretSet: row.callbackSecretSealed !== null,
    callbackTimeoutMs: row.callbackTimeoutMs,
    subjectClaim: row.subjectClaim,
    claimMapping: row.claimMapping as Record<string, string>,
    updatePolicy: row.updatePolicy === 'first_login' ? 'first-login' : 'every-login',
    applications: row.applications
      .map(({ applicationId, application }) => ({ applicationId, clientId: application.clientId }))
      .sort((a, b) => a.clientId.localeCompare(b.clientId)),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
