import { Module } from '@nestjs/common';
import { AccessModule } from '../../domain/access/access.module';
import { InvitationLinksController } from './invitation-links.controller';

/** The invitation links (public, rate-limited): the console's invite page looks them up and accepts them. */
@Module({ imports: [AccessModule], controllers: [InvitationLinksController] })
export class InvitationLinksModule {}
