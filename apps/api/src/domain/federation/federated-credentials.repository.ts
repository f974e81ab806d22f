import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { Prisma, PrismaClient } from '../../generated/prisma/client';
import { isUniqueViolation } from '../../infra/database/prisma-errors';

type Tx = Prisma.TransactionClient;

/** One upstream account linked to the identity: a connection and the provider's subject there. */
const FederatedLink = z.object({
  connectionId: z.string(),
  subject: z.string(),
  linkedAt: z.iso.datetime(),
});
export type FederatedLink = z.infer<typeof FederatedLink>;

/** The `oidc` credential's config: every upstream account the identity signs in with. */
const OidcConfig = z.object({ links: z.array(FederatedLink).default([]) });
type OidcConfig = z.infer<typeof OidcConfig>;

/** The login identifier of a link: unique per project, so one provider subject belongs to at most one identity. */
const linkIdentifier = (connectionId: string, subject: string): string => `${connectionId}:${subject}`;

export type AddLinkResult = 'linked' | 'already-linked' | 'connection-taken' | 'subject-taken';
export type RemoveLinkResult = 'unlinked' | 'not-linked' | 'last-method';

/** Config writes are compare-and-set; a few rounds absorb concurrent link changes on the same identity. */
const MAX_ATTEMPTS = 5;

/**
 * The federated credential, stored Ory Kratos style like every factor: one Credential of type `oidc` per identity
 * (config.links lists its upstream accounts) and one CredentialIdentifier per link (`connectionId:subject`), whose
 * unique (project, type, identifier) index keeps a provider subject on one identity even under concurrent first
 * logins. The only writer of `oidc` credentials and their identifiers.
 */
