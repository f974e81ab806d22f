import { Inject, Injectable } from '@nestjs/common';
import { decodeAuthenticatorId, encodeAuthenticatorId } from '@keyway/flow-types';
import { AUTHENTICATORS, type Authenticator } from '../../methods/authenticator';

/** Looks authenticators up by the names used in login-flow configuration and by authenticatorId. */
@Injectable()
export class AuthenticatorRegistry {
  private readonly byName: Map<string, Authenticator>;

  constructor(@Inject(AUTHENTICATORS) authenticators: Authenticator[]) {
    this.byName = new Map(authenticators.map((authenticator) => [authenticator.name, authenticator]));
  }

  get(name: string): Authenticator | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  all(): Authenticator[] {
    return [...this.byName.values()];
  }

  idOf(authenticator: Authenticator): string {
    return encodeAuthenticatorId(authenticator.name, authenticator.idp);
  }

  fromId(authenticatorId: string): Authenticator | undefined {
    const decoded = decodeAuthenticatorId(authenticatorId);
    const authenticator = decoded && this.byName.get(decoded.name);
    return authenticator && authenticator.idp === decoded.idp ? authenticator : undefined;
  }
}
