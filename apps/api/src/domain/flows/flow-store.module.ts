import { Module } from '@nestjs/common';
import { FlowStore } from './flow.store';

/** FlowStore on its own: the authenticators (email OTP) write flows too, and FlowsModule imports them. */
@Module({ providers: [FlowStore], exports: [FlowStore] })
export class FlowStoreModule {}
