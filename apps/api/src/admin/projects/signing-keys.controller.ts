import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SigningKeyView } from '@keyway/admin-api';
import { z } from 'zod';
import type { AdminPrincipal } from '../../domain/access/access.service';
import { AuditService } from '../../domain/audit/audit.service';
import { SIGNING_ALGS } from '../../domain/keys/signing-key-lifecycle';
import { SigningKeysService, type SigningKeyInfo } from '../../domain/keys/signing-keys.service';
import type { Project } from '../../domain/projects/projects.service';
import { DocumentedResponse } from '../../infra/http/documented-response';
import { JsonBody } from '../../infra/http/zod-pipes';
import { actorOf } from '../auth/actor';
import { AdminAuth } from '../auth/admin-auth.decorator';
import { AdminProject } from '../auth/admin-project.pipe';
import { CurrentPrincipal, RequirePermission } from '../auth/require-permission';
import { RotateSigningKeysBody } from './projects.dto';

const schema = (s: z.ZodType): object => z.toJSONSchema(s, { io: 'input' }) as object;

/** A project's signing keys and their rotation (docs/signing-keys.md); project settings' permissions. */
@ApiTags('admin: projects')
@AdminAuth()
@Controller('api/admin/v1/projects/:slug/signing-keys')
export class SigningKeysAdminController {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @RequirePermission('projects.read')
  @DocumentedResponse(z.array(SigningKeyView))
  @ApiOperation({ summary: 'List the published signing keys (next, active, retiring); never private material' })
  async list(@AdminProject() project: Project): Promise<SigningKeyView[]> {
    return (await this.keys.list(project.id)).map(signingKeyView);
  }

  @Post('rotate')
  @HttpCode(200)
  @RequirePermission('projects.write')
  @DocumentedResponse(z.array(SigningKeyView))
  @ApiOperation({
    summary:
      'Rotate signing keys (one alg, or all when alg is left out): the next key signs, the active one retires once every token it signed has expired, a new next key is published. 409 while the next key is younger than the JWKS cache lifetime',
  })
  @ApiBody({ schema: schema(RotateSigningKeysBody) })
  async rotate(
    @AdminProject() project: Project,
    @JsonBody(RotateSigningKeysBody) body: RotateSigningKeysBody,
    @CurrentPrincipal() principal: AdminPrincipal,
  ): Promise<SigningKeyView[]> {
    const algs = body.alg ? [body.alg] : SIGNING_ALGS;
    const before = await this.keys.list(project.id);
    const keys = await this.keys.rotate(project.id, algs, project.settings);
    const kids = (status: string, list: SigningKeyInfo[]) =>
      list.filter((key) => algs.includes(key.alg) && key.status === status).map((key) => key.kid);
    await this.audit.record('signing_keys.rotated', {
      projectId: project.id,
      ...actorOf(principal),
      target: { type: 'project', id: project.slug },
      data: {
        algs: [...algs],
        retiring: kids('active', before),
        active: kids('active', keys),
        next: kids('next', keys),
      },
    });
    return keys.map(signingKeyView);
  }
}

const signingKeyView = ({
  kid,
  alg,
  use,
  status,
  createdAt,
  activatedAt,
  retiresAt,
}: SigningKeyInfo): SigningKeyView => ({
  kid,
  alg,
  use,
  status,
  createdAt: createdAt.toISOString(),
  activatedAt: activatedAt?.toISOString() ?? null,
  retiresAt: retiresAt?.toISOString() ?? null,
});
