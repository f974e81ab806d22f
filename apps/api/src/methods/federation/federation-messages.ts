import type { FlowMessage } from '@keyway/flow-types';

const named = (provider: string) => [{ key: 'provider', value: provider }];

/** What a federated sign-in tells the user; `provider` is the connection's display name. */
export const FederationMessages = {
  /** The provider's token, code or profile was refused: bad signature, wrong nonce, expired, provider down. */
  failed: (provider: string): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_federation_failed',
    message: `Signing in with ${provider} failed. Try again.`,
    i18nKey: 'message.msg_federation_failed',
    context: named(provider),
  }),
  /** The answer's state is not the one this flow sent the user away with (another tab, a replay, a forgery). */
  stateMismatch: (provider: string): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_federation_state_mismatch',
    message: `This answer from ${provider} does not belong to this sign-in. Start again.`,
    i18nKey: 'message.msg_federation_state_mismatch',
    context: named(provider),
  }),
  /** The provider answered the redirect with an error (the user cancelled, consent refused). */
  cancelled: (provider: string): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_federation_cancelled',
    message: `Signing in with ${provider} was cancelled.`,
    i18nKey: 'message.msg_federation_cancelled',
    context: named(provider),
  }),
  /** An account has the provider's (verified) address: the user proves it before the two are linked. */
  linkProofRequired: (provider: string): FlowMessage => ({
    type: 'INFO',
    messageId: 'msg_federation_link_proof',
    message: `An account with this email address exists. Enter its password to sign in with ${provider} from now on.`,
    i18nKey: 'message.msg_federation_link_proof',
    context: named(provider),
  }),
  /** The provider left out traits the identity schema requires: the user fills them in. */
  traitsRequired: (provider: string): FlowMessage => ({
    type: 'INFO',
    messageId: 'msg_federation_traits_required',
    message: `${provider} did not share everything your account needs. Complete the fields below.`,
    i18nKey: 'message.msg_federation_traits_required',
    context: named(provider),
  }),
  /**
   * No identity can be signed in, linked or registered (an address of another account the provider does not
   * vouch for, linking disabled, an address taken meanwhile). One message for every reason, so the answer does
   * not say which accounts exist.
   */
  unavailable: (provider: string): FlowMessage => ({
    type: 'ERROR',
    messageId: 'msg_federation_unavailable',
    message: `You cannot sign in with ${provider} here. Sign in another way.`,
    i18nKey: 'message.msg_federation_unavailable',
    context: named(provider),
  }),
};
