import {
  encodeAuthenticatorId,
  SELF_SERVICE_ACTIONS,
  type AuthenticatorOption,
  type AuthenticatorParam,
  type FlowMessage,
  type FlowStepResponse,
} from '@keyway/flow-types';
import type { PasskeyView } from '../../methods/passkey/passkeys.service';
import type { CompiledIdentitySchema } from '../../domain/schemas/identity-schema';
import { fieldsFromSchema, paramsFromSchema } from '../../domain/schemas/schema-params';

const id = (name: string) => encodeAuthenticatorId(name, 'LOCAL');

/** authenticatorIds of the settings flow: base64url("<action>:LOCAL"), like every other option. */
export const SETTINGS_IDS = {
  passwordReauthentication: id(SELF_SERVICE_ACTIONS.passwordReauthentication),
  passkeyReauthentication: id(SELF_SERVICE_ACTIONS.passkeyReauthentication),
  updateProfile: id(SELF_SERVICE_ACTIONS.updateProfile),
  changePassword: id(SELF_SERVICE_ACTIONS.changePassword),
  enrollTotp: id(SELF_SERVICE_ACTIONS.enrollTotp),
  removeTotp: id(SELF_SERVICE_ACTIONS.removeTotp),
  addPasskey: id(SELF_SERVICE_ACTIONS.addPasskey),
  removePasskey: id(SELF_SERVICE_ACTIONS.removePasskey),
  regenerateBackupCodes: id(SELF_SERVICE_ACTIONS.regenerateBackupCodes),
  finishSettings: id(SELF_SERVICE_ACTIONS.finishSettings),
} as const;

export const PASSWORD_PARAM = 'password';
export const TOKEN_PARAM = 'token';
export const TOKEN_RESPONSE_PARAM = 'tokenResponse';
export const PASSKEY_NAME_PARAM = 'name';
export const CREDENTIAL_ID_PARAM = 'credentialId';

/** What the settings menu depends on: the identity's traits and which credentials it has. */
export interface AccountState {
  traits: Record<string, unknown>;
  hasPassword: boolean;
  /** A password can be set: the identity has one, or its traits give the login identifiers it needs. */
  canSetPassword: boolean;
  totpEnrolled: boolean;
  passkeys: PasskeyView[];
  maxPasskeys: number;
  backupCodesRemaining: number;
}

/** Which re-authentication options the identity has: its own first factors. */
export interface ReauthenticationFactors {
  password: boolean;
  passkey: boolean;
}

const param = (
  name: string,
  order: number,
  i18nKey: string,
  displayName: string,
  confidential = false,
): AuthenticatorParam => ({
  param: name,
  type: 'STRING',
  order,
  i18nKey,
  displayName,
  confidential,
});

function userPrompt(
  authenticatorId: string,
  authenticator: string,
  i18nKey: string,
  params: AuthenticatorParam[],
  requiredParams: string[],
  additionalData?: Record<string, string>,
): AuthenticatorOption {
  return {
    authenticatorId,
    authenticator,
    idp: 'LOCAL',
    metadata: {
      i18nKey,
      promptType: 'USER_PROMPT',
      params,
      ...(additionalData && Object.keys(additionalData).length ? { additionalData } : {}),
    },
    requiredParams,
  };
}

/** An option that must be selected (without params) before it can be answered: only its name in a menu. */
function needsInitiation(authenticatorId: string, authenticator: string, i18nKey: string): AuthenticatorOption {
  return { authenticatorId, authenticator, idp: 'LOCAL', metadata: { i18nKey } };
}

function passwordReauthenticationOption(): AuthenticatorOption {
  return userPrompt(
    SETTINGS_IDS.passwordReauthentication,
    'Password',
    'action.password.reauthentication',
    [param(PASSWORD_PARAM, 0, 'param.password', 'Password', true)],
    [PASSWORD_PARAM],
  );
}

function passkeyReauthenticationMenuOption(): AuthenticatorOption {
  return needsInitiation(SETTINGS_IDS.passkeyReauthentication, 'Passkey', 'action.passkey.reauthentication');
}

