import type { Application } from '../../domain/applications/application';
import type { AuthenticatorContext } from '../authenticator';
import type { Project } from '../../domain/projects/projects.service';
import { TotpAuthenticator } from './totp.authenticator';

function context(
  overrides: {
    application?: Partial<Application>;
    identityId?: string | null;
    stepState?: Record<string, unknown>;
  } = {},
): AuthenticatorContext {
  return {
    project: { id: 'p', name: 'Project' } as Project,
    application: {
      clientId: 'c',
      loginFlow: [['BasicAuthenticator'], ['totp']],
      allowEnrollmentInFlow: false,
      ...overrides.application,
    } as Application,
    flow: { identityId: overrides.identityId ?? null, stepIndex: 1, amr: [], stepState: overrides.stepState ?? {} },
  } as unknown as AuthenticatorContext;
}

describe('TotpAuthenticator', () => {
  // Reached only through a flow stored before validation existed: it must end the flow, never reach
  // the credential store (hence no collaborators) nor throw.
  it('ends a flow that has no identity yet with a terminal message', async () => {
    const authenticator = new TotpAuthenticator(null as never, null as never, null as never);
    await expect(authenticator.authenticate(context(), { token: '123456' })).resolves.toEqual({
      outcome: 'terminal',
      message: expect.objectContaining({ type: 'ERROR', messageId: 'msg_prior_step_required' }),
    });
  });

  it('presents the prompt exactly as the WSO2 reference does', () => {
    const authenticator = new TotpAuthenticator(null as never, null as never, null as never);
    expect([authenticator.name, authenticator.idp, authenticator.displayName, authenticator.i18nKey]).toEqual([
      'totp',
      'LOCAL',
      'TOTP',
      'authenticator.totp',
    ]);
    expect(authenticator.prompt(context())).toEqual({
      promptType: 'USER_PROMPT',
      params: [
        {
          param: 'token',
          type: 'STRING',
          order: 0,
          i18nKey: 'totp.authenticator',
          displayName: 'Token',
          confidential: false,
        },
      ],
      requiredParams: ['token'],
    });
  });

  // Applications without in-flow enrollment (the default) must not pay a credential lookup for it:
  // no TotpService is given, so a lookup would throw.
  it('never needs initiation when the application does not allow enrollment in the flow', async () => {
    const authenticator = new TotpAuthenticator(null as never, null as never, null as never);
    await expect(authenticator.needsInitiation(context({ identityId: 'i' }))).resolves.toBe(false);
    await expect(
      authenticator.needsInitiation(context({ application: { allowEnrollmentInFlow: true } })),
    ).resolves.toBe(false);
  });

  it('reuses the pending enrollment when the step is presented again, so a scanned secret stays valid', async () => {
    const authenticator = new TotpAuthenticator(null as never, null as never, null as never);
    const pending = context({
      identityId: 'i',
      application: { allowEnrollmentInFlow: true },
      stepState: { totp: { enrollment: 'sealed-secret' } },
    });
    await expect(authenticator.initiate(pending)).resolves.toEqual({ stepState: { enrollment: 'sealed-secret' } });
  });
});
