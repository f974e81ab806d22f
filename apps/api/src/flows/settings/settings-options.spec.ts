import { AuthenticatorOption, decodeAuthenticatorId, FlowStepResponse } from '@keyway/flow-types';
import {
  compileIdentitySchema,
  DEFAULT_IDENTITY_SCHEMA,
  type CompiledIdentitySchema,
} from '../../domain/schemas/identity-schema';
import {
  isOffered,
  reauthenticationOptions,
  requiredParamsOf,
  settingsMenu,
  settingsStep,
  SETTINGS_IDS,
  type AccountState,
} from './settings-options';

function compile(schema: unknown): CompiledIdentitySchema {
  const result = compileIdentitySchema(schema);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.compiled;
}

const schema = compile(DEFAULT_IDENTITY_SCHEMA);
const passkey = {
  id: 'pk1',
  name: 'Phone',
  createdAt: '2026-01-01T00:00:00.000Z',
  lastUsedAt: null,
  transports: ['internal'],
  backedUp: false,
};
const account: AccountState = {
  traits: { email: 'a@example.com', name: 'Ann' },
  hasPassword: true,
  canSetPassword: true,
  totpEnrolled: false,
  passkeys: [],
  maxPasskeys: 20,
  backupCodesRemaining: 0,
};
const names = (options: AuthenticatorOption[]) =>
  options.map((option) => decodeAuthenticatorId(option.authenticatorId)?.name);

describe('settingsMenu', () => {
  it('offers the actions the account can take, each a valid wire option named "<action>:LOCAL"', () => {
    const menu = settingsMenu(schema, account);
    for (const option of menu) expect(AuthenticatorOption.parse(option)).toEqual(option);
    expect(names(menu)).toEqual([
      'UpdateProfile',
      'ChangePassword',
      'EnrollTotp',
      'AddPasskey',
      'RegenerateBackupCodes',
      'FinishSettings',
    ]);
  });

  it('shows the profile form with the schema params and the current values, nothing required', () => {
    const [profile] = settingsMenu(schema, account);
    expect(profile).toMatchObject({
      metadata: {
        promptType: 'USER_PROMPT',
        params: [{ param: 'traits.email' }, { param: 'traits.name' }],
        additionalData: { 'traits.email': 'a@example.com', 'traits.name': 'Ann' },
      },
      requiredParams: [],
    });
  });

  it('shows actions that need a secret or challenge first by name only, like initiation options of the login flow', () => {
    const menu = settingsMenu(schema, account);
    expect(menu.find((option) => option.authenticatorId === SETTINGS_IDS.enrollTotp)).toEqual({
      authenticatorId: SETTINGS_IDS.enrollTotp,
      authenticator: 'Authenticator app',
      idp: 'LOCAL',
      metadata: { i18nKey: 'action.totp.enroll' },
    });
  });

  it('swaps enrollment for removal once enrolled, lists passkeys to remove, and hides what cannot be done', () => {
    const full = settingsMenu(schema, {
      ...account,
      totpEnrolled: true,
      passkeys: [passkey],
      maxPasskeys: 1,
      canSetPassword: false,
    });
    expect(names(full)).toEqual([
      'UpdateProfile',
      'RemoveTotp',
      'RemovePasskey',
      'RegenerateBackupCodes',
      'FinishSettings',
    ]);
    const remove = full.find((option) => option.authenticatorId === SETTINGS_IDS.removePasskey);
    expect(remove?.requiredParams).toEqual(['credentialId']);
    expect(JSON.parse(remove?.metadata.additionalData?.['passkeys'] ?? '')).toEqual([
      { id: 'pk1', name: 'Phone', createdAt: passkey.createdAt, lastUsedAt: null },
    ]);
    expect(isOffered(SETTINGS_IDS.enrollTotp, schema, { ...account, totpEnrolled: true })).toBe(false);
    expect(isOffered(SETTINGS_IDS.removeTotp, schema, { ...account, totpEnrolled: true })).toBe(true);
  });

  it('carries new backup codes once, in the answer that made them', () => {
    const codes = settingsMenu(schema, account, ['aaaa-bbbb', 'cccc-dddd']).find(
      (option) => option.authenticatorId === SETTINGS_IDS.regenerateBackupCodes,
    );
    expect(codes?.metadata.additionalData).toEqual({ remaining: '2', codes: 'aaaa-bbbb,cccc-dddd' });
    const later = settingsMenu(schema, { ...account, backupCodesRemaining: 2 }).find(
      (option) => option.authenticatorId === SETTINGS_IDS.regenerateBackupCodes,
    );
    expect(later?.metadata.additionalData).toEqual({ remaining: '2' });
  });
});

describe('reauthenticationOptions and settingsStep', () => {
  it("offers the identity's own first factors: password with one confidential param, passkey by name", () => {
    const both = reauthenticationOptions({ password: true, passkey: true });
    expect(names(both)).toEqual(['PasswordReauthentication', 'PasskeyReauthentication']);
    expect(both[0]).toMatchObject({
      metadata: { params: [{ param: 'password', confidential: true }] },
      requiredParams: ['password'],
    });
    expect(reauthenticationOptions({ password: false, passkey: false })).toEqual([]);
  });

  it('is an AUTHENTICATOR_PROMPT for one option and a MULTI_OPTIONS_PROMPT for several, posted to /flows/settings', () => {
    const one = settingsStep(
      'https://id.example/t/acme',
      'f1',
      'INCOMPLETE',
      reauthenticationOptions({ password: true, passkey: false }),
    );
    expect(FlowStepResponse.parse(one)).toMatchObject({
      flowType: 'SETTINGS',
      nextStep: { stepType: 'AUTHENTICATOR_PROMPT' },
      links: [{ name: 'settings', href: 'https://id.example/t/acme/flows/settings', method: 'POST' }],
    });
    expect(one.nextStep.messages).toBeUndefined();
    const many = settingsStep('https://id.example/t/acme', 'f1', 'FAIL_INCOMPLETE', settingsMenu(schema, account), [
      { type: 'ERROR', messageId: 'm', message: 'm', i18nKey: 'message.m' },
    ]);
    expect(many.nextStep).toMatchObject({ stepType: 'MULTI_OPTIONS_PROMPT', messages: [{ messageId: 'm' }] });
  });
});

describe('requiredParamsOf', () => {
  it('requires the answers that are checked or counted, and only once an initiated action is answered', () => {
    expect(requiredParamsOf(SETTINGS_IDS.passwordReauthentication, {})).toEqual(['password']);
    expect(requiredParamsOf(SETTINGS_IDS.removePasskey, {})).toEqual(['credentialId']);
    // Selected without its answer, an action that needs initiation is initiated.
    expect(requiredParamsOf(SETTINGS_IDS.enrollTotp, {})).toEqual([]);
    expect(requiredParamsOf(SETTINGS_IDS.enrollTotp, { token: '' })).toEqual(['token']);
    expect(requiredParamsOf(SETTINGS_IDS.addPasskey, { tokenResponse: '' })).toEqual(['tokenResponse']);
    expect(requiredParamsOf(SETTINGS_IDS.passkeyReauthentication, {})).toEqual([]);
    expect(requiredParamsOf(SETTINGS_IDS.passkeyReauthentication, { tokenResponse: '' })).toEqual(['tokenResponse']);
    // Forms report their fields per field.
    expect(requiredParamsOf(SETTINGS_IDS.changePassword, {})).toEqual([]);
    expect(requiredParamsOf(SETTINGS_IDS.updateProfile, {})).toEqual([]);
  });
});
