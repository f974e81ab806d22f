import { Module } from '@nestjs/common';
import { IdentitiesModule } from '../identities/identities.module';
import { LockoutService } from './lockout.service';

@Module({ imports: [IdentitiesModule], providers: [LockoutService], exports: [LockoutService] })
export class LockoutModule {}
