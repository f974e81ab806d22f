import type { FlowMessage } from '@keyway/flow-types';

const remaining = (remainingAttempts: number) => [{ key: 'remainingAttempts', value: String(remainingAttempts) }];

/** The email OTP option's messages (WSO2-style message ids and i18n keys). */
export const EmailOtpMessages = {
  invalidCode: (remainingAttempts: number): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_invalid_email_otp',
    message: 'Invalid verification code.',
    i18nKey: 'message.msg_invalid_email_otp',
    context: remaining(remainingAttempts),
  }),
  expiredCode: (remainingAttempts: number): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_email_otp_expired',
    message: 'The verification code has expired. Select Email OTP again to get a new code.',
    i18nKey: 'message.msg_email_otp_expired',
    context: remaining(remainingAttempts),
  }),
  notSent: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_email_otp_not_sent',
    message: 'No code has been sent yet. Select Email OTP to receive one.',
    i18nKey: 'message.msg_email_otp_not_sent',
  }),
  resendTooSoon: (waitSeconds: number): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_email_otp_resend_too_soon',
    message: `A new code can be sent in ${waitSeconds} seconds.`,
    i18nKey: 'message.msg_email_otp_resend_too_soon',
    context: [{ key: 'retryAfterSeconds', value: String(waitSeconds) }],
  }),
  resendLimit: (): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_email_otp_resend_limit',
    message: 'No more codes can be sent in this login. Use the last code or start again.',
    i18nKey: 'message.msg_email_otp_resend_limit',
  }),
} as const;
