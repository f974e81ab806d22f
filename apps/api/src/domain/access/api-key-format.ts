import { randomBytes } from 'node:crypto';

/**
 * An API key as its holder sees it: `kwk_<id>_<secret>`. The id finds the row; only the secret's SHA-256 is
 * stored (256 random bits: a slow hash would add nothing). The prefix lets secret scanners recognise it.
 */
const FORMAT = /^kwk_([0-9a-f-]{36})_([A-Za-z0-9_-]{43})$/;

export function newApiKeySecret(): string {
  return randomBytes(32).toString('base64url');
}

export function formatApiKey(id: string, secret: string): string {
  return `kwk_${id}_${secret}`;
}

export function parseApiKey(token: string): { id: string; secret: string } | undefined {
  const match = FORMAT.exec(token);
  return match ? { id: match[1] as string, secret: match[2] as string } : undefined;
}
