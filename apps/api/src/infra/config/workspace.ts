import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root (where nx.json lives), found from this file whether it runs from src or dist. */
export function findWorkspaceRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}
