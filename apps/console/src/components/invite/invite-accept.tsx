'use client';

import { InvitationLookup } from '@keyway/admin-api';
import { AdminApiError } from '@keyway/admin-client';
import Link from 'next/link';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useConsoleApi } from '../../lib/console-api';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, type InvitationAcceptBody } from '../../lib/invitation-wire';
import { Field } from '../common/page-parts';
import { fieldProblem } from '../members/access-parts';
import { RoleBadge } from '../shell/role-badge';
import { Alert, Button, inputClass, Spinner } from '../ui';

/** The API's answer for every token that opens no invitation: wrong, used, revoked or expired. */
const INVITATION_INVALID = 'KW-40001';

type View =
  | { kind: 'loading' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'ready'; invitation: InvitationLookup }
  | { kind: 'accepted'; invitation: InvitationLookup };

/**
 * Accepting an invitation to a project: the link's token is looked up (what it invites to), then accepted,
 * with a password for an address that has no console account yet. Then the new member signs in.
 */
export function InviteAccept({ token }: { token: string }) {
  const api = useConsoleApi();
  const [view, setView] = useState<View>({ kind: 'loading' });
  const started = useRef(false);

  const lookup = useCallback(async () => {
    if (!token) {
      setView({ kind: 'invalid', reason: 'This address has no invitation token: open the link from the mail again.' });
      return;
    }
    setView({ kind: 'loading' });
    try {
      setView({
        kind: 'ready',
        invitation: InvitationLookup.parse(await api.post('/api/invitations/lookup', { token })),
      });
    } catch (error) {
      setView(failure(error));
    }
  }, [api, token]);

  useEffect(() => {
    if (started.current) return; // StrictMode runs effects twice in development; one lookup is enough
    started.current = true;
    void lookup();
  }, [lookup]);

  switch (view.kind) {
    case 'loading':
      return <Spinner label="Opening your invitation…" />;
    case 'invalid':
      return (
        <div className="space-y-4 text-center">
          <h1 className="text-xl font-semibold tracking-tight">This invitation link does not work</h1>
          <Alert tone="error">{view.reason}</Alert>
          <p className="text-sm text-zinc-500">
            Invitation links work once, for 7 days. Ask whoever invited you to send a new invitation.
          </p>
          <Link href="/sign-in" className="inline-block text-sm font-medium text-indigo-600 hover:text-indigo-500">
            Already a member? Sign in
          </Link>
        </div>
      );
    case 'unavailable':
      return (
        <div className="space-y-4">
          <h1 className="text-xl font-semibold tracking-tight">Your invitation could not be opened</h1>
          <Alert tone="error">{view.reason}</Alert>
          <Button className="w-full" onClick={() => void lookup()}>
            Try again
          </Button>
        </div>
      );
    case 'accepted':
      return <Accepted invitation={view.invitation} />;
    case 'ready':
      return (
        <Invitation
          token={token}
          invitation={view.invitation}
          onAccepted={(invitation) => {
            // The token is spent: it leaves the address bar (and the history entry) with it.
            window.history.replaceState(null, '', '/invite');
            setView({ kind: 'accepted', invitation });
          }}
          onInvalid={(reason) => setView({ kind: 'invalid', reason })}
        />
      );
  }
}

function failure(error: unknown): View {
  if (error instanceof AdminApiError && error.body.code === INVITATION_INVALID)
    return { kind: 'invalid', reason: error.message };
  if (error instanceof AdminApiError && error.status === 429)
    return { kind: 'unavailable', reason: 'Too many attempts from here: wait a minute, then try again.' };
  if (error instanceof AdminApiError) return { kind: 'unavailable', reason: error.message };
  return { kind: 'unavailable', reason: 'The console could not be reached. Check your connection and try again.' };
}

type AcceptField = 'name' | 'password' | 'confirmation';

