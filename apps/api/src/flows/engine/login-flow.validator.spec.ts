import { BackupCodeAuthenticator } from '../../methods/backup-codes/backup-code.authenticator';
import { BasicAuthenticator } from '../../methods/password/basic.authenticator';
import { FinishSettings } from '../../methods/profile/finish-settings';
import { TotpAuthenticator } from '../../methods/totp/totp.authenticator';
import { AuthenticatorRegistry } from './authenticator.registry';
import { LoginFlowValidator } from './login-flow.validator';

// The validator reads only the authenticators' names and flags, so their collaborators are not needed.
const registry = new AuthenticatorRegistry([
  new BasicAuthenticator(null as never, null as never, null as never),
  new TotpAuthenticator(null as never, null as never, null as never),
  new BackupCodeAuthenticator(null as never, null as never),
  new FinishSettings(),
]);
const validator = new LoginFlowValidator(registry);

describe('LoginFlowValidator', () => {
  it('accepts flows made of known authenticators', () => {
    expect(validator.problems([['BasicAuthenticator']])).toEqual([]);
    expect(validator.problems([['BasicAuthenticator'], ['totp']])).toEqual([]);
  });

  it('explains every problem, numbering steps from 1', () => {
    expect(validator.problems([])).toEqual(['loginFlow: needs at least one step, e.g. [["BasicAuthenticator"]]']);
    expect(validator.problems([['BasicAuthenticator'], []])).toEqual([
      'loginFlow step 2: is empty; every step needs at least one authenticator',
    ]);
    expect(validator.problems([['BasicAuthenticator', 'BasicAuthenticator']])).toEqual([
      "loginFlow step 1: offers 'BasicAuthenticator' more than once",
    ]);
    expect(validator.problems([['BasicAuthenticator'], ['sms']])).toEqual([
      "loginFlow step 2: unknown authenticator 'sms' (known: BasicAuthenticator, totp, backup-code-authenticator)",
    ]);
  });

  it('keeps second factors out of the first step', () => {
    expect(validator.problems([['totp']])).toEqual([
      "loginFlow step 1: 'totp' verifies the user identified by an earlier step, so it cannot be offered in the first step",
    ]);
    expect(validator.problems([['BasicAuthenticator', 'totp']])).toHaveLength(1);
    expect(validator.problems([['backup-code-authenticator']])).toHaveLength(1);
    expect(validator.problems([['BasicAuthenticator'], ['backup-code-authenticator']])).toEqual([]);
  });

  it('refuses options of other flow types: they are not login options', () => {
    expect(validator.problems([['BasicAuthenticator'], ['FinishSettings']])).toEqual([
      "loginFlow step 2: unknown authenticator 'FinishSettings' (known: BasicAuthenticator, totp, backup-code-authenticator)",
    ]);
  });

  it('lists the login options for the flow designer, with what constrains where they go', () => {
    expect(validator.loginOptions()).toEqual([
      expect.objectContaining({ name: 'BasicAuthenticator', requiresIdentity: false, offeredAlongside: [] }),
      expect.objectContaining({ name: 'totp', requiresIdentity: true }),
      expect.objectContaining({
        name: 'backup-code-authenticator',
        requiresIdentity: true,
        offeredAlongside: expect.any(Array),
      }),
    ]);
  });
});
