import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { KeywayMark } from '../../components/keyway-mark';
import { SignIn } from '../../components/sign-in/sign-in';
import { safeReturnPath } from '../../lib/console-wire';
import { hasSession } from '../../lib/server/sessions';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ returnTo?: string | string[]; email?: string | string[] }>;
}) {
  const { returnTo, email } = await searchParams;
  // `email`: who is expected to sign in (the invite page sends a new member here with theirs), filled in.
  const username = typeof email === 'string' && email.length <= 320 ? email : undefined;
  const target = safeReturnPath(typeof returnTo === 'string' ? returnTo : undefined);
  if (await hasSession()) redirect(target);

  return (
    <main className="flex min-h-screen flex-col items-center justify-center bg-gradient-to-b from-indigo-50/60 to-zinc-50 px-4 py-12 dark:from-indigo-950/30 dark:to-zinc-950">
      <div className="w-full max-w-sm">
        <div className="flex flex-col items-center text-center">
          <KeywayMark className="size-11" />
          <h1 className="mt-5 text-2xl font-semibold tracking-tight">Sign in to Keyway</h1>
          <p className="mt-1.5 text-sm text-zinc-500">The administration console of this Keyway instance</p>
        </div>
        <div className="mt-8 rounded-2xl border border-zinc-200 bg-white p-6 shadow-sm sm:p-8 dark:border-zinc-800 dark:bg-zinc-900">
          <SignIn returnTo={target} username={username} />
        </div>
        <p className="mt-6 text-center text-xs text-zinc-500">
          Console users are accounts of the <code className="font-mono">keyway-admin</code> project.
        </p>
      </div>
    </main>
  );
}