function Invitation({
  token,
  invitation,
  onAccepted,
  onInvalid,
}: {
  token: string;
  invitation: InvitationLookup;
  onAccepted: (invitation: InvitationLookup) => void;
  onInvalid: (reason: string) => void;
}) {
  const api = useConsoleApi();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [errors, setErrors] = useState<Partial<Record<AcceptField, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const newAccount = !invitation.existingUser;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(undefined);
    const local: Partial<Record<AcceptField, string>> = {};
    if (newAccount) {
      if (name.trim().length > 200) local.name = 'At most 200 characters.';
      if (password.length < PASSWORD_MIN_LENGTH) local.password = `At least ${PASSWORD_MIN_LENGTH} characters.`;
      else if (password.length > PASSWORD_MAX_LENGTH) local.password = `At most ${PASSWORD_MAX_LENGTH} characters.`;
      if (!local.password && confirmation !== password) local.confirmation = 'The two passwords differ.';
    }
    setErrors(local);
    if (Object.keys(local).length > 0) return;

    const body: InvitationAcceptBody = newAccount
      ? { token, password, ...(name.trim() ? { name: name.trim() } : {}) }
      : { token };
    setBusy(true);
    try {
      onAccepted(InvitationLookup.parse(await api.post('/api/invitations/accept', body)));
    } catch (error) {
      const outcome = failure(error);
      if (outcome.kind === 'invalid') return onInvalid(outcome.reason);
      const byField = {
        name: fieldProblem(error, 'name') ?? fieldProblem(error, 'traits'),
        password: fieldProblem(error, 'password'),
      };
      setErrors(byField);
      if (!byField.name && !byField.password)
        setFormError('reason' in outcome ? outcome.reason : 'The invitation could not be accepted.');
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate className="space-y-5">
      <div className="text-center">
        <h1 className="text-xl font-semibold tracking-tight">
          You’re invited to {invitation.projectName} as {invitation.role}
        </h1>
        <p className="mt-2 flex items-center justify-center gap-2 text-sm text-zinc-500">
          <span>{invitation.email}</span>
          <RoleBadge role={invitation.role} />
        </p>
      </div>
      {newAccount ? (
        <>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Choose a password for your new console account. You will sign in with{' '}
            <strong className="font-medium">{invitation.email}</strong> and this password.
          </p>
          <input type="email" autoComplete="username" value={invitation.email} readOnly hidden />
          <Field label="Your name (optional)" error={errors.name}>
            {(props) => (
              <input
                {...props}
                autoComplete="name"
                className={inputClass}
                value={name}
                onChange={(event) => setName(event.target.value)}
              />
            )}
          </Field>
          <Field
            label="Password"
            hint={`At least ${PASSWORD_MIN_LENGTH} characters (at most ${PASSWORD_MAX_LENGTH}). A long passphrase is best.`}
            error={errors.password}
          >
            {(props) => (
              <input
                {...props}
                type="password"
                autoComplete="new-password"
                className={inputClass}
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
            )}
          </Field>
          <Field label="Confirm password" error={errors.confirmation}>
            {(props) => (
              <input
                {...props}
                type="password"
                autoComplete="new-password"
                className={inputClass}
                value={confirmation}
                onChange={(event) => setConfirmation(event.target.value)}
              />
            )}
          </Field>
        </>
      ) : (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          You already have a console account with this address: accepting adds the project to it. Your password stays as
          it is.
        </p>
      )}
      {formError && <Alert tone="error">{formError}</Alert>}
      <Button type="submit" className="w-full" disabled={busy}>
        {busy ? 'Accepting…' : newAccount ? 'Create account and join' : 'Accept invitation'}
      </Button>
    </form>
  );
}

function Accepted({ invitation }: { invitation: InvitationLookup }) {
  const signIn = `/sign-in?email=${encodeURIComponent(invitation.email)}`;
  return (
    <div className="space-y-5 text-center" role="status">
      <div className="mx-auto flex size-11 items-center justify-center rounded-full bg-emerald-50 text-xl text-emerald-600 dark:bg-emerald-950">
        <span aria-hidden="true">✓</span>
      </div>
      <div>
        <h1 className="text-xl font-semibold tracking-tight">You’ve joined {invitation.projectName}</h1>
        <p className="mt-2 text-sm text-zinc-500">
          {invitation.email} is now {invitation.role} there.{' '}
          {invitation.existingUser ? 'Sign in as usual to get started.' : 'Sign in with your new password.'}
        </p>
      </div>
      <Link
        href={signIn}
        className="inline-flex w-full items-center justify-center rounded-lg bg-indigo-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
      >
        Sign in to the console
      </Link>
    </div>
  );
}
