import { AccessService } from '../../domain/access/access.service';
import { SYSTEM_PROJECT_SLUG } from '../../domain/projects/system-project';
import { HttpStatus, Injectable } from '@nestjs/common';
import { AccessRepository } from '../../domain/access/access.repository';
import type { AdminPrincipal } from '../../domain/access/access.service';
import type { Application } from '../../domain/applications/application';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { auditDiff } from '../../domain/audit/audit-diff';
import { ConnectionsService } from '../../domain/connections/connections.service';
import { FederatedIdentities } from '../../domain/federation/federated-identities';
import { AuditService, type IdentityAdminAction } from '../../domain/audit/audit.service';
import { IdentitiesRepository, type IdentityRow } from '../../domain/identities/identities.repository';
import { LockoutService } from '../../domain/lockout/lockout.service';
import type { Project } from '../../domain/projects/projects.service';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { normaliseIdentifier } from '../../domain/schemas/identity-traits';
import { SessionsRepository } from '../../domain/sessions/sessions.repository';
import { AssistedRecovery } from '../../flows/recovery/assisted-recovery';
import { VerificationCodeMail } from '../../flows/verification/verification-code-mail';
import type { Prisma } from '../../generated/prisma/client';
import { ApiError, ErrorCodes, fieldError } from '../../infra/http/errors';
import { isUuid } from '../../infra/http/ids';
import { BackupCodesService } from '../../methods/backup-codes/backup-codes.service';
import { PasskeysService } from '../../methods/passkey/passkeys.service';
import { TotpService } from '../../methods/totp/totp.service';
import { actorOf } from '../auth/actor';
import { ActorRoles } from '../auth/actor-role';
import { IdentitiesService } from './identities.service';
import { identityView, type IdentityView } from './identity-views';

/** Whether an action changed anything: `no-op` when there was nothing to do (it is audited all the same). */
export type ActionOutcome = 'done' | 'no-op';

/** Who acts, in which project, and why: what every audited change to an identity carries. */
export interface ActionContext {
  project: Project;
  principal: AdminPrincipal;
  reason: string;
}

/** An action's answer: its outcome, the identity as it is now (absent once deleted), and what the action adds. */
export type ActionResult<T extends object = object> = { outcome: ActionOutcome; identity?: IdentityView } & T;

/**
 * What administrators and help desk do to one identity, each change with a reason and one audit event
 * (`admin.identity.<action>`: actor, the actor's role in the project, reason, target, outcome, details; never a
 * secret). Writes go through the aggregates' repositories and the factors' services; codes for the user are
 * generated and mailed by the flows that own them, so the agent never sees one.
 */
@Injectable()
export class HelpDeskService {
  constructor(
    private readonly identities: IdentitiesRepository,
    private readonly identityAdmin: IdentitiesService,
    private readonly sessions: SessionsRepository,
    private readonly lockout: LockoutService,
    private readonly totp: TotpService,
    private readonly passkeys: PasskeysService,
    private readonly backupCodes: BackupCodesService,
    private readonly applications: ApplicationsService,
    private readonly schemas: IdentitySchemasService,
    private readonly verificationCodes: VerificationCodeMail,
    private readonly recovery: AssistedRecovery,
    private readonly memberships: AccessRepository,
    private readonly roles: ActorRoles,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly connections: ConnectionsService,
    private readonly federated: FederatedIdentities,
  ) {}

  /**
   * Console users are identities of the system project: without this, its admins or help desk could change an
   * instance owner's email, factors or state and take the instance over. Only an instance owner acts on the
   * account of an instance owner (an owner of the system project). Every write below is preceded by this check.
   */
  async assertMayActOn(context: ActionContext, identity: IdentityRow): Promise<void> {
    if (context.project.slug !== SYSTEM_PROJECT_SLUG) return;
    const membership = await this.memberships.findMembership(context.project.id, identity.id);
    if (membership?.role !== 'owner' || (await this.access.isInstanceOwner(context.principal))) return;
    throw new ApiError(
      HttpStatus.FORBIDDEN,
      ErrorCodes.FORBIDDEN,
      'Forbidden.',
      "Only an owner of the instance may change an instance owner's account.",
    );
  }

  /** New traits (validated by the identity's schema version); the diff of what changed is audited. */
  async update(context: ActionContext, identity: IdentityRow, traits: Record<string, unknown>): Promise<ActionResult> {
    const { before, after } = await this.identityAdmin.updateTraits(context.project, identity, traits);
    const changes = auditDiff({ traits: before }, { traits: after });
    const outcome = outcomeOf(Object.keys(changes).length > 0);
    await this.record('updated', context, identity, outcome, { changes });
    return { outcome, identity: await this.current(context, identity) };
  }

