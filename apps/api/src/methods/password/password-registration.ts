import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SELF_SERVICE_ACTIONS, type AuthenticatorOption } from '@keyway/flow-types';
import { EmailOutbox } from '../../domain/email/email-outbox';
import { SelfServiceMessages } from '../../domain/flows/self-service-messages';
import { IdentitiesRepository, type NewIdentity } from '../../domain/identities/identities.repository';
import type { CompiledIdentitySchema } from '../../domain/schemas/identity-schema';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { paramsFromSchema, requiredParamsFromSchema } from '../../domain/schemas/schema-params';
import { CODE_TTL_MS, generateCode, hashCode } from '../../infra/crypto/one-time-code';
import { PasswordHasher } from '../../infra/crypto/password-hasher';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import {
  describeOption,
  type AuthenticationResult,
  type Authenticator,
  type AuthenticatorContext,
  type AuthenticatorPrompt,
} from '../authenticator';
import { emailVerificationStepState } from '../email-code/email-code-verification';
import { fieldMessages, PASSWORD_PARAM, readRegistrationForm } from './registration-form';

/** The option's name (authenticatorId = base64url(`${name}:LOCAL`)). */
export const PASSWORD_REGISTRATION = SELF_SERVICE_ACTIONS.passwordRegistration;
const META = {
  name: PASSWORD_REGISTRATION,
  idp: 'LOCAL',
  displayName: 'Password registration',
  i18nKey: 'action.password.registration',
};

/** The outbox job that, after the form is answered, creates the account (or tells the address's owner). */
export const REGISTRATION_JOB = 'job:registration';

/**
 * What the form step leaves for its job: the identity to create (its password already hashed: the request
 * spends the argon2id time for every address), the code to mail (only its hash is in the flow), the flow.
 */
export interface RegistrationJob {
  projectSlug: string;
  flowId: string;
  code: string;
  identity: Omit<NewIdentity, 'projectId'>;
}

/** The form's prompt: traits params from the schema (its order and types), then the password. */
function formPrompt(schema: CompiledIdentitySchema): AuthenticatorPrompt {
  const traits = paramsFromSchema(schema);
  return {
    promptType: 'USER_PROMPT',
    params: [
      ...traits,
      {
        param: PASSWORD_PARAM,
        type: 'STRING',
        order: traits.length,
        i18nKey: 'param.password',
        displayName: 'Password',
        confidential: true,
      },
    ],
    requiredParams: [...requiredParamsFromSchema(schema), PASSWORD_PARAM],
  };
}

/** The form as a step shows it (the start's answer and the hosted pages build it from here). */
export function formOption(schema: CompiledIdentitySchema): AuthenticatorOption {
  return describeOption(META, formPrompt(schema));
}

/**
 * The password method's option in registration: the form (traits from the project's default identity schema,
 * and a password). When the schema has a verifiable email, the form's step does the same work for every
 * address (the password's argon2id hash, the next step's code hash and an outbox job) and never looks at
 * whether the address is taken: the job, after the answer, creates the identity and mails the code, or mails
 * the address's owner a notice, and the code step (the email-code method's verification option) proves the
 * address. Without one, the identity is created with the step, and a taken identifier is refused on screen.
 */
@Injectable()
export class PasswordRegistrationOption implements Authenticator {
  readonly name = META.name;
  readonly idp = META.idp;
  readonly displayName = META.displayName;
  readonly i18nKey = META.i18nKey;
  readonly flowTypes = ['REGISTRATION'] as const;
  readonly requiresInitiation = false;
  /** Missing and invalid traits are answered per field (`msg_trait_required`, …), as a refused form. */
  readonly reportsMissingFields = true;

  constructor(
    private readonly schemas: IdentitySchemasService,
    private readonly hasher: PasswordHasher,
    private readonly identities: IdentitiesRepository,
    private readonly outbox: EmailOutbox,
  ) {}

  async prompt(context: AuthenticatorContext): Promise<AuthenticatorPrompt> {
    return formPrompt((await this.schemas.getDefault(context.project.id)).compiled);
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    const { project, flow } = context;
    // The flow keeps the default schema current when it answers; a new default applies to the next submission.
    const { compiled: schema, version } = await this.schemas.getDefault(project.id);
    const form = readRegistrationForm(schema, params);
    if (!form.ok) {
      const [message, ...more] = fieldMessages(form.errors);
      if (!message) throw new Error('A refused registration form named no field');
      return { outcome: 'failure', message, moreMessages: more };
    }
    const identity: NewIdentity = {
      id: randomUUID(),
      projectId: project.id,
      traits: form.traits as NewIdentity['traits'],
      schemaVersion: version,
      // Hashed before any transaction: argon2id takes tens of milliseconds that no lock should wait for.
      passwordHash: await this.hasher.hash(form.password),
      identifiers: schema.identifiersOf(form.traits),
      addresses: schema.verifiableAddressesOf(form.traits),
    };
    const email = identity.addresses.find((address) => address.via === 'email');
    if (!email) {
      // No channel to tell an address's owner: a taken identifier can only be refused on screen
      // (docs/errors.md msg_identifier_taken), and the flow ends with this step.
      const identityId = identity.id as string;
      return {
        outcome: 'success',
        identityId,
        amr: ['pwd'],
        completesFlow: true,
        effects: async (tx) => {
          if (await this.identities.isTaken(tx, project.id, identity.identifiers, identity.addresses))
            return { refused: SelfServiceMessages.identifierTaken() };
          try {
            await this.identities.create(tx, identity);
          } catch (error) {
            // A concurrent registration took an identifier between the check and the insert.
            if (isUniqueViolation(error)) return { refused: SelfServiceMessages.identifierTaken() };
            throw error;
          }
          return undefined;
        },
      };
    }
    // The same work for every address (docs/self-service.md, "Timing"): whether it is taken is not looked at
    // before the answer; the job creates the identity or mails the owner after it.
    const code = generateCode();
    const expiresAt = Date.now() + CODE_TTL_MS;
    const { id: _id, projectId: _projectId, ...fields } = identity;
    const job: RegistrationJob = { projectSlug: project.slug, flowId: flow.id, code, identity: fields };
    return {
      outcome: 'success',
      amr: ['pwd'],
      next: {
        stepState: emailVerificationStepState({
          email: email.value,
          pending: { codeHash: hashCode(code), expiresAt, attempts: 0 },
        }),
        expiresAt: new Date(expiresAt),
        messages: [SelfServiceMessages.verificationCodeSent()],
      },
      effects: async (tx) => {
        await this.outbox.enqueueJob(tx, {
          projectId: project.id,
          kind: REGISTRATION_JOB,
          to: email.value,
          payload: { ...job },
          idempotencyKey: `registration-request:${flow.id}`,
        });
      },
    };
  }
}
