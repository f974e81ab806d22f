import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { loadConfig } from './config/config';
import { DemoSeedService } from './seed/demo-seed.service';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  const demo = config.seedDemo ? await app.get(DemoSeedService).seed() : undefined;
  await app.listen(config.port, config.host);

  const logger = new Logger('Keyway');
  logger.log(`API listening on ${config.publicUrl} (database: ${config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`})`);
  logger.log(`OpenAPI: ${config.publicUrl}/api/docs`);
  if (config.adminTokenGenerated) logger.log(`Admin API token (generated, kept in ${config.dataDir}/admin-token): ${config.adminToken}`);
  if (demo) {
    logger.log(`Demo issuer: ${demo.issuer}  client_id: demo-native-app  redirect_uri: com.keyway.demo:/oauth2redirect`);
    logger.log(`Demo user: ${demo.email}  password: ${demo.password}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