/** The passkey re-authentication once initiated: the login's FIDO prompt (challengeData) under the settings id. */
export function passkeyReauthenticationPrompt(additionalData: Record<string, string> | undefined): AuthenticatorOption {
  return {
    authenticatorId: SETTINGS_IDS.passkeyReauthentication,
    authenticator: 'Passkey',
    idp: 'LOCAL',
    metadata: {
      i18nKey: 'action.passkey.reauthentication',
      promptType: 'INTERNAL_PROMPT',
      ...(additionalData ? { additionalData } : {}),
    },
    requiredParams: [TOKEN_RESPONSE_PARAM],
  };
}

/** The re-authentication step's options; empty when the identity has no factor the flow can check. */
export function reauthenticationOptions(factors: ReauthenticationFactors): AuthenticatorOption[] {
  return [
    ...(factors.password ? [passwordReauthenticationOption()] : []),
    ...(factors.passkey ? [passkeyReauthenticationMenuOption()] : []),
  ];
}

/** Traits as the wire carries them (all strings): what the profile form shows as the current values. */
function currentValues(schema: CompiledIdentitySchema, traits: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of fieldsFromSchema(schema)) {
    const value = traits[field.trait];
    if (value === undefined || value === null) continue;
    // MULTI_VALUED params travel comma-separated, as the form reads them back.
    values[field.param] = Array.isArray(value)
      ? value.map(String).join(',')
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  }
  return values;
}

/**
 * The profile form: the schema's traits as params, none required (a param left out keeps its value, an
 * empty one removes the trait), the current values in additionalData.
 */
function updateProfileOption(schema: CompiledIdentitySchema, traits: Record<string, unknown>): AuthenticatorOption {
  return userPrompt(
    SETTINGS_IDS.updateProfile,
    'Profile',
    'action.profile.update',
    paramsFromSchema(schema),
    [],
    currentValues(schema, traits),
  );
}

function changePasswordOption(): AuthenticatorOption {
  return userPrompt(
    SETTINGS_IDS.changePassword,
    'Change password',
    'action.password.change',
    [param(PASSWORD_PARAM, 0, 'param.password.new', 'New password', true)],
    [PASSWORD_PARAM],
  );
}

/** In-flow TOTP enrollment once initiated, like the login flow's: the secret and its otpauth URI, then a code. */
export function enrollTotpPrompt(enrollment: { secret: string; otpauthUri: string }): AuthenticatorOption {
  return userPrompt(
    SETTINGS_IDS.enrollTotp,
    'Authenticator app',
    'action.totp.enroll',
    [param(TOKEN_PARAM, 0, 'totp.authenticator', 'Token')],
    [TOKEN_PARAM],
    {
      enrollment: 'true',
      secret: enrollment.secret,
      otpauthUri: enrollment.otpauthUri,
    },
  );
}

/** Adding a passkey once initiated: creation options in challengeData, answered by tokenResponse (and an optional name). */
export function addPasskeyPrompt(challengeData: string): AuthenticatorOption {
  return {
    authenticatorId: SETTINGS_IDS.addPasskey,
    authenticator: 'Add passkey',
    idp: 'LOCAL',
    metadata: {
      i18nKey: 'action.passkey.add',
      promptType: 'INTERNAL_PROMPT',
      params: [param(PASSKEY_NAME_PARAM, 0, 'param.passkey.name', 'Passkey name')],
      additionalData: { challengeData },
    },
    requiredParams: [TOKEN_RESPONSE_PARAM],
  };
}

/** The passkeys as the remove option lists them: what the owner sees, never keys or counters. */
function passkeyList(passkeys: PasskeyView[]): string {
  return JSON.stringify(
    passkeys.map(({ id: passkeyId, name, createdAt, lastUsedAt }) => ({ id: passkeyId, name, createdAt, lastUsedAt })),
  );
}

