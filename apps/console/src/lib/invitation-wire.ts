import { z } from 'zod';

/**
 * What the invite page sends the console's server (app/api/invitations/…), which passes it on to the API's
 * public invitation endpoints. The API checks the values (the password policy, the name); these only bound
 * the sizes, so that its per-field complaints reach the page as it words them.
 */

/** A token is 43 base64url characters; the API takes at most 256. */
const Token = z.string().min(1).max(256);

/** POST /api/invitations/lookup: what the link invites to. */
export const InvitationLookupBody = z.object({ token: Token }).strict();

/** POST /api/invitations/accept: a new account's password (and name); none for an address with an account. */
export const InvitationAcceptBody = z
  .object({
    token: Token,
    password: z.string().max(1024).optional(),
    name: z.string().max(200).optional(),
  })
  .strict();
export type InvitationAcceptBody = z.infer<typeof InvitationAcceptBody>;

/** The API's password policy for console accounts (PasswordSchema): shown beside the field, checked before sending. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 1024;
