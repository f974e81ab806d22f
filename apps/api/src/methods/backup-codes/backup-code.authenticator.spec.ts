import type { AuthenticatorContext } from '../authenticator';
import { BackupCodeAuthenticator } from './backup-code.authenticator';

const noIdentity = {
  project: { id: 'p' },
  application: {},
  flow: { identityId: null, stepIndex: 1, amr: [], stepState: {} },
} as unknown as AuthenticatorContext;

describe('BackupCodeAuthenticator', () => {
  const authenticator = new BackupCodeAuthenticator(null as never, null as never);

  it('is offered alongside TOTP and passkeys, as "Backup code" with one confidential param', () => {
    expect([authenticator.name, authenticator.idp, authenticator.displayName, authenticator.i18nKey]).toEqual([
      'backup-code-authenticator',
      'LOCAL',
      'Backup code',
      'authenticator.backup.code',
    ]);
    expect(authenticator.offeredAlongside).toEqual(['totp', 'FIDOAuthenticator']);
    expect(authenticator.prompt()).toEqual({
      promptType: 'USER_PROMPT',
      params: [
        {
          param: 'code',
          type: 'STRING',
          order: 0,
          i18nKey: 'backup.code.param',
          displayName: 'Backup code',
          confidential: true,
        },
      ],
      requiredParams: ['code'],
    });
  });

  // No collaborators: without an identity nothing may be looked up.
  it('is unavailable, and ends the flow, before a step has identified the user', async () => {
    await expect(authenticator.isAvailable(noIdentity)).resolves.toBe(false);
    await expect(authenticator.authenticate(noIdentity, { code: 'abcd-efgh-jk' })).resolves.toEqual({
      outcome: 'terminal',
      message: expect.objectContaining({ messageId: 'msg_prior_step_required' }),
    });
  });
});
