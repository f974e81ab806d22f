'use client';

import { AdminApiError } from '@keyway/admin-client';
import type { FlowMessage, NextStep } from '@keyway/flow-types';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useConsoleApi } from '../../lib/console-api';
import { SignInState, type SignInStepBody } from '../../lib/console-wire';
import { Alert, Button, Spinner } from '../ui';
import { FlowMessages } from './flow-messages';
import { FlowStep } from './flow-step';

type View =
  | { kind: 'starting' }
  | { kind: 'step'; step: NextStep; serial: number }
  | { kind: 'failed'; messages: FlowMessage[] }
  | { kind: 'broken'; reason: string }
  | { kind: 'signed-in' };

/**
 * Signing in to the console: the console's server runs Keyway's app-native flow for the `keyway-console`
 * client and hands this page each step to render; nothing here knows which steps the flow has.
 */
export function SignIn({ returnTo, username }: { returnTo: string; username?: string | undefined }) {
  const api = useConsoleApi();
  const [view, setView] = useState<View>({ kind: 'starting' });
  const [busy, setBusy] = useState(false);
  /** A refused answer that leaves the step as it was (a missing field, a rate limit). */
  const [notice, setNotice] = useState<string>();
  /** What the user typed as who they are, filled in again on the next step; first the address the page was given. */
  const remembered = useRef<Record<string, string>>(username ? { username, email: username } : {});
  const serial = useRef(0);
  const started = useRef(false);

  const show = useCallback(
    (state: SignInState) => {
      setNotice(undefined);
      if (state.status === 'signed-in') {
        setView({ kind: 'signed-in' });
        // A full navigation: the console's pages are rendered for the session the cookie now names.
        window.location.assign(state.returnTo || returnTo);
      } else if (state.status === 'failed') setView({ kind: 'failed', messages: state.messages });
      else setView({ kind: 'step', step: state.nextStep, serial: ++serial.current });
    },
    [returnTo],
  );

  const start = useCallback(async () => {
    setView({ kind: 'starting' });
    setNotice(undefined);
    try {
      show(SignInState.parse(await api.post('/api/auth/sign-in', { returnTo })));
    } catch (error) {
      setView({ kind: 'broken', reason: reasonOf(error) });
    }
  }, [api, returnTo, show]);

  useEffect(() => {
    if (started.current) return; // StrictMode runs effects twice in development; one flow is enough
    started.current = true;
    void start();
  }, [start]);

  async function answer(selected: SignInStepBody) {
    for (const [name, value] of Object.entries(selected.params ?? {}))
      if (name === 'username' || name === 'email') remembered.current[name] = value;
    setBusy(true);
    try {
      show(SignInState.parse(await api.post('/api/auth/sign-in/step', selected)));
    } catch (error) {
      // The flow is gone at the API (expired, finished elsewhere): only a new one helps.
      if (error instanceof AdminApiError && error.body.code === 'FLW-60001')
        setView({ kind: 'broken', reason: error.message });
      else setNotice(reasonOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div aria-busy={view.kind === 'starting' || busy} className="space-y-5">
      {notice && <Alert tone="error">{notice}</Alert>}
      {view.kind === 'starting' && <Spinner label="Preparing sign-in…" />}
      {view.kind === 'signed-in' && <Spinner label="Signed in. Opening the console…" />}
      {view.kind === 'step' && (
        <FlowStep
          key={view.serial}
          step={view.step}
          busy={busy}
          remembered={remembered.current}
          onAnswer={(selected) => void answer(selected)}
        />
      )}
      {view.kind === 'failed' && (
        <>
          <FlowMessages messages={view.messages} />
          <Button className="w-full" onClick={() => void start()}>
            Start again
          </Button>
        </>
      )}
      {view.kind === 'broken' && (
        <>
          <Alert tone="error" title="Signing in is not possible right now">
            {view.reason}
          </Alert>
          <Button className="w-full" onClick={() => void start()}>
            Try again
          </Button>
        </>
      )}
    </div>
  );
}

function reasonOf(error: unknown): string {
  if (error instanceof AdminApiError) return error.message;
  return 'The console could not be reached. Check your connection and try again.';
}
