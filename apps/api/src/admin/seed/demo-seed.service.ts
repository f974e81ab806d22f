import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationsService } from '../../domain/applications/applications.service';
import { KEYWAY_CONFIG, type KeywayConfig } from '../../infra/config/config';
import { IdentitiesService } from '../identities/identities.service';
import { ProjectsService } from '../../domain/projects/projects.service';

const DEMO = {
  project: 'demo',
  clientId: 'demo-native-app',
  redirectUri: 'com.keyway.demo:/oauth2redirect',
  email: 'demo@keyway.local',
} as const;

/**
 * Seeds the demo project on the embedded database: a public app-native client and a demo user whose
 * password is generated once (kept in the data dir) and printed at every start.
 */
@Injectable()
export class DemoSeedService {
  private readonly logger = new Logger('DemoSeed');

  constructor(
    @Inject(KEYWAY_CONFIG) private readonly config: KeywayConfig,
    private readonly projects: ProjectsService,
    private readonly applications: ApplicationsService,
    private readonly identities: IdentitiesService,
  ) {}

  async seed(): Promise<{ issuer: string; email: string; password: string }> {
    const password = this.demoPassword();
    const project =
      (await this.projects.findBySlug(DEMO.project)) ??
      (await this.projects.create({ slug: DEMO.project, name: 'Demo' }));
    if (!(await this.applications.findByClientId(project.id, DEMO.clientId))) {
      await this.applications.create(project.id, {
        clientId: DEMO.clientId,
        name: 'Demo native app',
        type: 'public',
        redirectUris: [DEMO.redirectUri],
        grantTypes: ['authorization_code', 'refresh_token'],
        appNative: true,
      });
    }
    if ((await this.identities.search(project.id, { limit: 1 })).items.length === 0) {
      await this.identities.create(
        project.id,
        { email: DEMO.email, name: 'Demo User' },
        { password: { value: password } },
      );
      this.logger.log(`Seeded demo project '${DEMO.project}'`);
    }
    return { issuer: project.issuer, email: DEMO.email, password };
  }

  private demoPassword(): string {
    const file = path.join(this.config.dataDir, 'demo-password');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    const password = randomBytes(12).toString('base64url');
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}
