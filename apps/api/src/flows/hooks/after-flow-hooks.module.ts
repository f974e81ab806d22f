import { Global, Module } from '@nestjs/common';
import { AFTER_FLOW_HOOKS, AfterFlowHooks, type AnyAfterFlowHook } from '../../domain/flows/after-flow-hooks';
import { EmailModule } from '../../domain/email/email.module';
import { SessionsModule } from '../../domain/sessions/sessions.module';
import { FlowStoreModule } from '../../domain/flows/flow-store.module';
import { VerificationMailModule } from '../verification/verification-mail.module';
import { NewDeviceAlertHook } from './new-device-alert.hook';
import {
  PasswordChangedNotice,
  RecoveryPasswordNoticeHook,
  SettingsPasswordNoticeHook,
} from './password-changed-notice.hook';
import { RevokeOtherSessionsAfterPasswordChangeHook, RevokeSessionsAfterRecoveryHook } from './revoke-sessions.hook';
import { VerifyNewEmailHook } from './verify-new-email.hook';
import { WelcomeMailHook } from './welcome-mail.hook';

/**
 * Every after-flow hook. Register a new one here (and only here); an event's hooks run in this order, in the
 * flow's transaction (domain/flows/after-flow-hooks.ts).
 */
const HOOK_CLASSES = [
  WelcomeMailHook,
  RevokeSessionsAfterRecoveryHook,
  RecoveryPasswordNoticeHook,
  RevokeOtherSessionsAfterPasswordChangeHook,
  SettingsPasswordNoticeHook,
  VerifyNewEmailHook,
  NewDeviceAlertHook,
];

/**
 * Global, imported once by AppModule: domain/grants (below flows/) runs the `login.completed` hooks, and a
 * domain module may not import this one; the executor reaches it through DI instead.
 */
@Global()
@Module({
  imports: [EmailModule, SessionsModule, FlowStoreModule, VerificationMailModule],
  providers: [
    ...HOOK_CLASSES,
    PasswordChangedNotice,
    { provide: AFTER_FLOW_HOOKS, inject: HOOK_CLASSES, useFactory: (...hooks: AnyAfterFlowHook[]) => hooks },
    AfterFlowHooks,
  ],
  exports: [AfterFlowHooks],
})
export class AfterFlowHooksModule {}
