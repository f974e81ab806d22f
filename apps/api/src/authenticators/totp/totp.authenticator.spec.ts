import type { Application } from '../../applications/application';
import type { AuthenticatorContext } from '../../flows/authenticator';
import type { Project } from '../../projects/projects.service';
import { TotpAuthenticator } from './totp.authenticator';

describe('TotpAuthenticator', () => {
  // Reached only through a flow stored before validation existed: it must end the flow, never reach
  // the credential store (hence no collaborators) nor throw.
  it('ends a flow that has no identity yet with a terminal message', async () => {
    const authenticator = new TotpAuthenticator(null as never, null as never);
    const context = {
      project: { id: 'p' } as Project,
      application: { loginFlow: [['totp']] } as Application,
      flow: { identityId: null, stepIndex: 0, amr: [], stepState: {} },
    } as unknown as AuthenticatorContext;
    await expect(authenticator.authenticate(context, { token: '123456' })).resolves.toEqual({
      outcome: 'terminal',
      message: expect.objectContaining({ type: 'ERROR', messageId: 'msg_prior_step_required' }),
    });
  });

  it('presents the prompt exactly as the WSO2 reference does', () => {
    const authenticator = new TotpAuthenticator(null as never, null as never);
    expect([authenticator.name, authenticator.idp, authenticator.displayName, authenticator.i18nKey]).toEqual(['totp', 'LOCAL', 'TOTP', 'authenticator.totp']);
    expect(authenticator.prompt()).toEqual({
      promptType: 'USER_PROMPT',
      params: [{ param: 'token', type: 'STRING', order: 0, i18nKey: 'totp.authenticator', displayName: 'Token', confidential: false }],
      requiredParams: ['token'],
    });
  });
});