  /**
   * Deletes the identity with its credentials, addresses, sessions and refresh tokens (cascade) and its attempt
   * counters. The audit event keeps the id, not the traits: a deletion asked for under data-protection law
   * must not leave the person's data behind in the log.
   */
  async delete(context: ActionContext, identity: IdentityRow): Promise<ActionResult<{ id: string }>> {
    await this.refuseLastOwner(identity, 'delete');
    const deleted = await this.identities.transaction(async (tx) => {
      await this.lockout.forgetIdentity(tx, context.project.id, identity.id);
      return this.identities.delete(tx, context.project.id, identity.id);
    });
    const outcome = outcomeOf(deleted);
    await this.record('deleted', context, identity, outcome, {
      schemaVersion: identity.schemaVersion,
      createdAt: identity.createdAt.toISOString(),
    });
    return { outcome, id: identity.id };
  }

  /** Lifts the lock and clears every factor's failure count and lock history. */
  async unlock(
    context: ActionContext,
    identity: IdentityRow,
  ): Promise<ActionResult<{ lockedUntil: string | null; failedAttempts: number }>> {
    const now = new Date();
    const { failedAttempts } = await this.lockout.status(context.project.id, identity.id);
    const locked = identity.lockedUntil !== null && identity.lockedUntil > now;
    await this.identities.transaction((tx) => this.lockout.unlockIdentity(tx, context.project.id, identity.id));
    const outcome = outcomeOf(locked || failedAttempts > 0);
    // What was lifted: the lock's end and the failures counted toward the next one.
    const before = { lockedUntil: locked ? (identity.lockedUntil as Date).toISOString() : null, failedAttempts };
    await this.record('unlock', context, identity, outcome, before);
    return { outcome, identity: await this.current(context, identity), ...before };
  }

  /** Disabled identities cannot sign in (every method refuses them); their sessions and refresh tokens end now. */
  async disable(context: ActionContext, identity: IdentityRow): Promise<ActionResult<{ sessionsRevoked: number }>> {
    await this.refuseLastOwner(identity, 'disable');
    const { changed, sessionsRevoked } = await this.identities.transaction(async (tx) => ({
      changed: await this.identities.setState(tx, context.project.id, identity.id, 'disabled'),
      sessionsRevoked: await this.sessions.revokeAll(tx, identity.id),
    }));
    const outcome = outcomeOf(changed || sessionsRevoked > 0);
    await this.record('disable', context, identity, outcome, { sessionsRevoked });
    return { outcome, identity: await this.current(context, identity), sessionsRevoked };
  }

  async enable(context: ActionContext, identity: IdentityRow): Promise<ActionResult> {
    const outcome = outcomeOf(await this.identities.setState(undefined, context.project.id, identity.id, 'active'));
    await this.record('enable', context, identity, outcome);
    return { outcome, identity: await this.current(context, identity) };
  }

  /** Marks one of the identity's addresses verified: the agent vouches for it (say how in the reason). */
  async verifyAddress(
    context: ActionContext,
    identity: IdentityRow,
    address: string,
  ): Promise<ActionResult<{ address: string }>> {
    const own = await this.ownAddress(identity, address);
    const outcome = outcomeOf(await this.identities.markAddressVerified(undefined, identity.id, own.via, own.value));
    await this.record('verify-address', context, identity, outcome, { address: own.value, via: own.via });
    return { outcome, identity: await this.current(context, identity), address: own.value };
  }

  /**
   * A new verification code for one of the identity's unverified email addresses: a VERIFICATION flow bound to
   * the identity and the `verification_code` mail (the same as settings send for a new address), answered at
   * /flows/verification with the flow's id by an app of `clientId` (the project's first app-native one by
   * default). Already verified: nothing is sent (`no-op`).
   */
  async resendVerification(
    context: ActionContext,
    identity: IdentityRow,
    address: string,
    clientId: string | undefined,
  ): Promise<ActionResult<{ address: string; flowId: string | null; expiresAt: string | null }>> {
    const own = await this.ownAddress(identity, address, 'email');
    this.refuseDisabled(identity, 'a verification code');
    let sent: { flowId: string; expiresAt: Date } | undefined;
    if (!own.verified) {
      const application = await this.application(context.project, clientId, 'app-native');
      sent = await this.identities.transaction((tx) =>
        this.verificationCodes.send(tx, {
          project: context.project,
          application,
          identityId: identity.id,
          identity: { traits: traitsOf(identity), schemaVersion: identity.schemaVersion },
          email: own.value,
        }),
      );
    }
    const outcome = outcomeOf(sent !== undefined);
    const details = {
      address: own.value,
      flowId: sent?.flowId ?? null,
      expiresAt: sent?.expiresAt.toISOString() ?? null,
    };
    await this.record('resend-verification', context, identity, outcome, details);
    return { outcome, identity: await this.current(context, identity), ...details };
  }

