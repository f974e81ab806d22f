import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { ConsoleShell } from '../../components/shell/console-shell';
import { PATH_HEADER } from '../../lib/server/config';
import { hasSession } from '../../lib/server/sessions';

/** Every page of the console but sign-in: only for a signed-in session, inside the shell. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  if (!(await hasSession())) {
    const path = (await headers()).get(PATH_HEADER) ?? '/';
    redirect(path === '/' ? '/sign-in' : `/sign-in?returnTo=${encodeURIComponent(path)}`);
  }
  return <ConsoleShell>{children}</ConsoleShell>;
}
