import type { FlowMessage } from '@keyway/flow-types';
import { MAX_PASSWORD_LENGTH, PasswordSchema } from '../../domain/schemas/identity-traits';
import { checkCode, MAX_CODE_ATTEMPTS, type PendingCode } from '../../infra/crypto/one-time-code';

/** Steps of a recovery flow (Flow.stepIndex). */
export const EMAIL_STEP = 0;
export const CODE_STEP = 1;
export const PASSWORD_STEP = 2;

/**
 * How long the flow stays privileged after the code: enough to choose a password, short enough that a
 * device left unattended after reading the mail does not keep a password-changing flow open.
 */
export const PRIVILEGED_WINDOW_MS = 10 * 60 * 1000;

export const EMAIL_PARAM = 'email';
export const CODE_PARAM = 'code';
export const PASSWORD_PARAM = 'password';

/** The code step's state in Flow.stepState. `address` is the normalised address the code was sent to. */
export interface RecoveryCodeState {
  pending: PendingCode;
  address: string;
}

export type CodeAnswer =
  | { kind: 'valid' }
  | { kind: 'expired' }
  | { kind: 'retry'; remaining: number; state: RecoveryCodeState }
  | { kind: 'dead'; state: RecoveryCodeState };

/**
 * Judges a code answer. A flow for an address nobody recovers with (`hasIdentity` false) holds an
 * unguessable hash and so fails exactly like a mistyped code: same messages, same attempt count.
 */
export function answerCode(state: RecoveryCodeState, code: string, hasIdentity: boolean, now = Date.now()): CodeAnswer {
  const result = checkCode(state.pending, code, now);
  if (result === 'expired') return { kind: 'expired' };
  if (result === 'valid' && hasIdentity) return { kind: 'valid' };
  const attempts = state.pending.attempts + 1;
  const next = { ...state, pending: { ...state.pending, attempts } };
  const remaining = MAX_CODE_ATTEMPTS - attempts;
  return remaining <= 0 ? { kind: 'dead', state: next } : { kind: 'retry', remaining, state: next };
}

export type NewPassword = { ok: true; password: string } | { ok: false; messages: FlowMessage[] };

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