@Injectable()
export class FederatedCredentialsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The identity a provider subject is linked to, by index. */
  async findLinkedIdentity(projectId: string, connectionId: string, subject: string): Promise<string | undefined> {
    const row = await this.prisma.credentialIdentifier.findUnique({
      where: {
        projectId_type_identifier: { projectId, type: 'oidc', identifier: linkIdentifier(connectionId, subject) },
      },
      select: { credential: { select: { identityId: true } } },
    });
    return row?.credential.identityId;
  }

  async listLinks(identityId: string): Promise<FederatedLink[]> {
    const row = await this.prisma.credential.findUnique({
      where: { identityId_type: { identityId, type: 'oidc' } },
      select: { config: true },
    });
    return row ? OidcConfig.parse(row.config).links : [];
  }

  /**
   * Links the upstream account to the identity, in the caller's transaction when given (registration: then a
   * taken subject throws P2002 and the whole registration rolls back). Without one, a taken subject is
   * 'subject-taken'. An identity holds at most one account per connection, so unlinking names the connection.
   */
  async addLink(
    tx: Tx | undefined,
    projectId: string,
    identityId: string,
    connectionId: string,
    subject: string,
  ): Promise<AddLinkResult> {
    if (tx) {
      const result = await this.addLinkIn(tx, projectId, identityId, connectionId, subject);
      // The caller's transaction cannot be replayed here; it holds the identity's first write (registration).
      if (result === 'retry') throw new Error('the oidc credential changed while a link was added');
      return result;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.prisma.$transaction((own) =>
          this.addLinkIn(own, projectId, identityId, connectionId, subject),
        );
        if (result !== 'retry') return result;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // The subject is someone's now (maybe this identity's, linked concurrently), or the credential was
        // created concurrently: look again.
        const owner = await this.findLinkedIdentity(projectId, connectionId, subject);
        if (owner !== undefined) return owner === identityId ? 'already-linked' : 'subject-taken';
      }
      if (attempt >= MAX_ATTEMPTS) throw new Error('the oidc credential kept changing while a link was added');
    }
  }

  private async addLinkIn(
    tx: Tx,
    projectId: string,
    identityId: string,
    connectionId: string,
    subject: string,
  ): Promise<AddLinkResult | 'retry'> {
    const link: FederatedLink = { connectionId, subject, linkedAt: new Date().toISOString() };
    const existing = await tx.credential.findUnique({
      where: { identityId_type: { identityId, type: 'oidc' } },
      select: { id: true, config: true },
    });
    let credentialId: string;
    if (!existing) {
      credentialId = (
        await tx.credential.create({
          data: { identityId, type: 'oidc', config: toJson({ links: [link] }) },
          select: { id: true },
        })
      ).id;
    } else {
      const { links } = OidcConfig.parse(existing.config);
      const same = links.find((stored) => stored.connectionId === connectionId);
      if (same) return same.subject === subject ? 'already-linked' : 'connection-taken';
      if (!(await compareAndSet(tx, existing, { links: [...links, link] }))) return 'retry';
      credentialId = existing.id;
    }
    await tx.credentialIdentifier.create({
      data: { projectId, credentialId, type: 'oidc', identifier: linkIdentifier(connectionId, subject) },
    });
    return 'linked';
  }

  /**
   * Removes the identity's link to the connection, unless it is the last way to sign in: no password (with a
   * login identifier), no passkey and no other link. The config write is compare-and-set, so two unlinks at
   * once cannot both remove "the other" link.
   */
  async removeLink(projectId: string, identityId: string, connectionId: string): Promise<RemoveLinkResult> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const result = await this.prisma.$transaction(async (tx): Promise<RemoveLinkResult | 'retry'> => {
        const credential = await tx.credential.findFirst({
          where: { identityId, type: 'oidc', identity: { projectId } },
          select: { id: true, config: true },
        });
        if (!credential) return 'not-linked';
        const { links } = OidcConfig.parse(credential.config);
        const remaining = links.filter((link) => link.connectionId !== connectionId);
        if (remaining.length === links.length) return 'not-linked';
        if (!remaining.length && !(await hasOtherSignInMethod(tx, identityId))) return 'last-method';
        if (!(await compareAndSet(tx, credential, { links: remaining }))) return 'retry';
        await tx.credentialIdentifier.deleteMany({
          where: {
            credentialId: credential.id,
            type: 'oidc',
            identifier: { in: links.filter((link) => link.connectionId === connectionId).map(identifierOf) },
          },
        });
        return 'unlinked';
      });
      if (result !== 'retry') return result;
    }
    throw new Error('the oidc credential kept changing while a link was removed');
  }

  /**
   * Removes every link to the connection (their config entries and identifiers), in the caller's transaction:
   * the connection's deletion, so no link outlives its connection. Set-based (two statements, however many
   * users the connection has). Returns how many links went, and how many of their identities were left without
   * any way to sign in (no password with an identifier, no passkey, no other link).
   */
  async removeConnectionLinks(
    tx: Tx,
    projectId: string,
    connectionId: string,
  ): Promise<{ linksRemoved: number; identitiesStranded: number }> {
    const prefix = `${connectionId}:%`;
    // One statement rewrites every affected config (a concurrent compare-and-set on one of them then fails and
    // reads again); RETURNING sees the rewritten row, and the other credentials as they are.
    const [changed] = await tx.$queryRaw<[{ stranded: number }]>`
      WITH rewritten AS (
        UPDATE credentials AS c
        SET config = jsonb_set(
              c.config,
              '{links}',
              COALESCE(
                (SELECT jsonb_agg(e.link ORDER BY e.n)
                 FROM jsonb_array_elements(c.config -> 'links') WITH ORDINALITY AS e(link, n)
                 WHERE e.link ->> 'connectionId' <> ${connectionId}),
                '[]'::jsonb)),
            updated_at = now()
        WHERE c.type = 'oidc'
          AND c.id IN (SELECT ci.credential_id FROM credential_identifiers ci
                       WHERE ci.project_id = ${projectId}::uuid AND ci.type = 'oidc' AND ci.identifier LIKE ${prefix})
        RETURNING c.identity_id, jsonb_array_length(c.config -> 'links') AS remaining
      )
      SELECT count(*)::int AS stranded FROM rewritten r
      WHERE r.remaining = 0 AND NOT EXISTS (
        SELECT 1 FROM credential_identifiers ci JOIN credentials p ON p.id = ci.credential_id
        WHERE p.identity_id = r.identity_id
          AND ((ci.type = 'password' AND p.secret IS NOT NULL) OR ci.type = 'webauthn'))`;
    const { count } = await tx.credentialIdentifier.deleteMany({
      where: { projectId, type: 'oidc', identifier: { startsWith: `${connectionId}:` } },
    });
    return { linksRemoved: count, identitiesStranded: changed?.stranded ?? 0 };
  }
}

const identifierOf = (link: FederatedLink): string => linkIdentifier(link.connectionId, link.subject);

/** A password with a login identifier, or a passkey: what signs in besides the federated links. */
async function hasOtherSignInMethod(tx: Tx, identityId: string): Promise<boolean> {
  const count = await tx.credentialIdentifier.count({
    where: {
      credential: { identityId },
      OR: [{ type: 'password', credential: { secret: { not: null } } }, { type: 'webauthn' }],
    },
  });
  return count > 0;
}

/** Replaces the config only if nobody changed it since it was read. */
async function compareAndSet(
  tx: Tx,
  credential: { id: string; config: Prisma.JsonValue },
  config: OidcConfig,
): Promise<boolean> {
  const { count } = await tx.credential.updateMany({
    where: { id: credential.id, type: 'oidc', config: { equals: credential.config as Prisma.InputJsonValue } },
    data: { config: toJson(config) },
  });
  return count === 1;
}

function toJson(config: OidcConfig): Prisma.InputJsonObject {
  return config as unknown as Prisma.InputJsonObject;
}
