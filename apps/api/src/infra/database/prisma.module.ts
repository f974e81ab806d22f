import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { KEYWAY_CONFIG, type KeywayConfig } from '../config/config';
import { openDatabase, type Database } from './database';
import { PrismaClient } from '../../generated/prisma/client';
import { DatabaseNotifications } from './database-notifications';
import { PreparedSql } from './prepared-sql';

export const DATABASE = Symbol('DATABASE');

/** Opens the database (PGlite or PostgreSQL), applies pending migrations, and provides PrismaClient. */
@Global()
@Module({
  providers: [
    {
      provide: DATABASE,
      inject: [KEYWAY_CONFIG],
      useFactory: (config: KeywayConfig): Promise<Database> => {
        const logger = new Logger('Database');
        return openDatabase({
          databaseUrl: config.databaseUrl,
          dataDir: config.dataDir,
          timeouts: config.database,
          logger: { log: (m) => logger.log(m), warn: (m) => logger.warn(m) },
        });
      },
    },
    { provide: PrismaClient, inject: [DATABASE], useFactory: (db: Database) => db.prisma },
    { provide: PreparedSql, inject: [DATABASE], useFactory: (db: Database) => db.sql },
    DatabaseNotifications,
  ],
  exports: [PrismaClient, PreparedSql, DATABASE, DatabaseNotifications],
})
export class PrismaModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}
