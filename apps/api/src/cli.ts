import { z } from 'zod';

/**
 * The API's command line: no argument serves; `create-owner --email <address> [--password <password>]` makes
 * an instance owner (a console user owning every project) and exits: the way to the first owner with
 * PostgreSQL, where nothing is seeded (`npm run keyway -- create-owner --email …`).
 */
export type Command = { name: 'serve' } | { name: 'create-owner'; email: string; password?: string };

const Owner = z
  .object({
    email: z.email('--email must be an email address'),
    password: z.string().min(8, '--password must have at least 8 characters').optional(),
  })
  .strict();

export function parseCommand(args: string[]): Command {
  const [name, ...rest] = args;
  if (name === undefined) return { name: 'serve' };
  if (name !== 'create-owner') throw new Error(`Unknown command '${name}'. Commands: create-owner --email <address>`);
  const options: Record<string, string> = {};
  for (let index = 0; index < rest.length; index += 2) {
    const flag = rest[index];
    const value = rest[index + 1];
    if (!flag?.startsWith('--') || value === undefined) throw new Error(`create-owner: expected --name value pairs`);
    options[flag.slice(2)] = value;
  }
  const parsed = Owner.safeParse(options);
  if (!parsed.success) throw new Error(`create-owner: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  return { name: 'create-owner', ...parsed.data } as Command;
}
