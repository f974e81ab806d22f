import { ApiError, fieldError } from '../../infra/http/errors';
import type { IdentitySchemasService } from './identity-schemas.service';

/** The entries of a claim → trait mapping (connections, token issuers) whose trait the schema does not define. */
export function unknownMappedTraits(mapping: Record<string, string>, traits: readonly string[]): string[] {
  const known = new Set(traits);
  return Object.entries(mapping)
    .filter(([, trait]) => !known.has(trait))
    .map(([claim, trait]) => `${claim} → ${trait}`);
}

/** 400 (field `claimMapping`) when the mapping names a trait the project's default identity schema does not define. */
export async function checkClaimMapping(
  schemas: IdentitySchemasService,
  projectId: string,
  mapping: Record<string, string>,
): Promise<void> {
  const { compiled } = await schemas.getDefault(projectId);
  const unknown = unknownMappedTraits(
    mapping,
    compiled.traits.map((trait) => trait.name),
  );
  if (unknown.length)
    throw ApiError.invalidFields(
      unknown.map((entry) =>
        fieldError('claimMapping', 'unknown_trait', `${entry}: the identity schema has no such trait`),
      ),
    );
}
