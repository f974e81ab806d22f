import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../applications/applications.module';
import { AuthenticatorsModule } from '../authenticators/authenticators.module';
import { AuthenticatorRegistry } from './authenticator.registry';
import { FlowEngine } from './flow-engine.service';
import { FlowsRepository } from './flows.repository';
import { LoginFlowValidator } from './login-flow.validator';
import { StepOptionsResolver } from './step-options';

@Module({
  imports: [AuthenticatorsModule, ApplicationsModule],
  providers: [FlowsRepository, AuthenticatorRegistry, StepOptionsResolver, FlowEngine, LoginFlowValidator],
  exports: [FlowEngine, LoginFlowValidator],
})
export class FlowsModule {}
