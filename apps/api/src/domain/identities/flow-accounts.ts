import { Injectable } from '@nestjs/common';
import { ApiError, ErrorCodes } from '../../infra/http/errors';
import type { CompiledIdentitySchema } from '../schemas/identity-schema';
import { IdentitySchemasService } from '../schemas/identity-schemas.service';
import { IdentitiesRepository, type IdentityAccount } from './identities.repository';

/** The account a flow bound to an identity acts on (settings), with the schema version its traits follow. */
export interface FlowAccount extends IdentityAccount {
  schema: CompiledIdentitySchema;
}

/**
 * The account of a flow, read once per flow record: the settings menu's options all look at it (which
 * credentials exist, the traits), and the engine replaces the record on every write, so a change an option
 * made is never served stale to the next presentation.
 */
@Injectable()
export class FlowAccounts {
  private readonly loaded = new WeakMap<object, Promise<FlowAccount>>();

  constructor(
    private readonly identities: IdentitiesRepository,
    private readonly schemas: IdentitySchemasService,
  ) {}

  of(projectId: string, flow: { identityId: string | null }): Promise<FlowAccount> {
    let account = this.loaded.get(flow);
    if (!account) {
      account = this.read(projectId, flow.identityId);
      this.loaded.set(flow, account);
    }
    return account;
  }

  private async read(projectId: string, identityId: string | null): Promise<FlowAccount> {
    const account = identityId ? await this.identities.findAccount(projectId, identityId) : undefined;
    // Deleted while its flow ran: the flow is as gone as the account.
    if (!account) throw ApiError.badRequest('The account of this flow no longer exists.', ErrorCodes.FLOW_INVALID_ID);
    const schema = (await this.schemas.resolve(projectId, account.schemaVersion)).compiled;
    return { ...account, schema };
  }
}
