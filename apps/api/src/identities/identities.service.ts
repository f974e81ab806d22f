import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors';
import { PasswordHasher } from '../crypto/password-hasher';
import { isUniqueViolation } from '../prisma/prisma-errors';
import { IdentitiesRepository, type IdentityRow } from './identities.repository';
import { normaliseIdentifier, type DefaultTraits } from './identity-traits';

@Injectable()
export class IdentitiesService {
  constructor(
    private readonly identities: IdentitiesRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async create(projectId: string, traits: DefaultTraits, password: string | undefined): Promise<IdentityRow> {
    const credential = password ? { hash: await this.hasher.hash(password), identifiers: [normaliseIdentifier(traits.email)] } : undefined;
    try {
      return await this.identities.create(projectId, traits, credential);
    } catch (error) {
      // Admin-only endpoint: saying the address is taken is not an enumeration leak to end users.
      if (isUniqueViolation(error)) throw ApiError.conflict(`An identity with email '${traits.email}' already exists.`);
      throw error;
    }
  }

  findById(projectId: string, id: string): Promise<IdentityRow | null> {
    return this.identities.findById(projectId, id);
  }

  list(projectId: string, take = 100): Promise<IdentityRow[]> {
    return this.identities.list(projectId, take);
  }
}
