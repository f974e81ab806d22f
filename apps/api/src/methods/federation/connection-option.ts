import { Logger } from '@nestjs/common';
import { encodeAuthenticatorId, type AuthenticatorParam, type FlowType } from '@keyway/flow-types';
import { z } from 'zod';
import type { Connection, ConnectionPresetName } from '../../domain/connections/connection';
import { CONNECTION_PRESETS_TABLE } from '../../domain/connections/connection-presets';
import {
  federatedAmr,
  type FederatedClaims,
  type FederatedIdentities,
} from '../../domain/federation/federated-identities';
import { FlowMessages } from '../../domain/flows/flow-messages';
import { SettingsMessages } from '../../domain/flows/settings-messages';
import type { AuditService } from '../../domain/audit/audit.service';
import type { FlowAccounts } from '../../domain/identities/flow-accounts';
import type { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { paramsFromSchema } from '../../domain/schemas/schema-params';
import type { IdentitySchemasService } from '../../domain/schemas/identity-schemas.service';
import { constantTimeEqual, randomToken } from '../../infra/crypto/tokens';
import type { AuthenticationResult, Authenticator, AuthenticatorContext, AuthenticatorPrompt } from '../authenticator';
import type { BasicAuthenticator } from '../password/basic.authenticator';
import { fieldMessages, readTraitParams } from '../password/registration-form';
import { FederationMessages } from './federation-messages';
import { UpstreamIdTokenRejected } from './upstream-id-token.verifier';
import { UpstreamLoginFailed, type UpstreamLogin } from './upstream-login';

/** The authenticator name of each preset's option (WSO2 names Google's `GoogleOIDCAuthenticator`). */
const AUTHENTICATOR_NAMES: Record<ConnectionPresetName, string> = {
  google: 'GoogleOIDCAuthenticator',
  apple: 'AppleOIDCAuthenticator',
  microsoft: 'MicrosoftOIDCAuthenticator',
  github: 'GithubAuthenticator',
  facebook: 'FacebookAuthenticator',
  oidc: 'OpenIDConnectAuthenticator',
  oauth2: 'OAuth2Authenticator',
};

/**
 * How the option signs in: `native`, the app signs in with the provider's SDK and sends the ID token (WSO2
 * scenario 4); `redirect`, the user is sent to the provider and comes back with a code (scenario 5, and the
 * hosted login).
 */
export type ConnectionOptionMode = 'native' | 'redirect';

/** What the provider's login is for: signing in (login's first step), or linking it to the account (settings). */
export type ConnectionOptionPurpose = 'login' | 'link';

/** The idp of the native option: WSO2's "GoogleNative" beside "Google" (a connection name has no capitals). */
function optionIdp(connection: Pick<Connection, 'name'>, mode: ConnectionOptionMode): string {
  return mode === 'native' ? `${connection.name}Native` : connection.name;
}

const logger = new Logger('Federation');

const Amr = z.array(z.string());
/** The option's state on the flow: what the step is waiting for. */
const OptionState = z.discriminatedUnion('phase', [
  /** The ID token of the app's provider SDK, issued for this nonce. */
  z.object({ phase: z.literal('native'), connectionId: z.string(), nonce: z.string() }),
  /** The code of the provider's redirect, for this state (and PKCE verifier, nonce and redirect_uri). */
  z.object({
    phase: z.literal('redirect'),
    connectionId: z.string(),
    redirectUrl: z.string(),
    state: z.string(),
    nonce: z.string(),
    codeVerifier: z.string(),
    redirectUri: z.string(),
  }),
  /** The existing account's password, before the provider's account is linked to it. */
  z.object({
    phase: z.literal('proof'),
    connectionId: z.string(),
    identityId: z.string(),
    subject: z.string(),
    amr: Amr,
  }),
  /** The traits the schema requires and the provider did not give, before the identity is registered. */
  z.object({
    phase: z.literal('traits'),
    connectionId: z.string(),
    subject: z.string(),
    traits: z.record(z.string(), z.unknown()),
    missing: z.array(z.string()),
    verifiedEmail: z.string().optional(),
    amr: Amr,
  }),
]);
type OptionState = z.infer<typeof OptionState>;

/** What a connection option works with (one set per server, shared by every connection's options). */
export interface ConnectionOptionServices {
  upstream: UpstreamLogin;
  federated: FederatedIdentities;
  identities: IdentitiesRepository;
  accounts: FlowAccounts;
  schemas: IdentitySchemasService;
  password: BasicAuthenticator;
  audit: AuditService;
  /** Where the hosted login's provider redirects come back to. */
  callbackUrl(issuer: string): string;
}

const PASSWORD_PROMPT_PARAM: AuthenticatorParam = {
  param: 'password',
  type: 'STRING',
  order: 0,
  i18nKey: 'param.password',
  displayName: 'Password',
  confidential: true,
};

/**
 * Sign-in with one connection, in one mode: an option made per request from the connection as it is now (so an
 * admin's change shows at once), offered in the first step of the login flows of the apps the connection names.
 * It resolves the provider's account to an identity (FederatedIdentities): signs in a linked one, links after the
 * user proves the existing account (or at once under `trust-verified-email`), registers a new one, asking for
 * the traits the provider left out.
 */
export class ConnectionOption implements Authenticator {
  readonly name: string;
  readonly idp: string;
  readonly displayName: string;
  readonly i18nKey: string;
  readonly stateKey: string;
  readonly flowTypes: readonly FlowType[];
  readonly amr?: readonly string[];
  /** The nonce (native) or the provider URL with its state (redirect) is made when the user picks the option. */
  readonly requiresInitiation = true;

  constructor(
    readonly connection: Connection,
    readonly mode: ConnectionOptionMode,
    private readonly services: ConnectionOptionServices,
    readonly purpose: ConnectionOptionPurpose = 'login',
  ) {
    const preset = CONNECTION_PRESETS_TABLE[connection.preset];
    this.name = AUTHENTICATOR_NAMES[connection.preset];
    this.idp = optionIdp(connection, mode);
    // The generic presets are named by the connection ("OpenID Connect" tells the user nothing).
    this.displayName =
      connection.preset === 'oidc' || connection.preset === 'oauth2' ? connection.name : preset.displayName;
    this.stateKey = `federation:${this.idp}`;
    if (purpose === 'login') {
      this.i18nKey = `authenticator.${connection.preset}`;
      this.flowTypes = ['AUTHENTICATION'];
      this.amr = ['fed'];
    } else {
      this.i18nKey = 'action.connection.link';
      this.flowTypes = ['SETTINGS'];
    }
  }

  async initiate(context: AuthenticatorContext) {
    const { connection } = this;
    if (this.mode === 'native')
      return { stepState: { phase: 'native', connectionId: connection.id, nonce: randomToken(24) } };
    const { flow, project } = context;
    const hosted = flow.authRequest.responseMode === 'query';
    // The app's own redirect_uri in app-native redirect mode (the provider sends the user back to the app, which
    // posts the code to /authn, as WSO2 does); the hosted login's callback in the browser.
    const redirectUri = hosted ? this.services.callbackUrl(project.issuer) : flow.authRequest.redirectUri;
    // No redirect_uri (First-Party Apps): the provider's page needs a browser; the bare REDIRECTION_PROMPT tells
    // that front to answer redirect_to_web.
    if (!redirectUri) return {};
    try {
      // The state names the flow and the option, so the hosted callback finds both; the random part binds it.
      const authorization = await this.services.upstream.authorization(connection, redirectUri, this.stateTag(context));
      return { stepState: { phase: 'redirect', connectionId: connection.id, ...authorization } };
    } catch (error) {
      if (error instanceof UpstreamLoginFailed) return { refused: FederationMessages.failed(this.displayName) };
      throw error;
    }
  }

  /** `<flowId>.<authenticatorId>`: what the hosted callback reads back out of the provider's `state`. */
  private stateTag({ flow }: AuthenticatorContext): string {
    return `${flow.id}.${encodeAuthenticatorId(this.name, this.idp)}`;
  }

  async prompt(context: AuthenticatorContext): Promise<AuthenticatorPrompt> {
    const state = this.stateOf(context);
    switch (state?.phase) {
      case 'proof':
        return { promptType: 'USER_PROMPT', params: [PASSWORD_PROMPT_PARAM], requiredParams: ['password'] };
      case 'traits': {
        const schema = (await this.services.schemas.getDefault(context.project.id)).compiled;
        const asked = new Set(traitParams(state.missing));
        const params = paramsFromSchema(schema).filter((param) => asked.has(param.param));
        return { promptType: 'USER_PROMPT', params, requiredParams: params.map((param) => param.param) };
      }
      case 'redirect':
        return {
          promptType: 'REDIRECTION_PROMPT',
          additionalData: { redirectUrl: state.redirectUrl, state: state.state },
          requiredParams: ['code', 'state'],
        };
      case 'native':
        return {
          promptType: 'INTERNAL_PROMPT',
          additionalData: {
            clientId: this.connection.clientId,
            nonce: state.nonce,
            scope: this.connection.scopes.join(' '),
          },
          requiredParams: ['idToken'],
        };
      default:
        // Not initiated yet: what it will ask for.
        return this.mode === 'native'
          ? { promptType: 'INTERNAL_PROMPT', requiredParams: ['idToken'] }
          : { promptType: 'REDIRECTION_PROMPT', requiredParams: ['code', 'state'] };
    }
  }

  async authenticate(context: AuthenticatorContext, params: Record<string, string>): Promise<AuthenticationResult> {
    const state = this.stateOf(context);
    // An answer to a prompt this flow never showed (no state, or another connection's).
    if (!state || state.connectionId !== this.connection.id)
      return { outcome: 'failure', message: FederationMessages.stateMismatch(this.displayName) };
    switch (state.phase) {
      case 'native':
        return this.upstreamLogin(context, () =>
          this.services.upstream.verifyIdToken(
            this.connection,
            params['idToken'] ?? '',
            state.nonce,
            params['accessToken'] || undefined,
          ),
        );
      case 'redirect':
        if (!constantTimeEqual(params['state'] ?? '', state.state))
          return { outcome: 'failure', message: FederationMessages.stateMismatch(this.displayName) };
        return this.upstreamLogin(context, () =>
          this.services.upstream.redeem(this.connection, state, params['code'] ?? ''),
        );
      case 'proof':
        return this.proveAndLink(context, state, params['password'] ?? '');
      case 'traits':
        return this.registerWithTraits(context, state, params);
    }
  }

  /** The provider's word on who signed in, then what it means here. */
  private async upstreamLogin(
    context: AuthenticatorContext,
    login: () => Promise<FederatedClaims>,
  ): Promise<AuthenticationResult> {
    let claims: FederatedClaims;
    try {
      claims = await login();
    } catch (error) {
      if (error instanceof UpstreamIdTokenRejected || error instanceof UpstreamLoginFailed) {
        // The user sees only that it failed; why (never a token) is for the operator.
        logger.warn(`${this.connection.name} (${context.project.slug}): ${error.message}`);
        return { outcome: 'failure', message: FederationMessages.failed(this.displayName) };
      }
      throw error;
    }
    return this.purpose === 'link' ? this.linkToAccount(context, claims) : this.resolve(context, claims);
  }

  /**
   * Settings: the provider's account becomes another way into the signed-in account (the flow's identity, behind
   * the privileged window). A provider account already linked to another identity stays where it is.
   */
  private async linkToAccount(context: AuthenticatorContext, claims: FederatedClaims): Promise<AuthenticationResult> {
    const { project, application, flow } = context;
    const identityId = flow.identityId as string;
    const linked = await this.services.federated.link(project.id, identityId, this.connection, claims.sub);
    switch (linked) {
      case 'connection-taken':
        return { outcome: 'failure', message: SettingsMessages.connectionAlreadyLinked(this.displayName) };
      case 'subject-taken':
        return { outcome: 'failure', message: SettingsMessages.providerAccountInUse(this.displayName) };
      case 'no-identity':
        return { outcome: 'terminal', message: FlowMessages.accountUnavailable() };
      case 'already-linked':
      case 'linked':
        return {
          outcome: 'success',
          identityId,
          amr: [],
          next: { messages: [SettingsMessages.connectionLinked(this.displayName)] },
          afterCommit: async () => {
            if (linked === 'already-linked') return;
            await this.services.audit.record('linked_account.added', {
              projectId: project.id,
              identityId,
              clientId: application.clientId,
              data: { connectionId: this.connection.id, connection: this.connection.name, via: 'settings' },
            });
          },
        };
    }
  }

  private async resolve(context: AuthenticatorContext, claims: FederatedClaims): Promise<AuthenticationResult> {
    const { project } = context;
    const { federated, accounts } = this.services;
    const amr = federatedAmr(claims.amr);
    const resolution = await federated.resolve(project.id, this.connection, claims);
    switch (resolution.kind) {
      case 'linked':
        return this.signIn(project.id, resolution.identityId, amr);
      case 'link': {
        const linked = await federated.link(project.id, resolution.identityId, this.connection, claims.sub);
        if (linked === 'linked' || linked === 'already-linked')
          return this.signIn(project.id, resolution.identityId, amr);
        return { outcome: 'failure', message: FederationMessages.unavailable(this.displayName) };
      }
      case 'link-proof-required': {
        const account = await accounts.of(project.id, { identityId: resolution.identityId });
        // Proof by password; an account without one signs in its own way first (no silent link, ever).
        if (!account.hasPassword || account.passwordIdentifier === undefined)
          return { outcome: 'failure', message: FederationMessages.unavailable(this.displayName) };
        const proof: OptionState = {
          phase: 'proof',
          connectionId: this.connection.id,
          identityId: resolution.identityId,
          subject: claims.sub,
          amr,
        };
        return {
          outcome: 'continue',
          stepState: proof,
          messages: [FederationMessages.linkProofRequired(this.displayName)],
        };
      }
      case 'register': {
        if (resolution.missingTraits.length > 0) {
          const traits: OptionState = {
            phase: 'traits',
            connectionId: this.connection.id,
            subject: claims.sub,
            traits: resolution.traits,
            missing: resolution.missingTraits,
            ...(resolution.verifiedEmail ? { verifiedEmail: resolution.verifiedEmail } : {}),
            amr,
          };
          return {
            outcome: 'continue',
            stepState: traits,
            messages: [FederationMessages.traitsRequired(this.displayName)],
          };
        }
        return this.register(context, claims.sub, resolution.traits, resolution.verifiedEmail, amr);
      }
      case 'conflict':
        return { outcome: 'failure', message: FederationMessages.unavailable(this.displayName) };
    }
  }

  /** The existing account's password (the login's own check: its lockout, its decoy-free identity), then the link. */
  private async proveAndLink(
    context: AuthenticatorContext,
    state: Extract<OptionState, { phase: 'proof' }>,
    password: string,
  ): Promise<AuthenticationResult> {
    const { project } = context;
    const account = await this.services.accounts.of(project.id, { identityId: state.identityId });
    const proved = await this.services.password.authenticate(context, {
      username: account.passwordIdentifier ?? '',
      password,
    });
    if (proved.outcome === 'failure') return { ...proved, reprompt: true };
    if (proved.outcome !== 'success') return proved;
    if (proved.identityId !== state.identityId)
      return { outcome: 'failure', message: FederationMessages.unavailable(this.displayName) };
    const linked = await this.services.federated.link(project.id, state.identityId, this.connection, state.subject);
    if (linked !== 'linked' && linked !== 'already-linked')
      return { outcome: 'failure', message: FederationMessages.unavailable(this.displayName) };
    return { outcome: 'success', identityId: state.identityId, amr: [...new Set([...state.amr, ...proved.amr])] };
  }

  private async registerWithTraits(
    context: AuthenticatorContext,
    state: Extract<OptionState, { phase: 'traits' }>,
    params: Record<string, string>,
  ): Promise<AuthenticationResult> {
    const schema = (await this.services.schemas.getDefault(context.project.id)).compiled;
    const asked = new Set(traitParams(state.missing));
    // Only the asked-for fields: what the provider said stays as it said it.
    const answered = Object.fromEntries(Object.entries(params).filter(([param]) => asked.has(param)));
    const { traits, errors } = readTraitParams(schema, answered, state.traits);
    const [message, ...more] = fieldMessages(errors);
    if (message) return { outcome: 'failure', message, moreMessages: more, reprompt: true };
    return this.register(context, state.subject, traits, state.verifiedEmail, state.amr);
  }

  private async register(
    { project }: AuthenticatorContext,
    subject: string,
    traits: Record<string, unknown>,
    verifiedEmail: string | undefined,
    amr: string[],
  ): Promise<AuthenticationResult> {
    const registered = await this.services.federated.register(
      project.id,
      this.connection,
      subject,
      traits,
      verifiedEmail,
    );
    switch (registered.kind) {
      case 'registered':
      case 'linked':
        return this.signIn(project.id, registered.identityId, amr);
      case 'invalid-traits': {
        const [message, ...more] = fieldMessages(registered.errors);
        return {
          outcome: 'failure',
          message: message ?? FederationMessages.unavailable(this.displayName),
          moreMessages: more,
        };
      }
      case 'conflict':
        return { outcome: 'failure', message: FederationMessages.unavailable(this.displayName) };
    }
  }

  private async signIn(projectId: string, identityId: string, amr: string[]): Promise<AuthenticationResult> {
    const identity = await this.services.identities.findById(projectId, identityId);
    if (!identity || identity.state !== 'active')
      return { outcome: 'terminal', message: FlowMessages.accountUnavailable() };
    return { outcome: 'success', identityId, amr };
  }

  private stateOf({ flow }: AuthenticatorContext): OptionState | undefined {
    const parsed = OptionState.safeParse(flow.stepState[this.stateKey]);
    return parsed.success ? parsed.data : undefined;
  }
}

/** The form params of these traits (`traits.<name>`, as registration and the profile name them). */
function traitParams(traits: readonly string[]): string[] {
  return traits.map((trait) => `traits.${trait}`);
}
