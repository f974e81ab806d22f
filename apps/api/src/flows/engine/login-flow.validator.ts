import { Injectable } from '@nestjs/common';
import { AuthenticatorRegistry } from './authenticator.registry';

/** Checks an application's login flow against the authenticators this server has. */
@Injectable()
export class LoginFlowValidator {
  constructor(private readonly registry: AuthenticatorRegistry) {}

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
        if (!authenticator) {
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
