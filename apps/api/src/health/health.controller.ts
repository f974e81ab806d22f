import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PrismaClient } from '../generated/prisma/client';
import { DATABASE } from '../prisma/prisma.module';
import type { Database } from '../database/database';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly prisma: PrismaClient,
    @Inject(DATABASE) private readonly db: Database,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and database reachability' })
  async health(): Promise<{ status: 'ok'; database: string }> {
    await this.prisma.$queryRaw`SELECT 1`;
    return { status: 'ok', database: this.db.kind };
  }
}
