import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../../domain/applications/applications.module';
import { AuthenticatorsModule } from './authenticators.module';
import { IdentitiesModule } from '../../domain/identities/identities.module';
import { AuthenticatorRegistry } from './authenticator.registry';
import { FlowEngine } from './flow-engine.service';
import { FlowStoreModule } from '../../domain/flows/flow-store.module';
import { LoginFlowValidator } from './login-flow.validator';
import { StepOptionsResolver } from './step-options';

@Module({
  imports: [AuthenticatorsModule, ApplicationsModule, FlowStoreModule, IdentitiesModule],
  providers: [AuthenticatorRegistry, StepOptionsResolver, FlowEngine, LoginFlowValidator],
  exports: [FlowEngine, LoginFlowValidator],
})
export class FlowsModule {}
