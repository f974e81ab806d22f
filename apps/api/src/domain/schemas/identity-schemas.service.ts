import { Injectable } from '@nestjs/common';
import { ApiError, fieldError } from '../../infra/http/errors';
import type { Prisma } from '../../generated/prisma/client';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import {
  compileIdentitySchema,
  DEFAULT_IDENTITY_SCHEMA,
  problemText,
  type CompiledIdentitySchema,
} from './identity-schema';
import {
  IdentitySchemasRepository,
  type IdentitySchemaRow,
  type IdentitySchemaSummary,
} from './identity-schemas.repository';

/** A stored version, compiled. */
export interface IdentitySchemaVersion {
  version: number;
  isDefault: boolean;
  createdAt: Date;
  compiled: CompiledIdentitySchema;
}

/**
 * A project's versioned identity schemas. Version 1 is always the built-in default (email + name): it is
 * written the first time a project's schemas are used, so projects created before schemas existed get
 * it too, and their identities (schema_version 1 from the column default) were validated by exactly it.
 * Versions never change once written, so each is compiled once and cached by (project, version).
 */
@Injectable()
export class IdentitySchemasService {
  private readonly compiled = new Map<string, CompiledIdentitySchema>();
  /** Projects known to have version 1 written; saves a count per request. */
  private readonly initialised = new Set<string>();

  constructor(private readonly schemas: IdentitySchemasRepository) {}

  async list(projectId: string): Promise<IdentitySchemaSummary[]> {
    await this.ensureInitialised(projectId);
    return this.schemas.list(projectId);
  }

  /** One version; 404 when the project has none such. */
  async get(projectId: string, version: number): Promise<IdentitySchemaVersion & { schema: Prisma.JsonValue }> {
    await this.ensureInitialised(projectId);
    const row = await this.schemas.find(projectId, version);
    if (!row) throw ApiError.notFound(`No identity schema version ${version} in this project.`);
    return { ...this.toVersion(row), schema: row.schema };
  }

  /** The version new identities are validated against. */
  async getDefault(projectId: string): Promise<IdentitySchemaVersion> {
    await this.ensureInitialised(projectId);
    const row = await this.schemas.findDefault(projectId);
    // ensureInitialised wrote version 1 as default, and setDefault never leaves a project without one.
    if (!row) throw new Error(`project ${projectId} has no default identity schema`);
    return this.toVersion(row);
  }

  /** The given version, or the default when none is given. 400 (not 404) for an unknown one: it is a body field. */
  async resolve(projectId: string, version: number | undefined): Promise<IdentitySchemaVersion> {
    if (version === undefined) return this.getDefault(projectId);
    await this.ensureInitialised(projectId);
    const row = await this.schemas.find(projectId, version);
    if (!row) throw ApiError.badRequest(`schemaVersion: this project has no identity schema version ${version}`);
    return this.toVersion(row);
  }

  /**
   * Checks a schema as `create` would, storing nothing: what an editor previews before saving. 400 with every
   * reason, one `fields` entry each (`msg_schema_invalid`, named by its path: `schema.properties.pin`).
   */
  check(schema: unknown): CompiledIdentitySchema {
    const result = compileIdentitySchema(schema);
    if (!result.ok)
      throw ApiError.invalidFields(
        result.problems.map(({ field, message }) => fieldError(field, 'msg_schema_invalid', message)),
      );
    return result.compiled;
  }

  /** Checks and stores a new version; 400 with every reason when the schema is refused (see `check`). */
  async create(projectId: string, schema: unknown, setDefault: boolean): Promise<IdentitySchemaVersion> {
    const compiled = this.check(schema);
    await this.ensureInitialised(projectId);
    for (let attempt = 1; ; attempt++) {
      try {
        const row = await this.schemas.create(projectId, schema as Prisma.InputJsonObject, setDefault);
        this.compiled.set(cacheKey(projectId, row.version), compiled);
        return this.toVersion(row);
      } catch (error) {
        // Another version was added at the same moment: take the next number.
        if (!isUniqueViolation(error) || attempt >= 5) throw error;
      }
    }
  }

  async setDefault(projectId: string, version: number): Promise<IdentitySchemaVersion> {
    await this.ensureInitialised(projectId);
    if (!(await this.schemas.setDefault(projectId, version)))
      throw ApiError.notFound(`No identity schema version ${version} in this project.`);
    return this.resolve(projectId, version);
  }

  private async ensureInitialised(projectId: string): Promise<void> {
    if (this.initialised.has(projectId)) return;
    if (!(await this.schemas.hasAny(projectId))) {
      try {
        await this.schemas.createFirst(projectId, DEFAULT_IDENTITY_SCHEMA as unknown as Prisma.InputJsonObject);
      } catch (error) {
        // Another request (or instance) wrote it first: same content, nothing to do.
        if (!isUniqueViolation(error)) throw error;
      }
    }
    this.initialised.add(projectId);
  }

  private toVersion(row: IdentitySchemaRow): IdentitySchemaVersion {
    const key = cacheKey(row.projectId, row.version);
    let compiled = this.compiled.get(key);
    if (!compiled) {
      const result = compileIdentitySchema(row.schema);
      // Stored versions were checked when written; one that no longer compiles is a server fault.
      if (!result.ok)
        throw new Error(
          `stored identity schema ${key} does not compile: ${result.problems.map(problemText).join('; ')}`,
        );
      compiled = result.compiled;
      this.compiled.set(key, compiled);
    }
    return { version: row.version, isDefault: row.isDefault, createdAt: row.createdAt, compiled };
  }
}

const cacheKey = (projectId: string, version: number): string => `${projectId}:${version}`;
