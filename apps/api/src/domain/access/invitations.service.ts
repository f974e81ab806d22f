import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Prisma } from '../../generated/prisma/client';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import { randomToken, sha256 } from '../../infra/crypto/tokens';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { ApiError, ErrorCodes, fieldError } from '../../infra/http/errors';
import { isUuid } from '../../infra/http/ids';
import { EmailOutbox } from '../email/email-outbox';
import { IdentitiesRepository, type NewIdentity } from '../identities/identities.repository';
import { ProjectsService, type Project } from '../projects/projects.service';
import { SYSTEM_PROJECT_SLUG } from '../projects/system-project';
import { IdentitySchemasService } from '../schemas/identity-schemas.service';
import { normaliseIdentifier } from '../schemas/identity-traits';
import { AccessRepository, type InvitationRow } from './access.repository';
import { AccessService, type AdminPrincipal } from './access.service';

/** How long an invitation link works. */
const INVITATION_TTL_DAYS = 7;

export interface InvitationView {
  id: string;
  email: string;
  role: string;
  /** Who invited, readable (an email, an API key's name). */
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
}

/** What the holder of an invitation link may know before accepting it, and all that accepting tells. */
export interface InvitationLookup {
  projectName: string;
  email: string;
  role: string;
  /** The address has a console account already: accepting adds the membership and asks for no password. */
  existingUser: boolean;
}

export interface AcceptedInvitation extends InvitationLookup {
  projectId: string;
  identityId: string;
  membershipId: string;
}

/**
 * Invitations to become a member of a project: a single-use link mailed to the address (its token is 256
 * random bits, stored as SHA-256), valid for a week. Accepting it spends it, creates the console user (an
 * identity of the system project, with a password under the usual policy) unless the address has one, and
 * adds the membership, in one transaction. A wrong, used, revoked or expired token gets one answer.
 */
@Injectable()
export class InvitationsService {
  constructor(
    @Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig,
    private readonly repository: AccessRepository,
    private readonly access: AccessService,
    private readonly projects: ProjectsService,
    private readonly identities: IdentitiesRepository,
    private readonly schemas: IdentitySchemasService,
    private readonly hasher: PasswordHasher,
    private readonly outbox: EmailOutbox,
  ) {}

  /**
   * Invites an address with a role the caller may grant, replacing the address's open invitations to the
   * project. The mail goes out as the system project (its templates, SMTP settings and default locale): it
   * comes from the console, whatever project it invites to.
   */
  async invite(
    principal: AdminPrincipal,
    project: Project,
    input: { email: string; role: string; invitedBy: string },
    now = new Date(),
  ): Promise<InvitationView> {
    await this.access.assertMayGrant(principal, project, input.role);
    const email = normaliseIdentifier(input.email);
    const system = await this.systemProject();
    const consoleUser = await this.consoleUserOf(system, email);
    if (consoleUser && (await this.repository.findMembership(project.id, consoleUser)))
      throw ApiError.conflict(`${email} is a member of project '${project.slug}' already: change their role instead.`);
    const inviterName = await this.inviterName(principal, system);
    const token = randomToken();
    const invitation = await this.repository.transaction(async (tx) => {
      await this.repository.revokeOpenInvitations(tx, project.id, email, now);
      const created = await this.repository.createInvitation(tx, {
        projectId: project.id,
        email,
        role: input.role,
        tokenHash: sha256(token),
        expiresAt: new Date(now.getTime() + INVITATION_TTL_DAYS * 24 * 3600 * 1000),
        invitedBy: input.invitedBy,
      });
      await this.outbox.enqueueTemplate(tx, {
        projectId: system.id,
        kind: 'member_invitation',
        locale: system.settings.defaultLocale,
        to: email,
        variables: {
          projectName: project.name,
          inviterName,
          role: input.role,
          link: `${this.config.console.url}/invite?token=${encodeURIComponent(token)}`,
          expiresInDays: INVITATION_TTL_DAYS,
        },
        idempotencyKey: `member-invitation:${created.id}`,
      });
      return created;
    });
    return invitationView(invitation);
  }

  async pending(projectId: string): Promise<InvitationView[]> {
    return (await this.repository.pendingInvitations(projectId)).map(invitationView);
  }

  /** Revokes an open invitation: its link stops working. 404 when there is no open one with this id. */
  async revoke(project: Project, id: string): Promise<void> {
    if (!isUuid(id) || !(await this.repository.revokeInvitation(project.id, id)))
      throw ApiError.notFound(`No open invitation '${id}' in project '${project.slug}'.`);
  }

  /** What an invitation link invites to; the same 400 for every token that does not open one. */
  async lookup(token: string): Promise<InvitationLookup> {
    const invitation = await this.openInvitation(token);
    const system = await this.systemProject();
    return {
      projectName: invitation.project.name,
      email: invitation.email,
      role: invitation.role,
      existingUser: (await this.consoleUserOf(system, invitation.email)) !== undefined,
    };
  }