/**
 * The settings menu: every action the identity can take now, each with its params. Actions that need a
 * server-side secret or challenge first (TOTP enrollment, adding a passkey) show only their name and are
 * initiated by selecting them without params. `backupCodes` are shown once, in the answer that made them.
 */
export function settingsMenu(
  schema: CompiledIdentitySchema,
  account: AccountState,
  backupCodes?: string[],
): AuthenticatorOption[] {
  const options: AuthenticatorOption[] = [updateProfileOption(schema, account.traits)];
  if (account.canSetPassword) options.push(changePasswordOption());
  options.push(
    account.totpEnrolled
      ? userPrompt(SETTINGS_IDS.removeTotp, 'Remove authenticator app', 'action.totp.remove', [], [])
      : needsInitiation(SETTINGS_IDS.enrollTotp, 'Authenticator app', 'action.totp.enroll'),
  );
  if (account.passkeys.length < account.maxPasskeys)
    options.push(needsInitiation(SETTINGS_IDS.addPasskey, 'Add passkey', 'action.passkey.add'));
  if (account.passkeys.length > 0) {
    options.push(
      userPrompt(
        SETTINGS_IDS.removePasskey,
        'Remove passkey',
        'action.passkey.remove',
        [param(CREDENTIAL_ID_PARAM, 0, 'param.passkey.credentialId', 'Passkey')],
        [CREDENTIAL_ID_PARAM],
        {
          passkeys: passkeyList(account.passkeys),
        },
      ),
    );
  }
  options.push(
    userPrompt(SETTINGS_IDS.regenerateBackupCodes, 'Backup codes', 'action.backup_codes.regenerate', [], [], {
      remaining: String(backupCodes?.length ?? account.backupCodesRemaining),
      ...(backupCodes ? { codes: backupCodes.join(',') } : {}),
    }),
  );
  options.push(userPrompt(SETTINGS_IDS.finishSettings, 'Done', 'action.settings.finish', [], []));
  return options;
}

/**
 * The params an answer to the selected action must carry before anything is counted or changed: the
 * re-authentication password, the passkey to remove, and the answer of an action that needs initiation
 * once it is given at all (selected without it, TOTP enrollment and the passkey ceremonies are initiated
 * instead, as in the login flow). Forms (profile, new password) report their fields per field instead.
 */
export function requiredParamsOf(authenticatorId: string, params: Record<string, string>): string[] {
  switch (authenticatorId) {
    case SETTINGS_IDS.passwordReauthentication:
      return [PASSWORD_PARAM];
    case SETTINGS_IDS.removePasskey:
      return [CREDENTIAL_ID_PARAM];
    case SETTINGS_IDS.enrollTotp:
      return params[TOKEN_PARAM] !== undefined ? [TOKEN_PARAM] : [];
    case SETTINGS_IDS.addPasskey:
    case SETTINGS_IDS.passkeyReauthentication:
      return params[TOKEN_RESPONSE_PARAM] !== undefined ? [TOKEN_RESPONSE_PARAM] : [];
    default:
      return [];
  }
}

/** Whether the action is one the menu offers for this account right now. */
export function isOffered(authenticatorId: string, schema: CompiledIdentitySchema, account: AccountState): boolean {
  return settingsMenu(schema, account).some((option) => option.authenticatorId === authenticatorId);
}

/** One option → AUTHENTICATOR_PROMPT, several → MULTI_OPTIONS_PROMPT; posted back to the settings endpoint. */
export function settingsStep(
  issuer: string,
  flowId: string,
  flowStatus: 'INCOMPLETE' | 'FAIL_INCOMPLETE',
  options: AuthenticatorOption[],
  messages: FlowMessage[] = [],
): FlowStepResponse {
  return {
    flowId,
    flowStatus,
    flowType: 'SETTINGS',
    nextStep: {
      stepType: options.length === 1 ? 'AUTHENTICATOR_PROMPT' : 'MULTI_OPTIONS_PROMPT',
      authenticators: options,
      ...(messages.length ? { messages } : {}),
    },
    links: [{ name: 'settings', href: `${issuer}/flows/settings`, method: 'POST' }],
  };
}
