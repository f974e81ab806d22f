import { Module } from '@nestjs/common';
import { ApplicationsModule } from '../../domain/applications/applications.module';
import { AuthenticatorsModule } from './authenticators.module';
import { IdentitiesModule } from '../../domain/identities/identities.module';
import { AuthenticatorRegistry } from './authenticator.registry';
import { FlowEngine } from './flow-engine.service';
import { FlowStoreModule } from '../../domain/flows/flow-store.module';
import { LoginFlowValidator } from './login-flow.validator';
import { StepOptionsResolver } from './step-options';
import { SessionsModule } from '../../domain/sessions/sessions.module';
import { PrivilegedWindowGate } from './privileged-window.gate';
import { STEP_GATES, type StepGate } from '../../domain/flows/step-gate';

@Module({
  imports: [AuthenticatorsModule, ApplicationsModule, FlowStoreModule, IdentitiesModule, SessionsModule],
  providers: [
    AuthenticatorRegistry,
    StepOptionsResolver,
    FlowEngine,
    LoginFlowValidator,
    PrivilegedWindowGate,
    // The gates flow definitions name (FlowDefinition.gate); register a new one here.
    { provide: STEP_GATES, inject: [PrivilegedWindowGate], useFactory: (...gates: StepGate[]) => gates },
  ],
  exports: [FlowEngine, LoginFlowValidator],
})
export class FlowsModule {}
