import type { Metadata } from 'next';
import { InviteAccept } from '../../components/invite/invite-accept';
import { KeywayMark } from '../../components/keyway-mark';

export const metadata: Metadata = {
  title: 'Accept invitation',
  // The address carries the invitation's token: no other site learns it from a Referer.
  referrer: 'no-referrer',
};

/** The page an invitation mail links to (`/invite?token=…`): no session needed, outside the console's shell. */
export default async function InvitePage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  return (
    <main className="flex min-h-screen flex-col items-center justify-center bg-gradient-to-b from-indigo-50/60 to-zinc-50 px-4 py-12 dark:from-indigo-950/30 dark:to-zinc-950">
      <div className="w-full max-w-md">
        <div className="flex flex-col items-center text-center">
          <KeywayMark className="size-11" />
          <p className="mt-5 text-sm font-medium text-zinc-500">Keyway console</p>
        </div>
        <div className="mt-6 rounded-2xl border border-zinc-200 bg-white p-6 shadow-sm sm:p-8 dark:border-zinc-800 dark:bg-zinc-900">
          <InviteAccept token={typeof token === 'string' ? token : ''} />
        </div>
      </div>
    </main>
  );
}
