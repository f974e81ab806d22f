import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { KeywayMark } from '../components/keyway-mark';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Keyway Console', template: '%s · Keyway Console' },
  description: 'Administration console for Keyway, the self-hostable identity server.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="flex min-h-screen flex-col bg-zinc-50 text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <header className="border-b border-zinc-200 bg-white/80 backdrop-blur dark:border-zinc-800 dark:bg-zinc-900/80">
          <div className="mx-auto flex h-14 w-full max-w-5xl items-center gap-3 px-6">
            <KeywayMark className="size-7" />
            <span className="text-lg font-semibold tracking-tight">Keyway</span>
            <span className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs font-medium text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">
              Console
            </span>
          </div>
        </header>
        <Providers>
          <main className="mx-auto w-full max-w-5xl flex-1 px-6 py-10">{children}</main>
        </Providers>
        <footer className="border-t border-zinc-200 py-6 text-center text-xs text-zinc-500 dark:border-zinc-800">
          Keyway · self-hostable identity for first-party apps
        </footer>
      </body>
    </html>
  );
}
