import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { csrfCookieName } from '../lib/server/csrf';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Keyway Console', template: '%s · Keyway Console' },
  description: 'Administration console for Keyway, the self-hostable identity server.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The page's half of the double-submit CSRF token (src/proxy.ts set the cookie half, on this request too).
  const csrfToken = (await cookies()).get(csrfCookieName())?.value ?? '';
  return (
    <html lang="en">
      <body className="min-h-screen bg-zinc-50 text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <Providers csrfToken={csrfToken}>{children}</Providers>
      </body>
    </html>
  );
}
