import {
  encodeAuthenticatorId,
  type AuthenticatorMetadata,
  type AuthenticatorOption,
  type FlowMessage,
  type FlowType,
  type PromptType,
} from '@keyway/flow-types';
import type { Tx } from '../domain/flows/flow.store';
import type { Application } from '../domain/applications/application';
import type { Project } from '../domain/projects/projects.service';
import type { FlowRecord } from '../domain/flows/flow';

/** What an authenticator sees of the flow it runs in. */
export interface AuthenticatorContext {
  project: Project;
  application: Application;
  flow: FlowRecord;
  /**
   * What the answer that led to this presentation made to be shown once and never stored (new backup codes),
   * keyed by the name of the option that made it. Absent on every other presentation.
   */
  shown?: Readonly<Record<string, unknown>>;
}

/** What an option's writes in the step's transaction decided. */
export type StepEffects =
  /** Refused after all (an identifier taken meanwhile): nothing is written, the answer counts as a failure. */
  | { refused: FlowMessage }
  /** Written; these messages follow the option's own `next.messages` (e.g. one per verification code sent). */
  | { messages: FlowMessage[] };

/** How an option is presented once it is ready to be answered. */
export interface AuthenticatorPrompt {
  promptType: PromptType;
  params?: AuthenticatorMetadata['params'];
  additionalData?: Record<string, string>;
  requiredParams: string[];
}

export type AuthenticationResult =
  | {
      outcome: 'success';
      /** Absent when the step proves no one yet (the flow keeps the identity it has, if any). */
      identityId?: string;
      amr: string[];
      /**
       * Writes that must commit with the step (an address marked verified), in the engine's transaction; they
       * may refuse the answer after all, or add messages to the next step (StepEffects).
       */
      effects?: (tx: Tx) => Promise<StepEffects | void>;
      /**
       * An error the effects threw (a unique violation: the database aborts the transaction, so it cannot be
       * answered inside it) as a refusal, asked after the rollback: counted, the first message shown with the
       * others after it. Undefined: the error is not the option's to answer, and propagates.
       */
      refusedBy?: (error: unknown) => Promise<FlowMessage[] | undefined>;
      /** Runs once the step is written (an audit record that must not claim a change that rolled back). */
      afterCommit?: () => Promise<void>;
      /** The flow ends with this step, whatever steps its type has left (registration without an address to prove). */
      completesFlow?: boolean;
      /** How the next step starts: its options' state, the flow's new expiry, messages shown with it. */
      next?: {
        stepState?: Record<string, unknown>;
        expiresAt?: Date;
        messages?: FlowMessage[];
        /** Shown once with the next presentation (AuthenticatorContext.shown), never written to the flow. */
        shown?: unknown;
      };
    }
  /**
   * The step may be retried; `message` explains why it failed. `stepState` replaces the option's state (a
   * code's own attempt count), written with the failure.
   */
  | {
      outcome: 'failure';
      message: FlowMessage;
      moreMessages?: FlowMessage[];
      stepState?: unknown;
      /** Show only this option's prompt again (a wrong first code of an enrollment), not the whole step. */
      reprompt?: boolean;
    }
  /** The flow must end (e.g. the identity is locked). */
  | { outcome: 'terminal'; message: FlowMessage }
  /**
   * The step goes on with another prompt of the same option (a first-step email OTP got the username and
   * now asks for the code); `stepState` replaces the option's state, as `initiate`'s does. `messages` say why
   * (a federated sign-in asking for the existing account's password before it links).
   */
  | { outcome: 'continue'; stepState: unknown; messages?: FlowMessage[] };

/** Why `initiate` runs. */
export interface InitiationRequest {
  /** The user selected the option again without params (e.g. "resend the code"), rather than the step being presented. */
  reselected: boolean;
}

/**
 * The one interface through which the flow engine knows an authenticator. Adding an authenticator means
 * one folder under methods/ plus its registration in AuthenticatorsModule (flows/engine).
 */
