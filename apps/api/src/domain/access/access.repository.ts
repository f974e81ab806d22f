import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../../generated/prisma/client';

type Tx = Prisma.TransactionClient;

export interface MembershipRow {
  id: string;
  projectId: string;
  identityId: string;
  role: string;
  createdAt: Date;
}

export interface RoleRow {
  id: string;
  projectId: string;
  name: string;
  description: string;
  permissions: string[];
}

export interface ApiKeyRow {
  id: string;
  projectId: string;
  name: string;
  role: string;
  secretHash: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
}

export interface InvitationRow {
  id: string;
  projectId: string;
  email: string;
  role: string;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  invitedBy: string | null;
  createdAt: Date;
}

const INVITATION_FIELDS = {
  id: true,
  projectId: true,
  email: true,
  role: true,
  expiresAt: true,
  acceptedAt: true,
  revokedAt: true,
  invitedBy: true,
  createdAt: true,
} as const;

/**
 * The access aggregate of a project: its members (console users' memberships), custom roles, API keys and
 * invitations. The only writer of those tables.
 */
@Injectable()
export class AccessRepository {
  constructor(private readonly prisma: PrismaClient) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }

  // Memberships

  findMembership(projectId: string, identityId: string): Promise<MembershipRow | null> {
    return this.prisma.membership.findUnique({ where: { projectId_identityId: { projectId, identityId } } });
  }

  /** Every membership of a console user, with the project's slug. */
  membershipsOf(identityId: string): Promise<Array<MembershipRow & { project: { slug: string; name: string } }>> {
    return this.prisma.membership.findMany({
      where: { identityId },
      include: { project: { select: { slug: true, name: true } } },
      orderBy: { createdAt: 'asc' },
    });
  }

  /** The project's members (or the one given), each with its console user's traits (where the email comes from). */
  async members(
    projectId: string,
    membershipId?: string,
  ): Promise<Array<MembershipRow & { traits: Record<string, unknown> }>> {
    const rows = await this.prisma.membership.findMany({
      where: { projectId, ...(membershipId ? { id: membershipId } : {}) },
      include: { identity: { select: { traits: true } } },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map(({ identity, ...membership }) => ({
      ...membership,
      traits: (identity.traits ?? {}) as Record<string, unknown>,
    }));
  }

  findMember(projectId: string, membershipId: string): Promise<MembershipRow | null> {
    return this.prisma.membership.findFirst({ where: { id: membershipId, projectId } });
  }

  /** Creates the membership, or gives an existing one the role. */
  async upsertMembership(
    tx: Tx | undefined,
    projectId: string,
    identityId: string,
    role: string,
  ): Promise<MembershipRow> {
    return (tx ?? this.prisma).membership.upsert({
      where: { projectId_identityId: { projectId, identityId } },
      create: { projectId, identityId, role },
      update: { role },
    });
  }

  /**
   * Adds a member with the role (an accepted invitation). One that is a member already gets the role too,
   * except an owner, who stays one: only changeMembership demotes owners, under the last-owner rule.
   */
  async addMember(tx: Tx, projectId: string, identityId: string, role: string): Promise<MembershipRow> {
    const existing = await tx.membership.findUnique({ where: { projectId_identityId: { projectId, identityId } } });
    if (!existing) return tx.membership.create({ data: { projectId, identityId, role } });
    if (existing.role === 'owner' || existing.role === role) return existing;
    return tx.membership.update({ where: { id: existing.id }, data: { role } });
  }

  /**
   * Changes a member's role, or removes the member (`role` null), unless that would leave the project without
   * an owner: checked and written under a lock on the project's owner rows, so two owners demoting each other
   * at the same time cannot both succeed. False when the member does not exist; 'last-owner' when refused.
   */
  async changeMembership(
    projectId: string,
    membershipId: string,
    role: string | null,
  ): Promise<MembershipRow | 'last-owner' | undefined> {
    return this.prisma.$transaction(async (tx) => {
      const owners = await tx.$queryRaw<Array<{ id: string }>>`
        SELECT id FROM memberships WHERE project_id = ${projectId}::uuid AND role = 'owner' FOR UPDATE`;
      const member = await tx.membership.findFirst({ where: { id: membershipId, projectId } });
      if (!member) return undefined;
      const losesOwner = member.role === 'owner' && role !== 'owner';
      if (losesOwner && owners.length <= 1) return 'last-owner';
      if (role === null) {
        await tx.membership.delete({ where: { id: membershipId } });
        return member;
      }
      return tx.membership.update({ where: { id: membershipId }, data: { role } });
    });
  }

  countMembersWithRole(projectId: string, role: string): Promise<number> {
    return this.prisma.membership.count({ where: { projectId, role } });
  }

  // Custom roles

  findRole(projectId: string, name: string): Promise<RoleRow | null> {
    return this.prisma.role.findUnique({ where: { projectId_name: { projectId, name } } });
  }

  roles(projectId: string): Promise<RoleRow[]> {
    return this.prisma.role.findMany({ where: { projectId }, orderBy: { name: 'asc' } });
  }

  createRole(projectId: string, role: { name: string; description: string; permissions: string[] }): Promise<RoleRow> {
    return this.prisma.role.create({ data: { projectId, ...role } });
  }

  async updateRole(
    projectId: string,
    name: string,
    change: { description?: string; permissions?: string[] },
  ): Promise<RoleRow | undefined> {
    const { count } = await this.prisma.role.updateMany({ where: { projectId, name }, data: change });
    return count ? ((await this.findRole(projectId, name)) ?? undefined) : undefined;
  }

  /**
   * Deletes a custom role that no member, live API key or open invitation uses; otherwise says how many of
   * each use it. False when there is no such role.
   */
  async deleteRole(
    projectId: string,
    name: string,
  ): Promise<boolean | { inUse: { members: number; apiKeys: number; invitations: number } }> {
    return this.prisma.$transaction(async (tx) => {
      const now = new Date();
      const members = await tx.membership.count({ where: { projectId, role: name } });
      const apiKeys = await tx.apiKey.count({
        where: { projectId, role: name, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      });
      const invitations = await tx.invitation.count({
        where: { projectId, role: name, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
      });
      if (members + apiKeys + invitations > 0) return { inUse: { members, apiKeys, invitations } };
      const { count } = await tx.role.deleteMany({ where: { projectId, name } });
      return count > 0;
    });
  }

  // API keys

  findApiKey(id: string): Promise<ApiKeyRow | null> {
    return this.prisma.apiKey.findUnique({ where: { id } });
  }

  apiKeys(projectId: string): Promise<ApiKeyRow[]> {
    return this.prisma.apiKey.findMany({ where: { projectId }, orderBy: { createdAt: 'desc' } });
  }

  createApiKey(data: Omit<ApiKeyRow, 'lastUsedAt' | 'revokedAt' | 'createdAt'>): Promise<ApiKeyRow> {
    return this.prisma.apiKey.create({ data });
  }

  /** At most once a minute per key: last-used time is for people, not an access log. */
  async touchApiKey(id: string, now = new Date()): Promise<void> {
    await this.prisma.apiKey.updateMany({
      where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - 60_000) } }] },
      data: { lastUsedAt: now },
    });
  }

  async revokeApiKey(projectId: string, id: string, now = new Date()): Promise<boolean> {
    const { count } = await this.prisma.apiKey.updateMany({
      where: { id, projectId, revokedAt: null },
      data: { revokedAt: now },
    });
    return count > 0;
  }

  // Invitations

  /** Revokes the open invitations of an address to the project (a new one replaces them). */
  async revokeOpenInvitations(tx: Tx, projectId: string, email: string, now = new Date()): Promise<void> {
    await tx.invitation.updateMany({
      where: { projectId, email, acceptedAt: null, revokedAt: null },
      data: { revokedAt: now },
    });
  }

  createInvitation(
    tx: Tx,
    data: {
      projectId: string;
      email: string;
      role: string;
      tokenHash: string;
      expiresAt: Date;
      invitedBy: string | null;
    },
  ): Promise<InvitationRow> {
    return tx.invitation.create({ data, select: INVITATION_FIELDS });
  }

  pendingInvitations(projectId: string, now = new Date()): Promise<InvitationRow[]> {
    return this.prisma.invitation.findMany({
      where: { projectId, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
      select: INVITATION_FIELDS,
      orderBy: { createdAt: 'desc' },
    });
  }

  /** The invitation of a link's token (by its hash), with the name of the project it invites to. */
  findInvitationByTokenHash(tokenHash: string): Promise<(InvitationRow & { project: { name: string } }) | null> {
    return this.prisma.invitation.findUnique({
      where: { tokenHash },
      select: { ...INVITATION_FIELDS, project: { select: { name: true } } },
    });
  }

  /** Spends an open invitation once: false when it was accepted, revoked or expired meanwhile. */
  async acceptInvitation(tx: Tx, id: string, now = new Date()): Promise<boolean> {
    const { count } = await tx.invitation.updateMany({
      where: { id, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
      data: { acceptedAt: now },
    });
    return count === 1;
  }

  async revokeInvitation(projectId: string, id: string, now = new Date()): Promise<boolean> {
    const { count } = await this.prisma.invitation.updateMany({
      where: { id, projectId, acceptedAt: null, revokedAt: null },
      data: { revokedAt: now },
    });
    return count > 0;
  }
}
