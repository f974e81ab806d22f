import { isDeepStrictEqual } from 'node:util';
import { normaliseIdentifier } from '../../domain/schemas/identity-traits';
import type { CompiledIdentitySchema } from '../../domain/schemas/identity-schema';

/** A value of the new traits that must belong to no other identity of the project. */
export interface UniqueClaim {
  field: string;
  kind: 'identifier' | 'address';
  via?: 'email' | 'phone';
  value: string;
}

/**
 * The values the traits claim project-wide, per field: password login identifiers and verifiable addresses,
 * normalised as they are stored. A value taken by someone else is reported on the field that claims it.
 */
export function uniqueClaims(schema: CompiledIdentitySchema, traits: Record<string, unknown>): UniqueClaim[] {
  const claims: UniqueClaim[] = [];
  for (const trait of schema.traits) {
    const raw = traits[trait.name];
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    const value = normaliseIdentifier(raw);
    const field = `traits.${trait.name}`;
    if (trait.annotations.credentials?.password?.identifier === true) claims.push({ field, kind: 'identifier', value });
    const via = trait.annotations.verification?.via;
    if (via) claims.push({ field, kind: 'address', via, value });
  }
  return claims;
}

/**
 * The traits whose value the update changes (added, changed or removed), as params (`traits.<name>`), sorted:
 * stored traits come back in the database's key order, which is not the order they were written in.
 */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.filter((name) => !isDeepStrictEqual(before[name], after[name])).map((name) => `traits.${name}`);
}

type Address = { via: 'email' | 'phone'; value: string };

/** Verifiable addresses the update adds (they start unverified) and removes; unchanged ones keep their state. */
export function addressChanges(before: Address[], after: Address[]): { added: Address[]; removed: Address[] } {
  const key = (address: Address) => `${address.via}:${address.value}`;
  const old = new Set(before.map(key));
  const now = new Set(after.map(key));
  return {
    added: after.filter((address) => !old.has(key(address))),
    removed: before.filter((address) => !now.has(key(address))),
  };
}
