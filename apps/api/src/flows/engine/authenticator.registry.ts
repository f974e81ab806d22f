import { Inject, Injectable } from '@nestjs/common';
import { decodeAuthenticatorId, encodeAuthenticatorId, type FlowType } from '@keyway/flow-types';
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

  /** The names of the options that flows of `type` may offer (all of them without a type). */
  names(type?: FlowType): string[] {
    return this.all(type).map((authenticator) => authenticator.name);
  }

  all(type?: FlowType): Authenticator[] {
    const all = [...this.byName.values()];
    return type ? all.filter((authenticator) => authenticator.flowTypes.includes(type)) : all;
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
