import type { FlowType } from '@keyway/flow-types';
import { z } from 'zod';

/** The validated authorization request a flow will answer once it succeeds. */
export const AuthRequest = z.object({
  clientId: z.string(),
  /** Absent when the request carried none (First-Party Apps): the code is then bound to no redirect_uri. */
  redirectUri: z.string().optional(),
  scope: z.string(),
  state: z.string().optional(),
  nonce: z.string().optional(),
  codeChallenge: z.string().optional(),
  codeChallengeMethod: z.literal('S256').optional(),
  /**
   * `query`: started by the hosted pages (browser redirect), answered only by them. `session`: a native
   * registration started without an authorization request, which ends in a token response instead of a code.
   * Absent: a JSON front answering with a code.
   */
  responseMode: z.enum(['query', 'session']).optional(),
  /** Hosted login with response_mode=form_post: the code reaches redirect_uri as an auto-submitted form. */
  formPost: z.boolean().optional(),
  /** ui_locales (OIDC Core §3.1.2.1), canonical BCP 47 tags, most preferred first: the locale of the flow's mails. */
  uiLocales: z.array(z.string()).optional(),
  /** Settings: the session that started the flow; only its access tokens may answer it. */
  sessionId: z.string().optional(),
});
export type AuthRequest = z.infer<typeof AuthRequest>;

/**
 * A flow as stored, whatever its type (the login engine's AUTHENTICATION, the self-service flows): the one
 * shape FlowStore reads and writes. `stepState` is the type's own scratch state (authenticator challenges,
 * a pending code's hash); `version` is what the next write compares (see FlowStore.update).
 */
export interface FlowRecord {
  id: string;
  projectId: string;
  applicationId: string;
  type: FlowType;
  stepIndex: number;
  identityId: string | null;
  amr: string[];
  /** Failed answers in this flow, whatever the username: caps guessing through one flow. */
  failedAttempts: number;
  authRequest: AuthRequest;
  stepState: Record<string, unknown>;
  expiresAt: Date;
  version: number;
}
