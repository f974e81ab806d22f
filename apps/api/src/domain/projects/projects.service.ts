import { SYSTEM_PROJECT_SLUG } from './system-project';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError, ErrorCodes, fieldError } from '../../infra/http/errors';
import { fieldPath } from '../../infra/http/zod-pipes';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { isUniqueViolation } from '../../infra/database/prisma-errors';
import { DatabaseNotifications } from '../../infra/database/database-notifications';
import { ReplicatedCache } from '../../infra/database/replicated-cache';
import { SigningKeysService } from '../keys/signing-keys.service';
import { mergeRateLimitSettings } from '../../infra/config/rate-limit-policy';
import { ProjectSettings, type ProjectSettingsInput } from './project-settings';
import { ProjectsRepository, type ProjectRow } from './projects.repository';

/** A tenant as the rest of the API sees it. */
export interface Project {
  id: string;
  slug: string;
  name: string;
  issuer: string;
  settings: ProjectSettings;
}

@Injectable()
export class ProjectsService {
  /** Projects change rarely and are read on every OAuth request: kept in memory, dropped on every replica when changed. */
  private readonly cache: ReplicatedCache<Project | undefined>;

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly signingKeys: SigningKeysService,
    @Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig,
    notifications: DatabaseNotifications,
  ) {
    this.cache = new ReplicatedCache('project', notifications);
  }

  issuerOf(slug: string): string {
    return `${this.config.publicUrl}/t/${slug}`;
  }

  /** The project for a tenant path segment, or undefined. */
  async findBySlug(slug: string): Promise<Project | undefined> {
    return this.cache.get(slug, async () => {
      const row = await this.projects.findBySlug(slug);
      return row ? this.toProject(row) : undefined;
    });
  }

  async list(): Promise<Project[]> {
    return (await this.projects.list()).map((row) => this.toProject(row));
  }

  /** `system`: the built-in project of the console's users (admin/system), whose slug no one else may take. */
  async create(
    input: { slug: string; name: string; settings?: ProjectSettingsInput | undefined },
    { system = false }: { system?: boolean } = {},
  ): Promise<Project> {
    if (input.slug === SYSTEM_PROJECT_SLUG && !system)
      throw ApiError.conflict(`The slug '${input.slug}' is reserved.`, ErrorCodes.CONFLICT);
    const settings = ProjectSettings.parse(input.settings ?? {});
    let row: ProjectRow;
    try {
      row = await this.projects.create({ slug: input.slug, name: input.name, settings });
    } catch (error) {
      if (isUniqueViolation(error))
        throw ApiError.conflict(`A project with slug '${input.slug}' already exists.`, ErrorCodes.CONFLICT);
      throw error;
    }
    // Made at once, so that the first tokens are signed by keys already published; a crash in between is repaired
    // by the first use, which creates whatever keys are missing.
    await this.signingKeys.ensureKeys(row.id);
    await this.cache.invalidate(row.slug);
    return this.toProject(row);
  }

  /**
   * Changes the name and settings. Settings sent are merged over the current ones, nested objects
   * (lockout, webauthn, emailOtp, emails, branding (null clears a field), rateLimits rule by rule) field by field; the result is validated as a whole (e.g. origins against rpId).
   */
  async update(
    project: Project,
    input: { name?: string | undefined; settings?: ProjectSettingsInput | undefined },
  ): Promise<Project> {
    const current = project.settings;
    const { lockout, webauthn, emailOtp, emails, rateLimits, branding, ...rest } = input.settings ?? {};
    const settings = ProjectSettings.safeParse({
      ...current,
      ...rest,
      lockout: { ...current.lockout, ...lockout },
      webauthn: { ...current.webauthn, ...webauthn },
      emailOtp: { ...current.emailOtp, ...emailOtp },
      emails: { ...current.emails, ...emails },
      rateLimits: mergeRateLimitSettings(current.rateLimits, rateLimits),
      branding: Object.fromEntries(
        Object.entries({ ...current.branding, ...branding }).filter(([, value]) => value !== null),
      ),
    });
    // Rules across fields (origins against rpId), named by their path in the body like the body's own checks.
    if (!settings.success)
      throw ApiError.invalidFields(
        settings.error.issues.map((issue) =>
          fieldError(fieldPath(['settings', ...issue.path]), 'msg_field_invalid', issue.message),
        ),
      );
    const row = await this.projects.update(project.id, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      settings: settings.data,
    });
    await this.cache.invalidate(row.slug);
    return this.toProject(row);
  }

  /** Deletes a project with everything in it: identities, applications, keys, flows, mail, audit log. */
  async remove(project: Project): Promise<void> {
    await this.projects.delete(project.id);
    await this.cache.invalidate(project.slug);
  }

  private toProject(row: ProjectRow): Project {
    return {
      id: row.id,
      slug: row.slug,
      name: row.name,
      issuer: this.issuerOf(row.slug),
      // Stored settings are merged over today's defaults, so new settings get secure values.
      settings: ProjectSettings.parse(row.settings ?? {}),
    };
  }
}
