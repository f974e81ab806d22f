import { Injectable } from '@nestjs/common';
import { ApiError } from '../../infra/http/errors';
import { isUuid } from '../../infra/http/ids';
import type { Project } from '../projects/projects.service';
import { AccessRepository, type MembershipRow } from './access.repository';
import { AccessService, type AdminPrincipal } from './access.service';

export interface MemberView {
  id: string;
  /** The console user: an identity of the system project. */
  identityId: string;
  email: string;
  role: string;
  createdAt: string;
}

/**
 * A project's members: the console users with a role in it. Changing one needs the caller to hold every
 * permission of both the member's current role and the new one (no one demotes, removes or promotes beyond
 * what they hold themselves); the last owner can be neither demoted nor removed.
 */
@Injectable()
export class MembersService {
  constructor(
    private readonly repository: AccessRepository,
    private readonly access: AccessService,
  ) {}

  async list(projectId: string): Promise<MemberView[]> {
    return (await this.repository.members(projectId)).map(memberView);
  }

  /** Gives a member another role; returns the role it had (for the audit log) and the member now. */
  async changeRole(
    principal: AdminPrincipal,
    project: Project,
    membershipId: string,
    role: string,
  ): Promise<{ before: MembershipRow; after: MemberView }> {
    const member = await this.memberToManage(principal, project, membershipId);
    await this.access.assertMayGrant(principal, project, role);
    this.settled(await this.repository.changeMembership(project.id, member.id, role), project, 'demoted');
    const [after] = await this.repository.members(project.id, member.id);
    if (!after) throw ApiError.notFound(`The member was removed from project '${project.slug}'.`);
    return { before: member, after: memberView(after) };
  }

  /** Removes a member from the project (the console user stays: it may be a member elsewhere). */
  async remove(principal: AdminPrincipal, project: Project, membershipId: string): Promise<MembershipRow> {
    const member = await this.memberToManage(principal, project, membershipId);
    return this.settled(await this.repository.changeMembership(project.id, member.id, null), project, 'removed');
  }

  /** The member, when the caller may manage it: 404 for an unknown one, 403 for one holding more than the caller. */
  private async memberToManage(
    principal: AdminPrincipal,
    project: Project,
    membershipId: string,
  ): Promise<MembershipRow> {
    const member = isUuid(membershipId) ? await this.repository.findMember(project.id, membershipId) : null;
    if (!member) throw ApiError.notFound(`No member '${membershipId}' in project '${project.slug}'.`);
    const current = await this.access.roleIn(project.id, member.role);
    await this.access.assertHoldsAll(principal, project, current, `Changing a member with the role '${member.role}'`);
    return member;
  }

  private settled(
    outcome: MembershipRow | 'last-owner' | undefined,
    project: Project,
    change: 'demoted' | 'removed',
  ): MembershipRow {
    // The member was there a moment ago: another request removed it meanwhile.
    if (outcome === undefined) throw ApiError.notFound(`The member was removed from project '${project.slug}'.`);
    if (outcome === 'last-owner')
      throw ApiError.conflict(
        `This member is the last owner of project '${project.slug}' and cannot be ${change}: make another member ` +
          'an owner first.',
      );
    return outcome;
  }
}

function memberView(member: MembershipRow & { traits: Record<string, unknown> }): MemberView {
  return {
    id: member.id,
    identityId: member.identityId,
    email: typeof member.traits['email'] === 'string' ? member.traits['email'] : '',
    role: member.role,
    createdAt: member.createdAt.toISOString(),
  };
}
