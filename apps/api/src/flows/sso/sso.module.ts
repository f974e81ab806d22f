import { Module } from '@nestjs/common';
import { SessionsModule } from '../../domain/sessions/sessions.module';
import { FlowsModule } from '../engine/flows.module';
import { SingleSignOn } from './single-sign-on.service';

/** Single sign-on: which authorization requests an existing session answers (hosted and app-native fronts). */
@Module({
  imports: [FlowsModule, SessionsModule],
  providers: [SingleSignOn],
  exports: [SingleSignOn],
})
export class SsoModule {}
