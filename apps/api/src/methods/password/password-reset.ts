import { Injectable } from '@nestjs/common';
import { encodeAuthenticatorId, SELF_SERVICE_ACTIONS, type AuthenticatorOption } from '@keyway/flow-types';
import { AfterFlowHooks } from '../../domain/flows/after-flow-hooks';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { LockoutService } from '../../domain/lockout/lockout.service';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import { ApiError, ErrorCodes } from '../../infra/http/errors';
import {
  describeOption,
  type AuthenticationResult,
  type Authenticator,
  type AuthenticatorContext,
  type AuthenticatorPrompt,
} from '../authenticator';
import { NEW_PASSWORD_PROMPT, readNewPassword } from './new-password';

/** The option's name (authenticatorId = base64url(`${name}:LOCAL`)). */
export const PASSWORD_RESET = SELF_SERVICE_ACTIONS.passwordReset;
export const PASSWORD_RESET_ID = encodeAuthenticatorId(PASSWORD_RESET, 'LOCAL');
const META = { name: PASSWORD_RESET, idp: 'LOCAL', displayName: 'New password', i18nKey: 'action.password.reset' };

/** The option as a step shows it (the hosted pages render it from here). */
export function passwordResetOption(): AuthenticatorOption {
  return describeOption(META, NEW_PASSWORD_PROMPT);
}

/**
 * The password method's option in recovery: the new password, once the mailbox was proven (the step before
 * leaves `privilege`, the proven address, and the flow expires with the privileged window). In the step's
 * transaction: the password set (created, with the schema's login identifiers, for an identity that had
 * none), the identity unlocked, and the `recovery.completed` hooks (every session revoked, the notice).
 */
@Injectable()
export class PasswordResetOption implements Authenticator {
  readonly name = META.name;
  readonly idp = META.idp;
  readonly displayName = META.displayName;
  readonly i18nKey = META.i18nKey;
  readonly flowTypes = ['RECOVERY'] as const;
  readonly requiresInitiation = false;
  /** A missing or weak password is a refused form, per field, like registration's. */
  readonly reportsMissingFields = true;

  constructor(
    private readonly identities: IdentitiesRepository,
    private readonly schemas: IdentitySchemasService,
    private readonly hasher: PasswordHasher,
    private readonly lockout: LockoutService,
    private readonly hooks: AfterFlowHooks,
  ) {}

  prompt(): AuthenticatorPrompt {
    return NEW_PASSWORD_PROMPT;
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    const form = readNewPassword(params);
    if (!form.ok) return { outcome: 'failure', message: form.messages[0] };
    const { project, flow } = context;
    const identityId = flow.identityId as string;
    const identity = await this.identities.findCandidate(project.id, identityId);
    // Disabled since the code was sent: as if the flow were gone.
    if (!identity?.active) {
      throw ApiError.badRequest('Invalid or expired flowId. Start a new recovery flow.', ErrorCodes.FLOW_INVALID_ID);
    }
    const schema = (await this.schemas.resolve(project.id, identity.schemaVersion)).compiled;
    // Hashed before the transaction: argon2id takes tens of milliseconds that no lock should wait for.
    const passwordHash = await this.hasher.hash(form.password);
    const address = String((flow.stepState['privilege'] as { address?: unknown } | undefined)?.address ?? '');
    const hooks = await this.hooks.prepare('recovery.completed', {
      project,
      flow,
      identityId,
      at: new Date(),
      identity,
      address,
    });
    return {
      outcome: 'success',
      identityId,
      amr: [],
      effects: async (tx) => {
        await this.identities.setPassword(
          tx,
          project.id,
          identityId,
          passwordHash,
          schema.identifiersOf(identity.traits),
        );
        // Recovery proves the mailbox, which is stronger than the password guesses a lock is about, so it lifts
        // the lock (recovery itself, not an after-flow hook: the new password must work at once).
        await this.lockout.unlockIdentity(tx, project.id, identityId);
        await hooks.run(tx);
      },
    };
  }
}
