import { Injectable } from '@nestjs/common';
import type { Authenticator, AuthenticatorContext } from '../../methods/authenticator';
import { AuthenticatorRegistry } from './authenticator.registry';
import { flowDefinition, isEngineFlowType } from './flow-definitions';

/** One option of the current step, as this flow sees it now. */
export interface StepOption {
  authenticator: Authenticator;
  /** Shown with only its id and name in a MULTI_OPTIONS_PROMPT; selecting it without params initiates it. */
  userInitiated: boolean;
}

/**
 * The options a flow's current step offers: the configured ones, then the ones added through
 * `offeredAlongside` (backup codes wherever TOTP or a passkey is a step) that the identity can use.
 * The engine asks this one place both to present a step and to check a selection, so an option is
 * selectable exactly when it is shown.
 */
@Injectable()
export class StepOptionsResolver {
  constructor(private readonly registry: AuthenticatorRegistry) {}

  async resolve(context: AuthenticatorContext): Promise<StepOption[]> {
    const { type } = context.flow;
    if (!isEngineFlowType(type)) throw new Error(`The engine does not run ${type} flows`);
    const step = flowDefinition(type).steps(context.application)[context.flow.stepIndex] ?? [];
    const configured = step.map((name) => {
      const authenticator = this.registry.get(name);
      // Login steps are validated when an application is saved; a step naming an option of another flow type
      // (or one removed since) is a configuration error, never offered.
      if (!authenticator?.flowTypes.includes(type))
        throw new Error(`${type} step of ${context.application.clientId} names unknown option ${name}`);
      return authenticator;
    });
    const added = await this.addedAlongside(context, configured);
    return Promise.all(
      [...configured, ...added].map(async (authenticator) => ({
        authenticator,
        userInitiated: authenticator.requiresInitiation || (await authenticator.needsInitiation?.(context)) === true,
      })),
    );
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
