import { z } from 'zod';
import { AuthorizationRequestParams } from '../../../domain/grants/authorization-request';

/** Longest value of an authenticator's own parameter (the flow engine enforces the same bound). */
const MAX_ANSWER_LENGTH = 8192;

/**
 * Body of POST /oauth2/authorize-challenge (draft-ietf-oauth-first-party-apps-04 §5.1): the authorization
 * request parameters, `auth_session` on follow-up requests, and — Keyway's choice for the intermediate
 * requests the draft leaves to the server (§5.3) — the current step's answers as form fields named like the
 * authenticator's params (`username`, `password`, `token`, …). `authenticator_id` picks an option when the
 * params alone do not (several options, or an option that is initiated without params).
 */
export const AuthorizeChallengeParams = AuthorizationRequestParams.extend({
  auth_session: z.string().max(128, 'must be at most 128 characters').optional(),
  authenticator_id: z.string().max(256, 'must be at most 256 characters').optional(),
}).catchall(z.string().max(MAX_ANSWER_LENGTH, `must be at most ${MAX_ANSWER_LENGTH} characters`));
export type AuthorizeChallengeParams = z.infer<typeof AuthorizeChallengeParams>;
