import { Injectable } from '@nestjs/common';
import type { Application } from '../../domain/applications/application';
import type { Connection, ConnectionMode } from '../../domain/connections/connection';
import { ConnectionsRepository } from '../../domain/connections/connections.repository';
import { FederatedIdentities } from '../../domain/federation/federated-identities';
import { FlowAccounts } from '../../domain/identities/flow-accounts';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import type { Project } from '../../domain/projects/projects.service';
import { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { perFlow, type Authenticator, type AuthenticatorContext, type OptionSource } from '../authenticator';
import { BasicAuthenticator } from '../password/basic.authenticator';
import {
  ConnectionOption,
  type ConnectionOptionMode,
  type ConnectionOptionPurpose,
  type ConnectionOptionServices,
} from './connection-option';
import { AuditService } from '../../domain/audit/audit.service';
import { UpstreamLogin } from './upstream-login';

/** Where a provider sends the browser back to in the hosted login (fronts/hosted serves it). */
const FEDERATION_CALLBACK_PATH = '/ui/federation/callback';

/**
 * The sign-in options of a login flow's first step made from the project's connections: each connection the
 * application offers, in the modes it offers it. The hosted login (a browser) has only the redirect mode; the
 * app-native API has native (an ID token from the provider's SDK, OIDC providers only) and redirect.
 */
@Injectable()
export class ConnectionOptionsSource implements OptionSource {
  private readonly services: ConnectionOptionServices;
  private readonly linksOf = perFlow(({ flow }: AuthenticatorContext) =>
    flow.identityId ? this.services.federated.links(flow.identityId) : Promise.resolve([]),
  );
  private readonly connectionsOf = perFlow(({ project, application }: AuthenticatorContext) =>
    this.connections.listForApplication(project.id, application.id),
  );

  constructor(
    private readonly connections: ConnectionsRepository,
    upstream: UpstreamLogin,
    federated: FederatedIdentities,
    identities: IdentitiesRepository,
    accounts: FlowAccounts,
    schemas: IdentitySchemasService,
    password: BasicAuthenticator,
    audit: AuditService,
  ) {
    this.services = {
      upstream,
      federated,
      identities,
      accounts,
      schemas,
      password,
      audit,
      callbackUrl: (issuer) => `${issuer}${FEDERATION_CALLBACK_PATH}`,
    };
  }

  async optionsFor(context: AuthenticatorContext): Promise<Authenticator[]> {
    const { flow } = context;
    if (flow.type === 'SETTINGS') return this.linkOptions(context);
    // The first step names who signs in; later steps verify that identity, which a provider login cannot.
    if (flow.type !== 'AUTHENTICATION' || flow.stepIndex !== 0) return [];
    return this.connectionOptions(context, flow.authRequest.responseMode === 'query', 'login');
  }

  /**
   * Settings: each connection of the app the account has no link at yet, to link (a redirect needs the settings
   * flow to have been started with a redirect_uri of the app, where the provider sends the user back).
   */
  private async linkOptions(context: AuthenticatorContext): Promise<Authenticator[]> {
    const linked = new Set((await this.linksOf(context)).map((link) => link.connectionId));
    const options = await this.connectionOptions(context, false, 'link');
    return options.filter(
      (option) =>
        !linked.has(option.connection.id) && (option.mode === 'native' || context.flow.authRequest.redirectUri),
    );
  }

  private async connectionOptions(
    context: AuthenticatorContext,
    hosted: boolean,
    purpose: ConnectionOptionPurpose,
  ): Promise<ConnectionOption[]> {
    const options: ConnectionOption[] = [];
    for (const connection of await this.connectionsOf(context)) {
      const offered = connection.applications.find((entry) => entry.applicationId === context.application.id);
      if (!offered) continue;
      for (const mode of optionModes(connection, offered.mode, hosted))
        options.push(new ConnectionOption(connection, mode, this.services, purpose));
    }
    return options;
  }

  async firstStepAmr(project: Project, application: Application): Promise<readonly string[]> {
    const connections = await this.connections.listForApplication(project.id, application.id);
    return connections.length > 0 ? ['fed'] : [];
  }

  /**
   * The origins the hosted login's forms may end up at: a provider's authorization endpoint is reached by the
   * 303 answering the form that picked it, and CSP's form-action covers the redirects after a submission.
   */
  async redirectOrigins(project: Project, application: Application): Promise<string[]> {
    const connections = await this.connections.listForApplication(project.id, application.id);
    return [
      ...new Set(
        connections.flatMap((connection) =>
          connection.authorizationUrl ? [new URL(connection.authorizationUrl).origin] : [],
        ),
      ),
    ];
  }
}

/** The modes a connection is offered in to this front. */
function optionModes(connection: Connection, mode: ConnectionMode, hosted: boolean): ConnectionOptionMode[] {
  const redirect = mode !== 'native' && connection.authorizationUrl !== null;
  // Native sign-in sends an ID token: only OpenID providers have one, and only apps have the provider's SDK.
  const native = !hosted && mode !== 'redirect' && connection.kind === 'oidc';
  return [...(native ? (['native'] as const) : []), ...(redirect ? (['redirect'] as const) : [])];
}