export interface Authenticator {
  /** e.g. "BasicAuthenticator" (authenticatorId = base64url(`${name}:${idp}`)). */
  readonly name: string;
  readonly idp: string;
  /** Display name, e.g. "Username & Password". */
  readonly displayName: string;
  readonly i18nKey: string;
  /**
   * Where the option keeps its state in flow.stepState; `name` unless options share a name (one federated
   * option per connection: the same authenticator name, a different idp).
   */
  readonly stateKey?: string;
  /**
   * The flow types whose steps may offer this option: a method serves every flow type it supports through
   * its options (the password's login option also re-authenticates in settings; the email code signs in and
   * verifies an address). The engine offers an option only in flows of these types.
   */
  readonly flowTypes: readonly FlowType[];
  /**
   * Login options: the RFC 8176 `amr` values a success adds to the session. Single sign-on reads them back: a
   * session whose amr holds one of them has passed this option, so an app whose flow asks for it needs no
   * new login (an app asking for a factor the session lacks gets a step-up login instead).
   */
  readonly amr?: readonly string[];
  /**
   * A form that answers its own missing fields, per field, as a refused (counted) answer; the engine then
   * skips its FLW-60003 check of `requiredParams`.
   */
  readonly reportsMissingFields?: boolean;
  /**
   * Options that need user initiation (passkey, email OTP) show only their id and name inside a
   * MULTI_OPTIONS_PROMPT; selecting them without params calls `initiate`.
   */
  readonly requiresInitiation: boolean;
  /**
   * Second factors (TOTP, backup codes) verify the identity an earlier step established
   * (flow.identityId), so they cannot be offered in a login flow's first step.
   */
  readonly requiresIdentity?: boolean;
  /**
   * Options this one is added to automatically: a step that offers any of them also offers this one,
   * when `isAvailable` says the identity established so far can use it (backup codes beside TOTP and
   * passkeys). The step's configuration does not need to name it.
   */
  readonly offeredAlongside?: readonly string[];

  /**
   * Whether the option is offered to this flow now, when that depends on the account (settings: RemoveTotp
   * only with an authenticator app). A configured option that says no is neither shown nor selectable.
   */
  isOffered?(context: AuthenticatorContext): Promise<boolean>;
  /** Whether an option added through `offeredAlongside` can be used in this flow (e.g. unused codes exist). */
  isAvailable?(context: AuthenticatorContext): Promise<boolean>;
  /**
   * `requiresInitiation` for options that need it only sometimes: TOTP does when the identity has no
   * authenticator app yet and the application lets the step enroll one (initiation creates the secret).
   */
  needsInitiation?(context: AuthenticatorContext): Promise<boolean>;
  /** May depend on the flow (e.g. an enrollment prompt built from the state `initiate` stored). */
  prompt(context: AuthenticatorContext): AuthenticatorPrompt | Promise<AuthenticatorPrompt>;
  /**
   * Prepares a user-initiated option (challenge, code sent, enrollment secret); what it returns is kept
   * in flow.stepState[name] for this step. It may run more than once per step (each time the step is
   * presented again), so options whose state the user already acted on (a scanned secret) reuse it.
   * `refused` declines the initiation (e.g. a resend limit): the engine answers FAIL_INCOMPLETE with it.
   */
  initiate?(
    context: AuthenticatorContext,
    request?: InitiationRequest,
  ): Promise<{ stepState?: unknown; refused?: FlowMessage }>;
  authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult>;
}

/** DI token under which every authenticator is registered. */
export const AUTHENTICATORS = Symbol('AUTHENTICATORS');

/** The key of an option's state in flow.stepState. */
export function stateKeyOf(authenticator: Pick<Authenticator, 'name' | 'stateKey'>): string {
  return authenticator.stateKey ?? authenticator.name;
}

/**
 * Options made from a project's configuration rather than registered once per server: one sign-in option per
 * connection an application offers. The engine asks every source for the current step's extra options, each
 * time it presents or checks a step, so a connection changed by an admin shows at once.
 */
export interface OptionSource {
  /** The options this source adds to the flow's current step (none for most steps). */
  optionsFor(context: AuthenticatorContext): Promise<Authenticator[]>;
  /**
   * The amr values whose presence in a session passes the first login step of this application through this
   * source's options (single sign-on: a session signed in with a connection of the app needs no new login).
   */
  firstStepAmr(project: Project, application: Application): Promise<readonly string[]>;
}

/** DI token under which every OptionSource is registered. */
export const OPTION_SOURCES = Symbol('OPTION_SOURCES');

/** An option with its full prompt, as a step shows it (the one place its wire shape is built). */
export function describeOption(
  option: Pick<Authenticator, 'name' | 'idp' | 'displayName' | 'i18nKey'>,
  prompt: AuthenticatorPrompt,
): AuthenticatorOption {
  return {
    authenticatorId: encodeAuthenticatorId(option.name, option.idp),
    authenticator: option.displayName,
    idp: option.idp,
    metadata: {
      i18nKey: option.i18nKey,
      promptType: prompt.promptType,
      ...(prompt.params ? { params: prompt.params } : {}),
      ...(prompt.additionalData ? { additionalData: prompt.additionalData } : {}),
    },
    requiredParams: prompt.requiredParams,
  };
}

/**
 * A read shared by the options of one presentation (the settings menu reads the account once, not once per
 * option), kept per flow record: the engine replaces the record on every write, so nothing is served stale.
 */
export function perFlow<T>(
  load: (context: AuthenticatorContext) => Promise<T>,
): (context: AuthenticatorContext) => Promise<T> {
  const loaded = new WeakMap<FlowRecord, Promise<T>>();
  return (context) => {
    let value = loaded.get(context.flow);
    if (!value) {
      value = load(context);
      loaded.set(context.flow, value);
    }
    return value;
  };
}