  /**
   * A recovery code mailed to a recovery address of the identity (schema `recovery.via: email`; the first one
   * unless `address` names another), with a link to the hosted page of its flow, where the user enters it and
   * chooses a new password (AssistedRecovery). The code is never shown to the caller.
   */
  async sendRecovery(
    context: ActionContext,
    identity: IdentityRow,
    address: string | undefined,
    clientId: string | undefined,
  ): Promise<ActionResult<{ sentTo: string; flowId: string; expiresAt: string }>> {
    this.refuseDisabled(identity, 'a recovery code');
    const schema = (await this.schemas.resolve(context.project.id, identity.schemaVersion)).compiled;
    const recoveryAddresses = schema.recoveryAddressesOf(traitsOf(identity));
    if (!recoveryAddresses.length)
      throw ApiError.conflict('The identity has no recovery address (a trait marked recovery.via: email).');
    const sentTo = address === undefined ? (recoveryAddresses[0] as string) : normaliseIdentifier(address);
    if (!recoveryAddresses.includes(sentTo))
      throw ApiError.invalidFields([
        fieldError(
          'address',
          'msg_field_invalid',
          `is not a recovery address of this identity (${recoveryAddresses.join(', ')})`,
        ),
      ]);
    const application = await this.application(context.project, clientId, 'any');
    const started = await this.recovery.start({
      project: context.project,
      application,
      identity: { id: identity.id, traits: traitsOf(identity), schemaVersion: identity.schemaVersion },
      address: sentTo,
    });
    const details = { sentTo, flowId: started.flowId, expiresAt: started.expiresAt.toISOString() };
    await this.record('send-recovery', context, identity, 'done', details);
    return { outcome: 'done', identity: await this.current(context, identity), ...details };
  }

  async removeTotp(context: ActionContext, identity: IdentityRow): Promise<ActionResult> {
    const outcome = outcomeOf(await this.totp.remove(identity.id));
    await this.record('remove-totp', context, identity, outcome);
    return { outcome, identity: await this.current(context, identity) };
  }

  async removeBackupCodes(context: ActionContext, identity: IdentityRow): Promise<ActionResult<{ removed: number }>> {
    const { remaining } = await this.backupCodes.status(identity.id);
    const outcome = outcomeOf(await this.backupCodes.remove(identity.id));
    // How many unused codes stopped working (the set itself is gone either way).
    await this.record('remove-backup-codes', context, identity, outcome, { unusedRemoved: remaining });
    return { outcome, identity: await this.current(context, identity), removed: remaining };
  }

  /** Removes one passkey (a lost device). An identity left without any way to sign in can still recover. */
  async removePasskey(
    context: ActionContext,
    identity: IdentityRow,
    passkeyId: string,
  ): Promise<ActionResult<{ passkeyId: string }>> {
    const passkey = (await this.passkeys.list(identity.id)).find(({ id }) => id === passkeyId);
    const outcome = outcomeOf(passkey !== undefined && (await this.passkeys.remove(identity.id, passkeyId)));
    await this.record('remove-passkey', context, identity, outcome, { passkeyId, name: passkey?.name ?? null });
    return { outcome, identity: await this.current(context, identity), passkeyId };
  }

  /**
   * Unlinks the identity's account at a connection (the user signs in there no more until it links again); 409
   * when it is the identity's last way to sign in, as in the user's own settings.
   */
  async unlinkConnection(
    context: ActionContext,
    identity: IdentityRow,
    connectionId: string,
  ): Promise<ActionResult<{ connectionId: string }>> {
    const account = (await this.connections.linkedAccounts(context.project.id, identity.id)).find(
      (linked) => linked.connectionId === connectionId,
    );
    const result = account ? await this.federated.unlink(context.project.id, identity.id, connectionId) : 'not-linked';
    if (result === 'last-method')
      throw ApiError.conflict(
        `The account at '${account?.connectionName}' is the identity's last way to sign in: give it a password or a passkey first, or delete the identity.`,
      );
    const outcome = outcomeOf(result === 'unlinked');
    await this.record('unlink-connection', context, identity, outcome, {
      connectionId,
      connection: account?.connectionName ?? null,
      subject: account?.subject ?? null,
    });
    return { outcome, identity: await this.current(context, identity), connectionId };
  }

