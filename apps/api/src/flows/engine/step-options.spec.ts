import type { Application } from '../../domain/applications/application';
import type { Authenticator, AuthenticatorContext } from '../../methods/authenticator';
import { AuthenticatorRegistry } from './authenticator.registry';
import { StepOptionsResolver } from './step-options';

/** A plain authenticator; only the members the resolver reads matter. */
function authenticator(name: string, extra: Partial<Authenticator> = {}): Authenticator {
  return {
    name,
    idp: 'LOCAL',
    displayName: name,
    i18nKey: name,
    flowTypes: ['AUTHENTICATION'],
    requiresInitiation: false,
    prompt: () => ({ promptType: 'USER_PROMPT', requiredParams: [] }),
    authenticate: async () => ({
      outcome: 'failure',
      message: { type: 'ERROR', messageId: 'x', message: 'x', i18nKey: 'x' },
    }),
    ...extra,
  } as Authenticator;
}

let backupCodesLeft = true;
const backup = authenticator('backup-code-authenticator', {
  offeredAlongside: ['totp', 'FIDOAuthenticator'],
  isAvailable: async ({ flow }) => flow.identityId !== null && backupCodesLeft,
});
let totpNeedsEnrollment = false;
const registry = new AuthenticatorRegistry([
  authenticator('BasicAuthenticator'),
  authenticator('totp', { needsInitiation: async () => totpNeedsEnrollment }),
  authenticator('FIDOAuthenticator', { requiresInitiation: true }),
  backup,
]);
const resolver = new StepOptionsResolver(registry);

function context(
  loginFlow: string[][],
  stepIndex: number,
  identityId: string | null = 'identity',
): AuthenticatorContext {
  return {
    project: {},
    application: { clientId: 'app', loginFlow } as Application,
    flow: { type: 'AUTHENTICATION', stepIndex, identityId, stepState: {} },
  } as unknown as AuthenticatorContext;
}

const names = async (ctx: AuthenticatorContext) =>
  (await resolver.resolve(ctx)).map((o) => `${o.authenticator.name}${o.userInitiated ? '*' : ''}`);

describe('StepOptionsResolver', () => {
  beforeEach(() => {
    backupCodesLeft = true;
    totpNeedsEnrollment = false;
  });

  it('adds backup codes wherever TOTP or a passkey is a step, after the configured options', async () => {
    expect(await names(context([['BasicAuthenticator'], ['totp']], 1))).toEqual(['totp', 'backup-code-authenticator']);
    expect(await names(context([['BasicAuthenticator'], ['FIDOAuthenticator']], 1))).toEqual([
      'FIDOAuthenticator*',
      'backup-code-authenticator',
    ]);
    expect(await names(context([['BasicAuthenticator'], ['totp', 'FIDOAuthenticator']], 1))).toEqual([
      'totp',
      'FIDOAuthenticator*',
      'backup-code-authenticator',
    ]);
  });

  it('does not add them elsewhere, when the identity has none left, or before anyone is identified', async () => {
    expect(await names(context([['BasicAuthenticator'], ['totp']], 0))).toEqual(['BasicAuthenticator']);
    expect(await names(context([['FIDOAuthenticator']], 0, null))).toEqual(['FIDOAuthenticator*']);
    backupCodesLeft = false;
    expect(await names(context([['BasicAuthenticator'], ['totp']], 1))).toEqual(['totp']);
  });

  it('never offers an option twice when the configuration names it already', async () => {
    expect(await names(context([['BasicAuthenticator'], ['totp', 'backup-code-authenticator']], 1))).toEqual([
      'totp',
      'backup-code-authenticator',
    ]);
  });

  it('marks options that need initiation in this flow (TOTP enrollment)', async () => {
    totpNeedsEnrollment = true;
    expect(await names(context([['BasicAuthenticator'], ['totp']], 1))).toEqual(['totp*', 'backup-code-authenticator']);
  });

  it('refuses a login flow that names an authenticator this server lacks', async () => {
    await expect(resolver.resolve(context([['sms']], 0))).rejects.toThrow(/names unknown option sms/);
  });

  it("never offers another flow type's option in a login step", async () => {
    const verification = authenticator('code-verification', { flowTypes: ['VERIFICATION'] });
    const mixed = new StepOptionsResolver(new AuthenticatorRegistry([verification]));
    await expect(mixed.resolve(context([['code-verification']], 0))).rejects.toThrow(/names unknown option/);
  });
});
