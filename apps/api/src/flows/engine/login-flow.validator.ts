import { Injectable } from '@nestjs/common';
import { AuthenticatorRegistry } from './authenticator.registry';

/** A login option as the console's login-flow designer lists it. */
export interface LoginOptionDescriptor {
  name: string;
  displayName: string;
  i18nKey: string;
  /** Verifies the identity an earlier step established: not allowed in the first step. */
  requiresIdentity: boolean;
  /** Shown by name in a multi-option step and started when selected (a code sent, a challenge made). */
  requiresInitiation: boolean;
  /** Offered automatically beside these options when the identity can use it (backup codes). */
  offeredAlongside: string[];
}

/** Checks an application's login flow against the authenticators this server has. */
@Injectable()
export class LoginFlowValidator {
  constructor(private readonly registry: AuthenticatorRegistry) {}

  /** Every option a login step may name. */
  loginOptions(): LoginOptionDescriptor[] {
    return this.registry.all('AUTHENTICATION').map((authenticator) => ({
      name: authenticator.name,
      displayName: authenticator.displayName,
      i18nKey: authenticator.i18nKey,
      requiresIdentity: authenticator.requiresIdentity === true,
      requiresInitiation: authenticator.requiresInitiation,
      offeredAlongside: [...(authenticator.offeredAlongside ?? [])],
    }));
  }

  /** Everything wrong with the flow, phrased for the admin who wrote it (steps numbered from 1); empty if it is fine. */
  problems(loginFlow: string[][]): string[] {
    if (loginFlow.length === 0) return ['loginFlow: needs at least one step, e.g. [["BasicAuthenticator"]]'];
    const known = this.registry.names('AUTHENTICATION');
    const problems: string[] = [];
    loginFlow.forEach((options, index) => {
      const step = `loginFlow step ${index + 1}`;
      if (options.length === 0) problems.push(`${step}: is empty; every step needs at least one authenticator`);
      const seen = new Set<string>();
      for (const name of options) {
        const authenticator = this.registry.get(name);
        // Options of other flow types (settings' actions, recovery's steps) are not login options.
        if (!authenticator?.flowTypes.includes('AUTHENTICATION')) {
          problems.push(`${step}: unknown authenticator '${name}' (known: ${known.join(', ')})`);
        } else if (index === 0 && authenticator.requiresIdentity) {
          problems.push(
            `${step}: '${name}' verifies the user identified by an earlier step, so it cannot be offered in the first step`,
          );
        }
        if (seen.has(name)) problems.push(`${step}: offers '${name}' more than once`);
        seen.add(name);
      }
    });
    return problems;
  }
}