  /** Ends every session of the identity and the refresh tokens issued in them (access tokens run out on their own). */
  async revokeSessions(
    context: ActionContext,
    identity: IdentityRow,
  ): Promise<ActionResult<{ sessionsRevoked: number }>> {
    const sessionsRevoked = await this.sessions.revokeAll(undefined, identity.id);
    const outcome = outcomeOf(sessionsRevoked > 0);
    await this.record('revoke-sessions', context, identity, outcome, { sessionsRevoked });
    return { outcome, identity: await this.current(context, identity), sessionsRevoked };
  }

  /** Ends one session and its refresh tokens; 404 when the identity has no session with this id. */
  async revokeSession(
    context: ActionContext,
    identity: IdentityRow,
    sessionId: string,
  ): Promise<ActionResult<{ sessionId: string }>> {
    const session = isUuid(sessionId) ? await this.sessions.findOfIdentity(identity.id, sessionId) : undefined;
    if (!session) throw ApiError.notFound(`The identity has no session '${sessionId}'.`);
    const outcome = outcomeOf(await this.sessions.revokeOne(identity.id, sessionId));
    await this.record('revoke-session', context, identity, outcome, { sessionId });
    return { outcome, sessionId };
  }

  private async record(
    action: IdentityAdminAction,
    context: ActionContext,
    identity: IdentityRow,
    outcome: ActionOutcome,
    details: Prisma.InputJsonObject = {},
  ): Promise<void> {
    await this.audit.record(`admin.identity.${action}`, {
      projectId: context.project.id,
      identityId: identity.id,
      ...actorOf(context.principal),
      target: { type: 'identity', id: identity.id },
      data: {
        role: await this.roles.roleIn(context.principal, context.project),
        reason: context.reason,
        outcome,
        ...details,
      },
    });
  }

  private async current(context: ActionContext, identity: IdentityRow): Promise<IdentityView | undefined> {
    const now = await this.identities.findById(context.project.id, identity.id);
    return now ? identityView(now) : undefined;
  }

  /** One of the identity's verifiable addresses (normalised as stored); 400 naming `address` otherwise. */
  private async ownAddress(
    identity: IdentityRow,
    address: string,
    via?: 'email',
  ): Promise<{ via: 'email' | 'phone'; value: string; verified: boolean }> {
    const value = normaliseIdentifier(address);
    const own = (await this.identities.listVerifiableAddresses(identity.id)).find(
      (candidate) => candidate.value === value && (via === undefined || candidate.via === via),
    );
    if (!own)
      throw ApiError.invalidFields([
        fieldError(
          'address',
          'msg_field_invalid',
          `is not ${via ? 'an email' : 'a verifiable'} address of this identity`,
        ),
      ]);
    return { via: own.via as 'email' | 'phone', value: own.value, verified: own.verified };
  }

  /** The application a code's flow belongs to: the one named, or the project's first suitable one. */
  private async application(
    project: Project,
    clientId: string | undefined,
    kind: 'app-native' | 'any',
  ): Promise<Pick<Application, 'id' | 'clientId'>> {
    const suitable = (application: Application) => kind === 'any' || application.appNative;
    if (clientId !== undefined) {
      const named = await this.applications.findByClientId(project.id, clientId);
      if (!named || !suitable(named))
        throw ApiError.invalidFields([
          fieldError(
            'clientId',
            'msg_field_invalid',
            `is not ${kind === 'any' ? 'an' : 'an app-native'} application of this project`,
          ),
        ]);
      return named;
    }
    const first = (await this.applications.list(project.id)).find(suitable);
    if (!first)
      throw ApiError.conflict(
        `The project has no ${kind === 'any' ? '' : 'app-native '}application for the user to answer the code with.`,
      );
    return first;
  }

  private refuseDisabled(identity: IdentityRow, what: string): void {
    if (identity.state !== 'active')
      throw ApiError.conflict(`The identity is disabled: enable it before sending ${what}.`);
  }

  /**
   * A console user (an identity of the system project) who is the last owner of a project may not be disabled
   * or deleted: the project would be left without anyone to manage its members.
   */
  private async refuseLastOwner(identity: IdentityRow, what: string): Promise<void> {
    for (const membership of await this.memberships.membershipsOf(identity.id)) {
      if (membership.role !== 'owner') continue;
      const owners = (await this.memberships.members(membership.projectId)).filter(({ role }) => role === 'owner');
      if (owners.length <= 1)
        throw ApiError.conflict(
          `The identity is the last owner of project '${membership.project.slug}': make someone else an owner before you ${what} it.`,
        );
    }
  }
}

function outcomeOf(changed: boolean): ActionOutcome {
  return changed ? 'done' : 'no-op';
}

function traitsOf(identity: IdentityRow): Record<string, unknown> {
  return (identity.traits ?? {}) as Record<string, unknown>;
}
