import { Logger } from '@nestjs/common';
import type { Logger as Pino } from 'pino';
import { createApp } from './app.factory';
import { createRootLogger } from './infra/logging/logging';
import { loadConfig } from './infra/config/config';
import { DemoSeedService } from './admin/seed/demo-seed.service';
import { SystemProjectService } from './admin/system/system-project.service';
import { parseCommand } from './cli';
import { limitHeapGrowth } from './infra/runtime/heap-growth';

let root: Pino | undefined;

async function main(): Promise<void> {
  const command = parseCommand(process.argv.slice(2));
  const config = loadConfig();
  limitHeapGrowth(config.heapGrowthPercent);
  root = createRootLogger(config);
  const app = await createApp(config, root);
  const system = await app.get(SystemProjectService).ensure();
  if (command.name === 'create-owner') {
    // A command, not a server: the owner is made (or promoted) and the process ends.
    const { password } = await app
      .get(SystemProjectService)
      .createOwner(system.project, command.email, command.password);
    process.stdout.write(
      password && !command.password
        ? `Owner ${command.email} created; password: ${password}\n`
        : `${command.email} is an owner of this instance.\n`,
    );
    await app.close();
    return;
  }
  const demo = config.seedDemo ? await app.get(DemoSeedService).seed() : undefined;
  await app.listen(config.port, config.host);

  const logger = new Logger('Keyway');
  logger.log(
    `API listening on ${config.publicUrl} (database: ${config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`})`,
  );
  logger.log(`OpenAPI: ${config.publicUrl}/api/docs`);
  if (config.adminTokenGenerated)
    logger.log(`Admin API token (generated, kept in ${config.dataDir}/admin-token): ${config.adminToken}`);
  logger.log(`Console: ${config.console.url}`);
  if (system.firstOwner)
    logger.log(`Console owner: ${system.firstOwner.email}  password: ${system.firstOwner.password}`);
  if (demo) {
    logger.log(
      `Demo issuer: ${demo.issuer}  client_id: demo-native-app  redirect_uri: com.keyway.demo:/oauth2redirect`,
    );
    logger.log(`Demo user: ${demo.email}  password: ${demo.password}`);
  }
}

main().catch((error: unknown) => {
  // In the configured format (one JSON line for collectors), even when the configuration is what failed.
  const format =
    process.env['KEYWAY_LOG_FORMAT'] === 'pretty' ||
    (process.env['KEYWAY_LOG_FORMAT'] !== 'json' && process.stdout.isTTY)
      ? 'pretty'
      : 'json';
  const logger = root ?? createRootLogger({ logLevel: 'info', logFormat: format });
  logger.fatal({ err: error }, 'Keyway failed to start');
  logger.flush(() => process.exit(1));
});
