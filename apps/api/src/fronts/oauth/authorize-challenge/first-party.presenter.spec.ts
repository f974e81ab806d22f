import type { AuthenticatorOption, NextStep } from '@keyway/flow-types';
import { AuthorizationChallengeErrorResponse } from '@keyway/flow-types';
import type { FlowRecord } from '../../../domain/flows/flow';
import type { Project } from '../../../domain/projects/projects.service';
import { FirstPartyPresenter, presentStep, requiresBrowser } from './first-party.presenter';

const native: AuthenticatorOption = {
  authenticatorId: 'QmFzaWNBdXRoZW50aWNhdG9yOkxPQ0FM',
  authenticator: 'Username & Password',
  idp: 'LOCAL',
  metadata: { i18nKey: 'authenticator.basic', promptType: 'USER_PROMPT' },
  requiredParams: ['username', 'password'],
};
/** A federated option in redirect mode, as the WSO2 reference presents one (no such authenticator exists yet). */
const redirecting: AuthenticatorOption = {
  authenticatorId: 'R29vZ2xlT0lEQ0F1dGhlbnRpY2F0b3I6R29vZ2xl',
  authenticator: 'Google',
  idp: 'Google',
  metadata: {
    i18nKey: 'authenticator.google',
    promptType: 'REDIRECTION_PROMPT',
    additionalData: { redirectUrl: 'https://accounts.example/auth', state: 's' },
  },
  requiredParams: ['code', 'state'],
};
/** An option of a MULTI_OPTIONS_PROMPT that is shown before initiation: only id, name and i18nKey. */
const uninitiated: AuthenticatorOption = {
  authenticatorId: 'RklET0F1dGhlbnRpY2F0b3I6TE9DQUw',
  authenticator: 'Passkey',
  idp: 'LOCAL',
  metadata: { i18nKey: 'authenticator.fido' },
};

const step = (...authenticators: AuthenticatorOption[]): NextStep => ({
  stepType: authenticators.length === 1 ? 'AUTHENTICATOR_PROMPT' : 'MULTI_OPTIONS_PROMPT',
  authenticators: authenticators as [AuthenticatorOption, ...AuthenticatorOption[]],
});

describe('First-Party Apps presenter', () => {
  describe('requiresBrowser (redirect_to_web mapping)', () => {
    it('is true only when every option of the step is a REDIRECTION_PROMPT', () => {
      expect(requiresBrowser(step(redirecting))).toBe(true);
      expect(requiresBrowser(step(redirecting, { ...redirecting, authenticatorId: 'other' }))).toBe(true);
      expect(requiresBrowser(step(native))).toBe(false);
      expect(requiresBrowser(step(native, redirecting))).toBe(false);
      expect(requiresBrowser(step(uninitiated, redirecting))).toBe(false);
    });
  });

  describe('presentStep', () => {
    it('answers a step that cannot run natively with 403 redirect_to_web, without request_uri (no PAR yet) nor auth_session', () => {
      const answer = presentStep('INCOMPLETE', step(redirecting), 'session');
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({ error: 'redirect_to_web', error_description: expect.any(String) });
      expect(AuthorizationChallengeErrorResponse.parse(answer.body)).toBeTruthy();
    });

    it('answers a step to complete with 403 insufficient_authorization, the auth_session and the step object', () => {
      const nextStep = step(native);
      expect(presentStep('INCOMPLETE', nextStep, 'session')).toEqual({
        status: 403,
        body: {
          error: 'insufficient_authorization',
          error_description: expect.any(String),
          auth_session: 'session',
          next_step: nextStep,
        },
      });
    });

    it('answers a failed answer with 400 access_denied, the same auth_session and the messages', () => {
      const message = {
        type: 'ERROR' as const,
        messageId: 'msg_invalid_un_pw',
        message: 'Invalid "username" or password.',
        i18nKey: 'message.msg_invalid_un_pw',
        context: [{ key: 'remainingAttempts', value: '4' }],
      };
      const nextStep = { ...step(native), messages: [message] };
      const answer = presentStep('FAIL_INCOMPLETE', nextStep, 'session');
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        error: 'access_denied',
        error_description: 'Invalid  username  or password.',
        auth_session: 'session',
        next_step: nextStep,
      });
    });
  });

  it('answers a dead flow with 400 access_denied and its messages, and no auth_session', async () => {
    // A dead flow issues nothing, so the presenter never reaches the authorization response service.
    const presenter = new FirstPartyPresenter(null as never);
    const messages = [
      {
        type: 'ERROR' as const,
        messageId: 'msg_account_locked',
        message: 'The account is locked.',
        i18nKey: 'message.msg_account_locked',
      },
    ];
    const answer = await presenter.present(
      {} as Project,
      { status: 'FAIL_COMPLETED', flow: {} as FlowRecord, messages },
      'session',
    );
    expect(answer).toEqual({
      status: 400,
      body: { error: 'access_denied', error_description: 'The account is locked.', messages },
    });
  });
});
