import type { Identity } from '@keyway/admin-api';

/** How an identity is named in lists: its email, username or phone trait, else its id. */
export function identityLabel(identity: Pick<Identity, 'id' | 'traits'>): string {
  const traits = identity.traits;
  if (traits && typeof traits === 'object') {
    for (const key of ['email', 'username', 'phone', 'name']) {
      const value = (traits as Record<string, unknown>)[key];
      if (typeof value === 'string' && value) return value;
    }
  }
  return identity.id;
}

/** active / disabled, and locked while a lock is running (whatever the state). */
export function identityStatus(identity: Pick<Identity, 'state' | 'lockedUntil'>): 'active' | 'disabled' | 'locked' {
  if (identity.lockedUntil && new Date(identity.lockedUntil) > new Date()) return 'locked';
  return identity.state === 'disabled' ? 'disabled' : 'active';
}

export const STATUS_TONE = { active: 'green', disabled: 'red', locked: 'amber' } as const;
