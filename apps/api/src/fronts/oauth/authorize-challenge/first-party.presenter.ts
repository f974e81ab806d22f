import { HttpStatus, Injectable } from '@nestjs/common';
import type { AuthorizationChallengeResponse, FlowMessage, NextStep } from '@keyway/flow-types';
import type { RequestContext } from '../../../infra/http/request-context';
import type { FlowOutcome } from '../../../flows/engine/flow-engine.service';
import type { Project } from '../../../domain/projects/projects.service';
import { AuthorizationResponseService } from '../../../domain/grants/authorization-response.service';

/** What the authorization challenge endpoint answers: an HTTP status and its JSON body. */
export interface ChallengeAnswer {
  status: number;
  body: AuthorizationChallengeResponse;
}

/**
 * Renders flow outcomes in the First-Party Apps wire format (draft-ietf-oauth-first-party-apps-04 §5.2):
 * - SUCCESS_COMPLETED → 200 `{authorization_code}`;
 * - INCOMPLETE → 403 `insufficient_authorization` with `auth_session` and `next_step`, the app-native step
 *   object (an extension member; the draft leaves the description of the next step to the server);
 * - FAIL_INCOMPLETE (wrong password or code) → 400 `access_denied` (§5.2.2: incorrect data is a 400; RFC 6749
 *   §4.1.2.1: the server denied the request) with the same `auth_session`, so the client retries, and
 *   `next_step` carrying the messages (`remainingAttempts`);
 * - FAIL_COMPLETED (locked, too many failures) → 400 `access_denied` with `messages` and no `auth_session`:
 *   the flow is dead and its auth_session answers `invalid_session` from now on;
 * - a step no option of which can run in the app (all REDIRECTION_PROMPT) → 403 `redirect_to_web`.
 */
@Injectable()
export class FirstPartyPresenter {
  constructor(private readonly authorizationResponse: AuthorizationResponseService) {}

  async present(
    project: Project,
    outcome: FlowOutcome,
    authSession: string,
    client?: RequestContext,
  ): Promise<ChallengeAnswer> {
    switch (outcome.status) {
      case 'SUCCESS_COMPLETED': {
        const { code } = await this.authorizationResponse.issue(project, outcome.flow, client);
        return { status: HttpStatus.OK, body: { authorization_code: code } };
      }
      case 'FAIL_COMPLETED':
        return {
          status: HttpStatus.BAD_REQUEST,
          body: {
            error: 'access_denied',
            error_description: describe(outcome.messages, 'The login failed; start again.'),
            messages: outcome.messages,
          },
        };
      default:
        return presentStep(outcome.status, outcome.nextStep, authSession);
    }
  }
}

/** The answer for a step the user still has to complete (exported for its unit tests). */
export function presentStep(
  status: 'INCOMPLETE' | 'FAIL_INCOMPLETE',
  nextStep: NextStep,
  authSession: string,
): ChallengeAnswer {
  if (requiresBrowser(nextStep)) {
    // §5.2.2.1.1: a request_uri may only be returned when PKCE was sent, and only once PAR (RFC 9126)
    // exists here; it does not yet. Without one, the client starts a new authorization code flow with
    // PKCE at the authorization endpoint, which is what the draft prescribes in that case.
    return {
      status: HttpStatus.FORBIDDEN,
      body: {
        error: 'redirect_to_web',
        error_description:
          'This step cannot be completed in the app; continue in a browser at the authorization endpoint.',
      },
    };
  }
  if (status === 'FAIL_INCOMPLETE') {
    return {
      status: HttpStatus.BAD_REQUEST,
      body: {
        error: 'access_denied',
        error_description: describe(nextStep.messages ?? [], 'The answer was not accepted; try again.'),
        auth_session: authSession,
        next_step: nextStep,
      },
    };
  }
  return {
    status: HttpStatus.FORBIDDEN,
    body: {
      error: 'insufficient_authorization',
      error_description: 'More authentication is required; answer next_step and send it with auth_session.',
      auth_session: authSession,
      next_step: nextStep,
    },
  };
}

/**
 * True when no option of the step can run natively: each needs the browser (REDIRECTION_PROMPT, e.g. a
 * federated IdP in redirect mode). A step that also offers a native option is presented as usual. Options
 * of a MULTI_OPTIONS_PROMPT that are shown before initiation carry no promptType and count as native; if one
 * turns out to redirect once selected, its AUTHENTICATOR_PROMPT is caught here then.
 */
export function requiresBrowser(nextStep: NextStep): boolean {
  return nextStep.authenticators.every((option) => option.metadata.promptType === 'REDIRECTION_PROMPT');
}

/** §5.2.2: error_description is ASCII without '"' and '\'. */
function describe(messages: FlowMessage[], fallback: string): string {
  const text = messages.map((message) => message.message).join(' ') || fallback;
  return text.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, ' ');
}
