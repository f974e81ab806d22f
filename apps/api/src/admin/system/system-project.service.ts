import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AccessRepository } from '../../domain/access/access.repository';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { IdentitiesRepository } from '../../domain/identities/identities.repository';
import { ProjectsService, type Project } from '../../domain/projects/projects.service';
import { CONSOLE_CLIENT_ID, SYSTEM_PROJECT_SLUG } from '../../domain/projects/system-project';
import { isWebAuthnOrigin } from '../../domain/projects/project-settings';
import { normaliseIdentifier } from '../../domain/schemas/identity-traits';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { IdentitiesService } from '../identities/identities.service';

/** The first owner on the embedded default (printed at start, like the demo user). */
const DEFAULT_OWNER_EMAIL = 'owner@keyway.local';

/**
 * Keyway signs its own staff in: the console's users are identities of the system project, and the console's
 * server is a confidential app-native client of it. Created at every start if missing (like any project:
 * its own issuer, keys and default schema); the console client's secret follows the configuration.
 */
@Injectable()
export class SystemProjectService {
  private readonly logger = new Logger('SystemProject');

  constructor(
    @Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig,
    private readonly projects: ProjectsService,
    private readonly applications: ApplicationsService,
    private readonly identities: IdentitiesService,
    private readonly identityRows: IdentitiesRepository,
    private readonly access: AccessRepository,
  ) {}

  /**
   * The system project and the console client, as configured. On the embedded default, also the first owner
   * (returned with its password, to print); with PostgreSQL, `create-owner` makes one.
   */
  async ensure(): Promise<{ project: Project; firstOwner?: { email: string; password: string } }> {
    let project =
      (await this.projects.findBySlug(SYSTEM_PROJECT_SLUG)) ??
      (await this.projects.create({ slug: SYSTEM_PROJECT_SLUG, name: 'Keyway console' }, { system: true }));
    // Console users sign in with passkeys on the console's pages, not the API's: bind the system project's
    // relying party to the console's host and origin, once (passkeys are bound to the RP ID: never moved later).
    const { rpId, origins } = project.settings.webauthn;
    const consoleUrl = new URL(this.config.console.url);
    if (rpId === undefined && origins === undefined) {
      // Browsers allow WebAuthn on https pages and http://localhost only, and never for an IP address.
      if (isWebAuthnOrigin(consoleUrl.origin) && !/^(\d+\.){3}\d+$|^\[/.test(consoleUrl.hostname))
        project = await this.projects.update(project, {
          settings: { webauthn: { rpId: consoleUrl.hostname, origins: [consoleUrl.origin] } },
        });
      else this.logger.warn(`Passkeys cannot work in the console at ${consoleUrl.origin}: serve it over https.`);
    }
    const redirectUris = [`${this.config.console.url}/auth/callback`];
    const consoleClient = await this.applications.findByClientId(project.id, CONSOLE_CLIENT_ID);
    if (!consoleClient) {
      await this.applications.create(project.id, {
        clientId: CONSOLE_CLIENT_ID,
        name: 'Keyway console',
        type: 'confidential',
        redirectUris,
        grantTypes: ['authorization_code', 'refresh_token'],
        appNative: true,
        // Password or passkey; an instance owner can require a second factor by editing this project's login flow.
        loginFlow: [['BasicAuthenticator', 'FIDOAuthenticator']],
      });
    } else if (consoleClient.redirectUris.join() !== redirectUris.join()) {
      await this.applications.update(project.id, CONSOLE_CLIENT_ID, { redirectUris });
    }
    await this.applications.setClientSecret(project.id, CONSOLE_CLIENT_ID, this.config.console.clientSecret);

    if (this.config.databaseUrl || (await this.access.countMembersWithRole(project.id, 'owner')) > 0) {
      if (this.config.databaseUrl && (await this.access.countMembersWithRole(project.id, 'owner')) === 0)
        this.logger.warn('The console has no owner yet: run `npm run keyway -- create-owner --email <address>`.');
      return { project };
    }
    const password = this.ownerPassword();
    await this.createOwner(project, DEFAULT_OWNER_EMAIL, password);
    return { project, firstOwner: { email: DEFAULT_OWNER_EMAIL, password } };
  }

  /**
   * An instance owner: a console user (created, or found by its email) that owns the system project and so
   * every project. Returns the password it signs in with, generated when none is given (undefined when the
   * user existed already and keeps its own).
   */
  async createOwner(project: Project, email: string, password?: string): Promise<{ password?: string }> {
    const existing = await this.identityRows.findPasswordLogin(project.id, normaliseIdentifier(email));
    let identityId = existing?.identity.id;
    let chosen = password;
    if (!identityId) {
      chosen ??= randomBytes(12).toString('base64url');
      const identity = await this.identities.create(project.id, { email }, { password: { value: chosen } });
      identityId = identity.id;
    }
    await this.access.upsertMembership(undefined, project.id, identityId, 'owner');
    this.logger.log(`Instance owner: ${email}`);
    return existing ? {} : { password: chosen as string };
  }

  private ownerPassword(): string {
    const file = path.join(this.config.dataDir, 'owner-password');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    const password = randomBytes(12).toString('base64url');
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}
