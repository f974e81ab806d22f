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
});
export type AuthRequest = z.infer<typeof AuthRequest>;

export interface FlowRecord {
  id: string;
  projectId: string;
  applicationId: string;
  type: FlowType;
  stepIndex: number;
  identityId: string | null;
  amr: string[];
  authRequest: AuthRequest;
  stepState: Record<string, unknown>;
  expiresAt: Date;
}