  /**
   * Accepts an invitation: spends it, creates the console user unless the address has one (then its password
   * stays as it is, and none is needed), and adds the membership, in one transaction. The new user's address
   * is verified: the link reached it.
   */
  async accept(
    token: string,
    input: { password?: string | undefined; name?: string | undefined },
  ): Promise<AcceptedInvitation> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.acceptOnce(token, input);
      } catch (error) {
        // The same address's account was created at this moment (another invitation accepted): join it.
        if (!isUniqueViolation(error) || attempt >= 2) throw error;
      }
    }
  }

  private async acceptOnce(
    token: string,
    input: { password?: string | undefined; name?: string | undefined },
  ): Promise<AcceptedInvitation> {
    const invitation = await this.openInvitation(token);
    const system = await this.systemProject();
    const existing = await this.consoleUserOf(system, invitation.email);
    // Hashed before the transaction: argon2 takes a while, and PGlite has one connection.
    const newUser = existing ? undefined : await this.newConsoleUser(system, invitation.email, input);
    return this.repository.transaction(async (tx) => {
      if (!(await this.repository.acceptInvitation(tx, invitation.id))) throw invalidInvitation();
      const identityId = existing ?? (await this.createConsoleUser(tx, newUser as NewIdentity));
      const membership = await this.repository.addMember(tx, invitation.projectId, identityId, invitation.role);
      return {
        projectId: invitation.projectId,
        projectName: invitation.project.name,
        email: invitation.email,
        role: invitation.role,
        existingUser: existing !== undefined,
        identityId,
        membershipId: membership.id,
      };
    });
  }

  /** The console user to create: the address (and name) as traits of the system project's schema, a password. */
  private async newConsoleUser(
    system: Project,
    email: string,
    input: { password?: string | undefined; name?: string | undefined },
  ): Promise<NewIdentity> {
    if (input.password === undefined)
      throw ApiError.invalidFields([
        fieldError('password', 'msg_field_required', 'is required: this address has no console account yet'),
      ]);
    const schema = await this.schemas.resolve(system.id, undefined);
    const traits = { email, ...(input.name ? { name: input.name } : {}) };
    const problems = schema.compiled.validate(traits);
    if (problems.length) throw ApiError.invalidFields(problems);
    return {
      projectId: system.id,
      traits,
      schemaVersion: schema.version,
      passwordHash: await this.hasher.hash(input.password),
      identifiers: schema.compiled.identifiersOf(traits),
      addresses: schema.compiled.verifiableAddressesOf(traits),
    };
  }

  private async createConsoleUser(tx: Prisma.TransactionClient, user: NewIdentity): Promise<string> {
    const identity = await this.identities.create(tx, user);
    for (const address of user.addresses)
      await this.identities.markAddressVerified(tx, identity.id, address.via, address.value);
    return identity.id;
  }

  private async openInvitation(token: string): Promise<InvitationRow & { project: { name: string } }> {
    const invitation = await this.repository.findInvitationByTokenHash(sha256(token));
    const open = invitation && !invitation.acceptedAt && !invitation.revokedAt && invitation.expiresAt > new Date();
    if (!open) throw invalidInvitation();
    return invitation;
  }

  /** The console user (identity of the system project) that signs in with, or owns, the address. */
  private async consoleUserOf(system: Project, email: string): Promise<string | undefined> {
    const [candidate] = await this.identities.findCandidates(system.id, email);
    return candidate?.id;
  }

  /** How the mail names the inviter: a console user's name (else email), an API key's name, or Keyway itself. */
  private async inviterName(principal: AdminPrincipal, system: Project): Promise<string> {
    if (principal.kind === 'api-key') return principal.name;
    if (principal.kind === 'root') return 'Keyway';
    const identity = await this.identities.findById(system.id, principal.identityId);
    const name = (identity?.traits as Record<string, unknown> | undefined)?.['name'];
    return typeof name === 'string' && name.trim() ? name : principal.email;
  }

  private async systemProject(): Promise<Project> {
    const system = await this.projects.findBySlug(SYSTEM_PROJECT_SLUG);
    // Created at every start (admin/system) before the server listens.
    if (!system) throw new Error('the system project is missing');
    return system;
  }
}

function invalidInvitation(): ApiError {
  return new ApiError(
    HttpStatus.BAD_REQUEST,
    ErrorCodes.INVITATION_INVALID,
    'Invalid invitation.',
    'This invitation link does not work: it is wrong, was used or revoked, or has expired. Ask for a new invitation.',
  );
}

function invitationView(invitation: InvitationRow): InvitationView {
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role,
    invitedBy: invitation.invitedBy,
    createdAt: invitation.createdAt.toISOString(),
    expiresAt: invitation.expiresAt.toISOString(),
  };
}
