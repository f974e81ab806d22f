import { timingSafeEqual } from 'node:crypto';
import { encodeAuthenticatorId, type AuthenticatorOption } from '@keyway/flow-types';
import { randomToken, sha256 } from '../../infra/crypto/tokens';

/** The step of a link verification: nothing to post, the address's owner opens the link from the mail instead. */
const EMAIL_LINK_ID = encodeAuthenticatorId('EmailLinkVerification', 'LOCAL');

/** A link token is 256 random bits in base64url: 43 characters. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** What a link verification keeps in the flow: only the SHA-256 of the token, never the token. */
export interface PendingLink {
  tokenHash: string;
  expiresAt: number;
}

/** A fresh link token and what the flow stores of it. */
export function newLinkToken(expiresAt: number): { token: string; pending: PendingLink } {
  const token = randomToken(32);
  return { token, pending: { tokenHash: sha256(token), expiresAt } };
}

/** The page the mailed link opens; it needs no cookie, so it works in whichever browser opens the mail. */
export function verificationLinkUrl(issuer: string, flowId: string, token: string): string {
  return `${issuer}/ui/verification/confirm?${new URLSearchParams({ flow: flowId, token })}`;
}

/** Whether `token` opens `pending` now: well-formed, not expired, and its hash equal in constant time. */
export function linkTokenMatches(pending: PendingLink | undefined, token: string, now = Date.now()): boolean {
  if (!pending || now >= pending.expiresAt || !TOKEN_FORMAT.test(token)) return false;
  const given = Buffer.from(sha256(token));
  const expected = Buffer.from(pending.tokenHash);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function linkOption(): AuthenticatorOption {
  return {
    authenticatorId: EMAIL_LINK_ID,
    authenticator: 'Email verification link',
    idp: 'LOCAL',
    // Answered outside the flow's endpoint (the link), so there is nothing for a user to type here.
    metadata: { i18nKey: 'action.email.verification.link', promptType: 'INTERNAL_PROMPT', params: [] },
    requiredParams: [],
  };
}
