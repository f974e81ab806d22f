import { Controller, Get, Header, HttpStatus, Inject, Logger, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Database } from '../../infra/database/database';
import { findMigrationsDir, readMigrations } from '../../infra/database/migrator';
import { describeUnavailable, RETRY_AFTER_SECONDS } from '../../infra/database/unavailable';
import { PrismaClient } from '../../generated/prisma/client';
import { DATABASE } from '../../infra/database/prisma.module';

export interface Readiness {
  status: 'ok' | 'unavailable';
  database: Database['kind'];
  /** Why not ready: the database did not answer, or its schema is not this build's. */
  reason?: string;
}

/**
 * Liveness (`/health/live`: the process answers; restart it if not) and readiness (`/health/ready`: the
 * database answers and has every migration of this build; send no traffic if not). `/health` is
 * readiness, as it always checked the database.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');
  /** Read once: the migrations this build applies at start-up. */
  private readonly migrations = readMigrations(findMigrationsDir()).map((migration) => migration.name);
  private wasReady: boolean | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    @Inject(DATABASE) private readonly db: Database,
  ) {}

  @Get('live')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process answers (no database access)' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers and is migrated (503 otherwise)' })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    return this.readiness(reply);
  }

  @Get()
  @ApiOperation({ summary: 'Same as /health/ready' })
  health(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    return this.readiness(reply);
  }

  private async readiness(reply: FastifyReply): Promise<Readiness> {
    const reason = await this.notReadyReason();
    // Probes ask every few seconds: log changes of state, not every answer.
    if ((reason === undefined) !== this.wasReady) {
      if (reason === undefined) this.logger.log('ready');
      else this.logger.warn(`not ready: ${reason}`);
      this.wasReady = reason === undefined;
    }
    void reply.header('cache-control', 'no-store');
    if (reason === undefined) return { status: 'ok', database: this.db.kind };
    void reply.status(HttpStatus.SERVICE_UNAVAILABLE).header('retry-after', String(RETRY_AFTER_SECONDS));
    return { status: 'unavailable', database: this.db.kind, reason };
  }

  private async notReadyReason(): Promise<string | undefined> {
    let applied: Array<{ migration_name: string }>;
    try {
      applied = await this.prisma.$queryRawUnsafe<Array<{ migration_name: string }>>(
        `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
      );
    } catch (error) {
      // A missing table is a database re-created empty; anything else, one that does not answer.
      const code = (error as { meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } } })
        .meta?.driverAdapterError?.cause;
      if (code?.kind === 'TableDoesNotExist' || code?.originalCode === '42P01')
        return 'the database has no migrations table (re-created empty?)';
      return `database not answering (${describeUnavailable(error)})`;
    }
    const done = new Set(applied.map((row) => row.migration_name));
    const missing = this.migrations.filter((name) => !done.has(name));
    return missing.length > 0 ? `${missing.length} migration(s) not applied, first ${missing[0]}` : undefined;
  }
}
