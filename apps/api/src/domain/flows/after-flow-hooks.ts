import { Inject, Injectable } from '@nestjs/common';
import type { Project } from '../projects/projects.service';
import type { NewSession } from '../sessions/sessions.repository';
import type { FlowRecord } from './flow';
import type { Tx } from './flow.store';

/**
 * After-flow hooks (after ory/kratos `selfservice/hook`): the side effects that follow a flow's completion —
 * mails, revoked sessions — each a small class implementing AfterFlowHook, registered once in
 * flows/hooks/after-flow-hooks.module.ts. The flow only says what happened; AfterFlowHooks runs the event's
 * hooks in the flow's own transaction, so their writes (outbox mails included) commit or roll back with it.
 * Interface and executor live here, not in flows/, because domain/grants raises `login.completed`.
 */

/** The identity as hooks see it: its traits (name, locale trait) and schema version (which trait is the locale). */
export interface HookIdentity {
  traits: Record<string, unknown>;
  schemaVersion: number;
}

/** What every event carries: the flow that completed, for whom, and when (one instant for every write and mail date). */
interface Completion {
  project: Project;
  flow: FlowRecord;
  identityId: string;
  at: Date;
}

export interface RegistrationCompleted extends Completion {
  /** The proven address; undefined when the schema has no verifiable email. */
  email: string | undefined;
}

export interface RecoveryCompleted extends Completion {
  identity: HookIdentity;
  /** The recovery address the code was mailed to. */
  address: string;
}

export interface PasswordChanged extends Completion {
  identity: HookIdentity;
  /** The identity's email, if its schema has one. */
  email: string | undefined;
  /** The settings flow's own session, which goes on. */
  keepSessionId: string;
}

export interface ProfileUpdated extends Completion {
  /** The identity with its new traits. */
  identity: HookIdentity;
  /** Email addresses the update added: unverified until their owner proves them. */
  addedEmails: string[];
}

export interface LoginCompleted extends Completion {
  /** The new session's id (the row is written in the same transaction as the hooks run in). */
  sessionId: string;
  /** The device the request came from; undefined when unknown. */
  device: NewSession['device'];
}

/** Each event's payload, and the facts its hooks may report back to the flow (for its audit record). */
export interface AfterFlowEvents {
  /** A new identity's account is complete: created, and its email address proven when the schema has one. */
  'registration.completed': { payload: RegistrationCompleted; facts: object };
  /** Recovery set a new password (the flow succeeded; its authorization code is issued after the commit). */
  'recovery.completed': { payload: RecoveryCompleted; facts: object };
  /** The settings flow changed the password of its signed-in identity. */
  'settings.password_changed': { payload: PasswordChanged; facts: { revokedSessions?: number } };
  /** The settings flow changed the traits of its signed-in identity (in the transaction that writes them). */
  'settings.profile_updated': {
    payload: ProfileUpdated;
    /** The verification flow started for each added address, for the flow to name in its answer. */
    facts: { verificationFlows?: Array<{ email: string; flowId: string }> };
  };
  /**
   * A flow signed its identity in: a new session and its authorization code (login, and registration or
   * recovery ending with a code). Raised by domain/grants, in the transaction that writes the session.
   */
  'login.completed': { payload: LoginCompleted; facts: object };
}

export type AfterFlowEvent = keyof AfterFlowEvents;
export type AfterFlowPayload<E extends AfterFlowEvent> = AfterFlowEvents[E]['payload'];
export type AfterFlowFacts<E extends AfterFlowEvent> = AfterFlowEvents[E]['facts'];

export interface AfterFlowHook<E extends AfterFlowEvent = AfterFlowEvent> {
  readonly event: E;
  /**
   * Optional: false when the hook has nothing to do for this completion. Asked before the flow's writes and
   * outside its transaction, so it sees the state the flow started from (the new-device alert compares with
   * earlier sessions), and so a flow that needs no transaction of its own (a login) opens none for nothing.
   */
  wants?(payload: AfterFlowPayload<E>): boolean | Promise<boolean>;
  /** In the flow's transaction: a throw rolls the whole flow back. */
  run(tx: Tx, payload: AfterFlowPayload<E>): Promise<AfterFlowFacts<E> | void>;
}

/** Any hook, of whichever event (what AFTER_FLOW_HOOKS holds). */
export type AnyAfterFlowHook = { [E in AfterFlowEvent]: AfterFlowHook<E> }[AfterFlowEvent];

/** DI token: every after-flow hook, in registration order (provided by flows/hooks/after-flow-hooks.module.ts). */
export const AFTER_FLOW_HOOKS = Symbol('AFTER_FLOW_HOOKS');

/** The hooks of one completion that have work, bound to its payload; `run` is for the flow's transaction. */
export interface DueHooks<E extends AfterFlowEvent> {
  /** False when no hook has work: a flow that writes without a transaction may then stay without one. */
  readonly any: boolean;
  /** Runs them one after the other, in registration order, in `tx`; resolves to the facts they reported. */
  run(tx: Tx): Promise<Partial<AfterFlowFacts<E>>>;
}

/** The executor: what a flow calls, once per completion, instead of writing its side effects inline. */
@Injectable()
export class AfterFlowHooks {
  constructor(@Inject(AFTER_FLOW_HOOKS) private readonly hooks: readonly AnyAfterFlowHook[]) {}

  /** Call before the flow's transaction (see AfterFlowHook.wants), then `run` the result inside it. */
  async prepare<E extends AfterFlowEvent>(event: E, payload: AfterFlowPayload<E>): Promise<DueHooks<E>> {
    const due: AfterFlowHook<E>[] = [];
    for (const hook of this.hooks) {
      if (hook.event !== event) continue;
      const ofEvent = hook as unknown as AfterFlowHook<E>;
      if (!ofEvent.wants || (await ofEvent.wants(payload))) due.push(ofEvent);
    }
    return {
      any: due.length > 0,
      run: async (tx) => {
        const facts: Partial<AfterFlowFacts<E>> = {};
        // One after the other: they share the transaction's connection, and their order is part of the contract.
        for (const hook of due) Object.assign(facts, await hook.run(tx, payload));
        return facts;
      },
    };
  }
}
