import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { AuthenticatorsModule } from '../authenticators/authenticators.module';
import { AuthenticatorRegistry } from './authenticator.registry';
import { FlowEngine } from './flow-engine.service';
import { FlowsRepository } from './flows.repository';
import { LoginFlowValidator } from './login-flow.validator';

@Module({
  imports: [AuthenticatorsModule, ApplicationsModule],
  providers: [FlowsRepository, AuthenticatorRegistry, FlowEngine, LoginFlowValidator],
  exports: [FlowEngine, LoginFlowValidator],
})
export class FlowsModule {}
