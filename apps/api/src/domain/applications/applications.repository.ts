import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { SigningAlg } from '../keys/signing-key-lifecycle';
import type { JSONWebKeySet } from 'jose';
import type { Application } from './application';

type ApplicationRow = Prisma.ApplicationGetPayload<object>;

@Injectable()
export class ApplicationsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async findByClientId(projectId: string, clientId: string): Promise<Application | undefined> {
    const row = await this.prisma.application.findUnique({ where: { clientId } });
    return row && row.projectId === projectId ? toApplication(row) : undefined;
  }

  async listByProject(projectId: string): Promise<Application[]> {
    const rows = await this.prisma.application.findMany({ where: { projectId }, orderBy: { createdAt: 'asc' } });
    return rows.map(toApplication);
  }

  async create({ idTokenSignedResponseAlg, jwks, ...data }: Omit<Application, 'id'>): Promise<Application> {
    return toApplication(
      await this.prisma.application.create({
        data: { ...data, idTokenSigningAlg: idTokenSignedResponseAlg, jwks: jwksColumn(jwks) },
      }),
    );
  }

  /**
   * Updates a project's client; P2025 when the project has no such client. A client switched to a method
   * without a secret loses its secrets: a private_key_jwt client has none.
   */
  async update(
    projectId: string,
    clientId: string,
    { idTokenSignedResponseAlg, jwks, ...changes }: UpdateApplicationRow,
  ): Promise<Application> {
    const method = changes.tokenEndpointAuthMethod;
    const dropsSecret = method === 'private_key_jwt' || method === 'none';
    return toApplication(
      await this.prisma.application.update({
        where: { clientId, projectId },
        data: {
          ...changes,
          ...(idTokenSignedResponseAlg ? { idTokenSigningAlg: idTokenSignedResponseAlg } : {}),
          ...(jwks !== undefined ? { jwks: jwksColumn(jwks) } : {}),
          ...(dropsSecret ? { clientSecretHash: null, previousSecretHash: null, previousSecretExpiresAt: null } : {}),
        },
      }),
    );
  }

  async setClientSecretHash(projectId: string, clientId: string, clientSecretHash: string): Promise<void> {
    await this.prisma.application.update({ where: { clientId, projectId }, data: { clientSecretHash } });
  }

  /** The new secret replaces the current one, which stays valid until `previousExpiresAt`; P2025 without the client. */
  async rotateClientSecret(
    projectId: string,
    clientId: string,
    clientSecretHash: string,
    previousExpiresAt: Date,
  ): Promise<Application> {
    return this.prisma.$transaction(async (tx) => {
      const current = await tx.application.findUniqueOrThrow({ where: { clientId, projectId } });
      return toApplication(
        await tx.application.update({
          where: { clientId, projectId },
          data: {
            clientSecretHash,
            previousSecretHash: current.clientSecretHash,
            previousSecretExpiresAt: previousExpiresAt,
          },
        }),
      );
    });
  }

  /** Deletes a client with its flows, codes and refresh tokens; false when the project has no such client. */
  async delete(projectId: string, clientId: string): Promise<boolean> {
    const { count } = await this.prisma.application.deleteMany({ where: { clientId, projectId } });
    return count > 0;
  }
}

/** What an update may change: never the type, the client_id or the secret (rotated on its own, dropped with it). */
export type UpdateApplicationRow = Partial<
  Pick<
    Application,
    | 'name'
    | 'redirectUris'
    | 'postLogoutRedirectUris'
    | 'grantTypes'
    | 'appNative'
    | 'loginFlow'
    | 'allowEnrollmentInFlow'
    | 'backchannelLogoutUri'
    | 'idTokenSignedResponseAlg'
    | 'tokenEndpointAuthMethod'
    | 'jwks'
    | 'jwksUri'
  >
>;

/** A nullable Json column takes DbNull, not null, for SQL NULL. */
function jwksColumn(jwks: JSONWebKeySet | null): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return jwks === null ? Prisma.DbNull : (jwks as unknown as Prisma.InputJsonValue);
}

function toApplication(row: ApplicationRow): Application {
  return {
    id: row.id,
    projectId: row.projectId,
    clientId: row.clientId,
    clientSecretHash: row.clientSecretHash,
    previousSecretHash: row.previousSecretHash,
    previousSecretExpiresAt: row.previousSecretExpiresAt,
    name: row.name,
    type: row.type,
    redirectUris: row.redirectUris,
    postLogoutRedirectUris: row.postLogoutRedirectUris,
    grantTypes: row.grantTypes,
    appNative: row.appNative,
    loginFlow: row.loginFlow as string[][],
    allowEnrollmentInFlow: row.allowEnrollmentInFlow,
    backchannelLogoutUri: row.backchannelLogoutUri,
    idTokenSignedResponseAlg: row.idTokenSigningAlg as SigningAlg,
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod,
    jwks: row.jwks as unknown as JSONWebKeySet | null,
    jwksUri: row.jwksUri,
  };
}
