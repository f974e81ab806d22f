import { encodeAuthenticatorId, SELF_SERVICE_ACTIONS, type AuthenticatorOption } from '@keyway/flow-types';

/** The step that asks for the code mailed to an address: registration's second step and the verification flow. */
/** The param that carries the code. */
export const CODE_PARAM = 'code';

export const EMAIL_CODE_ID = encodeAuthenticatorId(SELF_SERVICE_ACTIONS.emailCodeVerification, 'LOCAL');

export function codeOption(): AuthenticatorOption {
  return {
    authenticatorId: EMAIL_CODE_ID,
    authenticator: 'Email verification code',
    idp: 'LOCAL',
    metadata: {
      i18nKey: 'action.email.verification',
      promptType: 'USER_PROMPT',
      params: [
        {
          param: CODE_PARAM,
          type: 'STRING',
          order: 0,
          i18nKey: 'param.verification.code',
          displayName: 'Verification code',
          confidential: false,
        },
      ],
    },
    requiredParams: [CODE_PARAM],
  };
}
