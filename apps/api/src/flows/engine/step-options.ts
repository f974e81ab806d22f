import { Inject, Injectable, Optional } from '@nestjs/common';
import { decodeAuthenticatorId } from '@keyway/flow-types';
import {
  OPTION_SOURCES,
  type Authenticator,
  type AuthenticatorContext,
  type OptionSource,
} from '../../methods/authenticator';
import { STEP_GATES, type StepGate } from '../../domain/flows/step-gate';
import { AuthenticatorRegistry } from './authenticator.registry';
import { flowDefinition, type FlowDefinition, type FlowGate } from './flow-definitions';

/** One option of the current step, as this flow sees it now. */
export interface StepOption {
  authenticator: Authenticator;
  /** Shown with only its id and name in a MULTI_OPTIONS_PROMPT; selecting it without params initiates it. */
  userInitiated: boolean;
}

/** What selecting an option means now: answer it, or (a gated option while the gate is closed) pass the gate first. */
export type Selection = { option: StepOption } | { closedGate: FlowGate };

/**
 * The options a flow's current step offers: the configured ones that are offered to this flow now
 * (`isOffered`), then the ones added through `offeredAlongside` (backup codes wherever TOTP or a passkey is a
 * step) that the identity can use; behind a closed gate, the gate's options instead. The engine asks this one
 * place both to present a step and to check a selection, so an option is selectable when it is shown (and
 * behind a gate, the step's options are recognised so that selecting one can be answered with the gate).
 */
@Injectable()
export class StepOptionsResolver {
  private readonly gates: Map<string, StepGate>;

  constructor(
    private readonly registry: AuthenticatorRegistry,
    @Inject(STEP_GATES) gates: StepGate[] = [],
    @Optional() @Inject(OPTION_SOURCES) private readonly sources: OptionSource[] = [],
  ) {
    this.gates = new Map(gates.map((gate) => [gate.name, gate]));
  }

  /** The options the current step shows. */
  async resolve(context: AuthenticatorContext): Promise<StepOption[]> {
    const definition = flowDefinition(context.flow.type);
    if (definition.gate && !(await this.isGateOpen(definition, context)))
      return this.offered(context, definition.gate.options);
    return this.stepOptions(context, definition);
  }

  /**
   * Whether the option an authenticatorId names can be answered now; undefined when the step does not offer it.
   * Options are found by id among the step's own, so an option made from configuration (a connection) is found
   * like a registered one.
   */
  async select(context: AuthenticatorContext, authenticatorId: string): Promise<Selection | undefined> {
    const definition = flowDefinition(context.flow.type);
    const { gate } = definition;
    const find = (options: StepOption[]) =>
      options.find((option) => this.registry.idOf(option.authenticator) === authenticatorId);
    if (!gate) {
      const option = find(await this.stepOptions(context, definition));
      return option && { option };
    }
    // The gate's own options stay selectable once it is open (a second re-authentication is harmless).
    if (gate.options.includes(decodeAuthenticatorId(authenticatorId)?.name ?? '')) {
      const option = find(await this.offered(context, gate.options));
      return option && { option };
    }
    const option = find(await this.stepOptions(context, definition));
    if (!option) return undefined;
    if (gate.ungated.includes(option.authenticator.name) || (await this.isGateOpen(definition, context)))
      return { option };
    return { closedGate: gate };
  }

  private async stepOptions(context: AuthenticatorContext, definition: FlowDefinition): Promise<StepOption[]> {
    const steps = definition.steps(context.application);
    // A repeating flow stays on its last step, however many answers moved it.
    const index = definition.repeats ? Math.min(context.flow.stepIndex, steps.length - 1) : context.flow.stepIndex;
    const configured = await this.offered(context, steps[index] ?? []);
    const added = await this.addedAlongside(
      context,
      configured.map((option) => option.authenticator),
    );
    const sourced = (await Promise.all(this.sources.map((source) => source.optionsFor(context)))).flat();
    const more = await Promise.all(
      [...added, ...sourced].map((authenticator) => this.asOption(context, authenticator)),
    );
    return [...configured, ...more];
  }

  /** The named options that this flow is offered now, in their order. */
  private async offered(context: AuthenticatorContext, names: readonly string[]): Promise<StepOption[]> {
    const { type } = context.flow;
    const authenticators = names.map((name) => {
      const authenticator = this.registry.get(name);
      // Login steps are validated when an application is saved; a step naming an option of another flow type
      // (or one removed since) is a configuration error, never offered.
      if (!authenticator?.flowTypes.includes(type))
        throw new Error(`${type} step of ${context.application.clientId} names unknown option ${name}`);
      return authenticator;
    });
    const offered = await Promise.all(authenticators.map(async (a) => (await a.isOffered?.(context)) ?? true));
    return Promise.all(
      authenticators.filter((_, index) => offered[index]).map((authenticator) => this.asOption(context, authenticator)),
    );
  }

  private async asOption(context: AuthenticatorContext, authenticator: Authenticator): Promise<StepOption> {
    return {
      authenticator,
      userInitiated: authenticator.requiresInitiation || (await authenticator.needsInitiation?.(context)) === true,
    };
  }

  private async isGateOpen(definition: FlowDefinition, context: AuthenticatorContext): Promise<boolean> {
    const name = definition.gate?.name;
    const gate = name === undefined ? undefined : this.gates.get(name);
    if (!gate) throw new Error(`The ${definition.type} flow needs the ${name} gate, which is not registered`);
    return gate.isOpen(context.project, context.flow);
  }

  private async addedAlongside(context: AuthenticatorContext, configured: Authenticator[]): Promise<Authenticator[]> {
    const names = new Set(configured.map((authenticator) => authenticator.name));
    const candidates = this.registry
      .all(context.flow.type)
      .filter((a) => !names.has(a.name) && a.offeredAlongside?.some((anchor) => names.has(anchor)));
    const available = await Promise.all(candidates.map(async (a) => (await a.isAvailable?.(context)) === true));
    return candidates.filter((_, index) => available[index]);
  }
}
