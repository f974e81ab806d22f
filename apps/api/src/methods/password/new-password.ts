import type { FlowMessage } from '@keyway/flow-types';
import { MAX_PASSWORD_LENGTH, PasswordSchema } from '../../domain/schemas/identity-traits';
import type { AuthenticatorPrompt } from '../authenticator';

export const PASSWORD_PARAM = 'password';

/** Asks for a new password (recovery's reset, settings' change): one confidential param. */
export const NEW_PASSWORD_PROMPT: AuthenticatorPrompt = {
  promptType: 'USER_PROMPT',
  params: [
    {
      param: PASSWORD_PARAM,
      type: 'STRING',
      order: 0,
      i18nKey: 'param.password.new',
      displayName: 'New password',
      confidential: true,
    },
  ],
  requiredParams: [PASSWORD_PARAM],
};

export type NewPassword = { ok: true; password: string } | { ok: false; messages: [FlowMessage] };

/** The new password, checked by the same policy as every other password of an identity (PasswordSchema). */
export function readNewPassword(params: Record<string, string>): NewPassword {
  const raw = params[PASSWORD_PARAM] ?? '';
  const parsed = PasswordSchema.safeParse(raw);
  if (parsed.success) return { ok: true, password: parsed.data };
  const [messageId, text] =
    raw === ''
      ? ['msg_trait_required', 'is required']
      : raw.length > MAX_PASSWORD_LENGTH
        ? ['msg_password_too_long', parsed.error.issues[0]?.message ?? 'is too long']
        : ['msg_password_too_short', parsed.error.issues[0]?.message ?? 'is too short'];
  return {
    ok: false,
    messages: [
      {
        type: 'ERROR',
        messageId,
        message: `${PASSWORD_PARAM}: ${text}`,
        i18nKey: `message.${messageId}`,
        context: [{ key: 'field', value: PASSWORD_PARAM }],
      },
    ],
  };
}
