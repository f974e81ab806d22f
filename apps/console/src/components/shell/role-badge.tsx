const ROLE_STYLE: Record<string, string> = {
  owner: 'bg-indigo-50 text-indigo-700 ring-indigo-600/20 dark:bg-indigo-950 dark:text-indigo-300',
  admin: 'bg-sky-50 text-sky-700 ring-sky-600/20 dark:bg-sky-950 dark:text-sky-300',
  developer: 'bg-emerald-50 text-emerald-700 ring-emerald-600/20 dark:bg-emerald-950 dark:text-emerald-300',
  helpdesk: 'bg-amber-50 text-amber-700 ring-amber-600/20 dark:bg-amber-950 dark:text-amber-300',
};
const OTHER = 'bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-800 dark:text-zinc-300';

/** The caller's role in a project; instance owners who are not members act there as owners of the instance. */
export function RoleBadge({ role, instanceOwner = false }: { role: string | undefined; instanceOwner?: boolean }) {
  const label = role ?? (instanceOwner ? 'instance owner' : 'no role');
  return (
    <span
      className={`inline-flex shrink-0 items-center rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${(role && ROLE_STYLE[role]) || OTHER}`}
    >
      {label}
    </span>
  );
}
