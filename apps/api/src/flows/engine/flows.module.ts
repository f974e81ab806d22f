import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../../domain/applications/applications.module';
import { AuthenticatorsModule } from './authenticators.module';
import { AuthenticatorRegistry } from './authenticator.registry';
import { FlowEngine } from './flow-engine.service';
import { FlowsRepository } from '../../domain/flows/flows.repository';
import { LoginFlowValidator } from './login-flow.validator';
import { StepOptionsResolver } from './step-options';

@Module({
  imports: [AuthenticatorsModule, ApplicationsModule],
  providers: [FlowsRepository, AuthenticatorRegistry, StepOptionsResolver, FlowEngine, LoginFlowValidator],
  exports: [FlowEngine, LoginFlowValidator],
})
export class FlowsModule {}
