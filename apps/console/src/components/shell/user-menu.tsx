'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useConsoleApi } from '../../lib/console-api';
import { useCaller } from '../../lib/queries';
import { Button } from '../ui';

/** Who is signed in (GET /me), and signing out. */
export function UserMenu() {
  const { data: caller, isPending } = useCaller();
  const api = useConsoleApi();
  const queryClient = useQueryClient();
  const [signingOut, setSigningOut] = useState(false);
  const [failed, setFailed] = useState(false);

  async function signOut() {
    setSigningOut(true);
    setFailed(false);
    try {
      await api.post('/api/auth/sign-out');
      queryClient.clear();
      window.location.assign('/sign-in');
    } catch {
      setFailed(true);
      setSigningOut(false);
    }
  }

  return (
    <div className="flex items-center gap-3">
      <div className="hidden text-right sm:block">
        <p className="text-sm font-medium" data-testid="signed-in-user">
          {caller?.name ?? (isPending ? '…' : '')}
        </p>
        {caller?.instanceOwner && <p className="text-xs text-zinc-500">Instance owner</p>}
      </div>
      <span
        aria-hidden="true"
        className="flex size-8 items-center justify-center rounded-full bg-zinc-900 text-sm font-medium text-white uppercase dark:bg-zinc-100 dark:text-zinc-900"
      >
        {caller?.name.slice(0, 1) ?? ''}
      </span>
      <Button variant="secondary" onClick={() => void signOut()} disabled={signingOut}>
        {signingOut ? 'Signing out…' : 'Sign out'}
      </Button>
      {failed && (
        <span role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          Sign-out failed: try again.
        </span>
      )}
    </div>
  );
}
