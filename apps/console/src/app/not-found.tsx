import Link from 'next/link';
import { KeywayMark } from '../components/keyway-mark';

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 text-center">
      <KeywayMark className="size-10" />
      <h1 className="mt-5 text-xl font-semibold">Page not found</h1>
      <p className="mt-2 text-sm text-zinc-500">There is no page at this address in the Keyway console.</p>
      <Link href="/" className="mt-6 text-sm font-medium text-indigo-600 hover:text-indigo-500">
        Go to the console
      </Link>
    </main>
  );
}
