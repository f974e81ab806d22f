import type { IdentityRow } from '../../domain/identities/identities.repository';
import type { SessionRow } from '../../domain/sessions/sessions.repository';

/** An identity as the admin API shows it in lists: traits and state, never a credential. */
export interface IdentityView {
  id: string;
  traits: unknown;
  state: string;
  schemaVersion: number;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export const identityView = (identity: IdentityRow): IdentityView => ({
  id: identity.id,
  traits: identity.traits,
  state: identity.state,
  schemaVersion: identity.schemaVersion,
  lockedUntil: identity.lockedUntil?.toISOString() ?? null,
  createdAt: identity.createdAt.toISOString(),
  updatedAt: identity.updatedAt.toISOString(),
});

/** A passkey's metadata: its credential id is public (every sign-in sends it), its key and counter are not shown. */
export interface PasskeySummary {
  id: string;
  name: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  backedUp: boolean;
}

/** An account at one of the project's connections, linked to the identity (the provider's subject is not secret). */
export interface LinkedAccountSummary {
  connectionId: string;
  connectionName: string;
  subject: string;
  linkedAt: string;
}

/**
 * A credential's metadata, never its secret (hash, TOTP secret, codes): its type, when it was created and last
 * changed or used, and per type what a help-desk agent needs to know.
 */
export type CredentialSummary =
  /** `hashAlgorithm`: argon2id, or an imported format still waiting for the next login to re-hash it. */
  | { type: 'password'; hashAlgorithm: string; createdAt: string; updatedAt: string }
  /** `confirmed`: false while an enrollment waits for its first code. */
  | { type: 'totp'; confirmed: boolean; createdAt: string; lastUsedAt: string | null }
  | { type: 'webauthn'; passkeys: PasskeySummary[]; createdAt: string; lastUsedAt: string | null }
  | { type: 'backup_codes'; remaining: number; createdAt: string }
  /** The accounts at the project's connections the identity signs in with. */
  | { type: 'oidc'; links: LinkedAccountSummary[]; createdAt: string }
  | { type: string; createdAt: string };

export type VerifiableAddressView = { via: string; value: string; verified: boolean; verifiedAt: string | null };

/** One identity in full: its credentials' metadata, addresses and lockout, never a secret. */
export interface IdentityDetailView extends IdentityView {
  credentials: CredentialSummary[];
  verifiableAddresses: VerifiableAddressView[];
  /** Failed attempts counted toward the next lock (every factor); `lockedUntil` says whether it is locked. */
  failedAttempts: number;
}

/** A session as help desk sees it: when and how the user signed in, and from what (a summary of the device). */
export interface SessionView {
  id: string;
  createdAt: string;
  authTime: string;
  amr: string[];
  /** The device the sign-in completed on: its User-Agent (cut to 200 characters) and IP address. */
  device: { userAgent: string | null; ip: string | null };
  expiresAt: string;
  revoked: boolean;
  revokedAt: string | null;
  /** Live: neither revoked nor expired. */
  active: boolean;
}

export function sessionView(session: SessionRow, now = new Date()): SessionView {
  const device = (session.device ?? {}) as { userAgent?: unknown; ip?: unknown };
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    authTime: session.authTime.toISOString(),
    amr: session.amr,
    device: {
      userAgent: typeof device.userAgent === 'string' ? device.userAgent.slice(0, 200) : null,
      ip: typeof device.ip === 'string' ? device.ip : null,
    },
    expiresAt: session.expiresAt.toISOString(),
    revoked: session.revokedAt !== null,
    revokedAt: session.revokedAt?.toISOString() ?? null,
    active: session.revokedAt === null && session.expiresAt > now,
  };
}
