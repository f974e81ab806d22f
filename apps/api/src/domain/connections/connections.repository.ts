import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { SecretBox } from '../../infra/crypto/secret-box';
import { DatabaseNotifications } from '../../infra/database/database-notifications';
import { ReplicatedCache } from '../../infra/database/replicated-cache';
import { FederatedCredentialsRepository } from '../federation/federated-credentials.repository';
import type { Connection, ConnectionEndpoints, ConnectionMode, LinkingPolicy } from './connection';

const WITH_APPLICATIONS = {
  applications: { include: { application: { select: { clientId: true } } } },
} as const satisfies Prisma.ConnectionInclude;
type ConnectionRow = Prisma.ConnectionGetPayload<{ include: typeof WITH_APPLICATIONS }>;

/** An application the connection is offered on, by database id. */
export interface ConnectionApplicationInput {
  applicationId: string;
  mode: ConnectionMode;
}

export interface NewConnection extends ConnectionEndpoints {
  name: string;
  kind: Connection['kind'];
  preset: Connection['preset'];
  clientId: string;
  /** Plaintext; sealed here before it is written. */
  clientSecret: string | null;
  allowedAudiences: string[];
  scopes: string[];
  discoveryUrl: string | null;
  claimMapping: Record<string, string>;
  trustEmailVerified: boolean;
  linkingPolicy: LinkingPolicy;
  applications: ConnectionApplicationInput[];
}

/** What an update may change: never the name, kind or preset. `clientSecret` null removes it. */
export type ConnectionChanges = Partial<Omit<NewConnection, 'name' | 'kind' | 'preset'>>;

/** What deleting a connection took with it: its users' links, and how many users it left without a way in. */
export interface ConnectionDeletion {
  linksRemoved: number;
  identitiesStranded: number;
}

/** The only writer of connections and of the applications they are offered on; seals client secrets at rest. */
@Injectable()
export class ConnectionsRepository {
  /** Every login flow's first step reads its app's connections: cached per project, dropped on every replica by writes. */
  private readonly byProject: ReplicatedCache<Connection[]>;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly secretBox: SecretBox,
    private readonly federatedCredentials: FederatedCredentialsRepository,
    notifications: DatabaseNotifications,
  ) {
    this.byProject = new ReplicatedCache('connections', notifications);
  }

  async list(projectId: string): Promise<Connection[]> {
    const rows = await this.prisma.connection.findMany({
      where: { projectId },
      include: WITH_APPLICATIONS,
      orderBy: [{ createdAt: 'asc' }, { name: 'asc' }],
    });
    return rows.map(toConnection);
  }

  /** The connections an application offers (its sign-in options), in the order they were created. */
  async listForApplication(projectId: string, applicationId: string): Promise<Connection[]> {
    const all = await this.byProject.get(projectId, () => this.list(projectId));
    return all.filter((connection) => connection.applications.some((entry) => entry.applicationId === applicationId));
  }

  async find(projectId: string, id: string): Promise<Connection | undefined> {
    const row = await this.prisma.connection.findFirst({ where: { id, projectId }, include: WITH_APPLICATIONS });
    return row ? toConnection(row) : undefined;
  }

  /** The client secret in clear, for calling the provider's token endpoint; null when none is set. */
  async clientSecretOf(projectId: string, id: string): Promise<string | null> {
    const row = await this.prisma.connection.findFirst({
      where: { id, projectId },
      select: { clientSecretSealed: true },
    });
    return row?.clientSecretSealed ? this.secretBox.open(row.clientSecretSealed) : null;
  }

  /** P2002 when the project already has a connection with this name. */
  async create(
    projectId: string,
    { clientSecret, applications, linkingPolicy, ...rest }: NewConnection,
  ): Promise<Connection> {
    const row = await this.prisma.connection.create({
      data: {
        projectId,
        ...rest,
        linkingPolicy: toRowPolicy(linkingPolicy),
        clientSecretSealed: clientSecret === null ? null : await this.secretBox.seal(clientSecret),
        applications: { create: applications },
      },
      include: WITH_APPLICATIONS,
    });
    await this.byProject.invalidate(projectId);
    return toConnection(row);
  }

  /** Changes a connection (its applications replaced whole when given); undefined when the project has none such. */
  async update(projectId: string, id: string, changes: ConnectionChanges): Promise<Connection | undefined> {
    const { clientSecret, applications, linkingPolicy, ...rest } = changes;
    const clientSecretSealed =
      clientSecret === undefined ? undefined : clientSecret === null ? null : await this.secretBox.seal(clientSecret);
    const updated = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.connection.updateMany({
        where: { id, projectId },
        data: {
          ...rest,
          ...(linkingPolicy ? { linkingPolicy: toRowPolicy(linkingPolicy) } : {}),
          ...(clientSecretSealed !== undefined ? { clientSecretSealed } : {}),
          // Always a field to write: an update of the applications alone would otherwise count no row (a 404).
          updatedAt: new Date(),
        },
      });
      if (count === 0) return undefined;
      if (applications) {
        await tx.connectionApplication.deleteMany({ where: { connectionId: id } });
        await tx.connectionApplication.createMany({
          data: applications.map((application) => ({ connectionId: id, ...application })),
        });
      }
      return toConnection(await tx.connection.findUniqueOrThrow({ where: { id }, include: WITH_APPLICATIONS }));
    });
    if (updated) await this.byProject.invalidate(projectId);
    return updated;
  }

  /**
   * Deletes the connection and, in the same transaction, every identity's link to it (the federation repository
   * writes those): no link outlives its connection, and a new connection never inherits one. Undefined when the
   * project has no connection with this id.
   */
  async delete(projectId: string, id: string): Promise<ConnectionDeletion | undefined> {
    const deleted = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.connection.deleteMany({ where: { id, projectId } });
      if (count === 0) return undefined;
      return this.federatedCredentials.removeConnectionLinks(tx, projectId, id);
    });
    if (deleted) await this.byProject.invalidate(projectId);
    return deleted;
  }
}

// The database spells the policy with an underscore (Prisma enum names); the API with a hyphen.
function toRowPolicy(policy: LinkingPolicy) {
  return policy === 'trust-verified-email' ? ('trust_verified_email' as const) : policy;
}

function toConnection(row: ConnectionRow): Connection {
  return {
    id: row.id,
    projectId: row.projectId,
    name: row.name,
    kind: row.kind,
    preset: row.preset,
    clientId: row.clientId,
    clientSecretSet: row.clientSecretSealed !== null,
    allowedAudiences: row.allowedAudiences,
    scopes: row.scopes,
    issuer: row.issuer,
    authorizationUrl: row.authorizationUrl,
    tokenUrl: row.tokenUrl,
    userinfoUrl: row.userinfoUrl,
    jwksUri: row.jwksUri,
    discoveryUrl: row.discoveryUrl,
    claimMapping: row.claimMapping as Record<string, string>,
    trustEmailVerified: row.trustEmailVerified,
    linkingPolicy: row.linkingPolicy === 'trust_verified_email' ? 'trust-verified-email' : row.linkingPolicy,
    applications: row.applications
      .map(({ applicationId, mode, application }) => ({ applicationId, clientId: application.clientId, mode }))
      .sort((a, b) => a.clientId.localeCompare(b.clientId)),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
