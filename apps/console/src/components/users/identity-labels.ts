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

/** Whether a lock is running: lockedUntil is in the future (after it, the identity signs in again by itself). */
export function isLocked(identity: Pick<Identity, 'lockedUntil'>, now: Date = new Date()): boolean {
  return identity.lockedUntil !== null && new Date(identity.lockedUntil) > now;
}

/** The account's state: active or disabled (a lock is shown beside it: see isLocked). */
export function identityState(identity: Pick<Identity, 'state'>): 'active' | 'disabled' {
  return identity.state === 'disabled' ? 'disabled' : 'active';
}

export const STATE_TONE = { active: 'green', disabled: 'red' } as const;
