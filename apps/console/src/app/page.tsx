import { ApiStatusCard } from '../components/api-status-card';

// Admin areas planned for the console (the admin API under /api/admin/v1, README "Admin API"). Listed so the landing
// page says where the product is going; none is built yet.
const UPCOMING = [
  ['Projects & applications', 'Tenants, OAuth clients, redirect URIs, grant types'],
  ['Identities & sessions', 'Search, verify, unlock, reset MFA, revoke sessions'],
  ['Login flows', 'Steps and authenticators: password, passkeys, TOTP, email codes'],
  ['Connections', 'Google, Apple, Microsoft, Facebook and generic OIDC'],
  ['Email', 'SMTP settings and message templates'],
  ['Audit log', 'Every administrative and helpdesk action, with its reason'],
] as const;

export default function HomePage() {
  return (
    <div className="space-y-10">
      <div className="max-w-2xl">
        <h1 className="text-3xl font-semibold tracking-tight">Keyway Console</h1>
        <p className="mt-3 text-zinc-600 dark:text-zinc-400">
          Administration for Keyway, the self-hostable identity server for first-party native and web apps. This first
          version checks that the API is up; the admin screens arrive in later releases.
        </p>
      </div>

      <div className="grid gap-6 lg:grid-cols-5">
        <div className="lg:col-span-3">
          <ApiStatusCard />
        </div>

        <section className="rounded-2xl border border-dashed border-zinc-300 p-6 lg:col-span-2 dark:border-zinc-700">
          <h2 className="text-base font-semibold">Coming next</h2>
          <ul className="mt-4 space-y-3">
            {UPCOMING.map(([title, detail]) => (
              <li key={title}>
                <p className="text-sm font-medium">{title}</p>
                <p className="text-sm text-zinc-500">{detail}</p>
              </li>
            ))}
          </ul>
          <p className="mt-6 text-xs text-zinc-500">
            Until then, the admin API at <code className="font-mono">/api/admin/v1</code> accepts the{' '}
            <code className="font-mono">KEYWAY_ADMIN_TOKEN</code> as a bearer token.
          </p>
        </section>
      </div>
    </div>
  );
}
