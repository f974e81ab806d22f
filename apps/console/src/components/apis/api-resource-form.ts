/** What the console checks before sending an API resource, mirroring the API's rules (the API checks again). */

/** RFC 8707: an absolute URI without a fragment. */
export function identifierProblem(value: string): string | undefined {
  if (!value) return 'An identifier is required.';
  if (value.includes('#')) return 'No fragment (#…): the identifier is a token’s audience.';
  try {
    new URL(value);
  } catch {
    return 'Use an absolute URI, e.g. https://api.example.com/orders or urn:example:orders.';
  }
  return undefined;
}

/** RFC 6749 §3.3 scope token: printable ASCII without space, " or \. */
const SCOPE_NAME = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

export interface ScopeRow {
  name: string;
  description: string;
}

export function scopesProblem(scopes: readonly ScopeRow[]): string | undefined {
  const names = scopes.map((scope) => scope.name.trim());
  const bad = names.find((name) => !SCOPE_NAME.test(name));
  if (bad !== undefined)
    return bad ? `${bad}: no spaces, quotes or backslashes (e.g. orders:read)` : 'Every scope needs a name.';
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated) return `${repeated} is listed twice.`;
  if (scopes.length > 100) return 'At most 100 scopes.';
  return undefined;
}

/** Empty: the project's default; else whole seconds within the API's bounds. */
export function ttlProblem(value: string): string | undefined {
  if (!value.trim()) return undefined;
  const seconds = Number(value);
  return Number.isInteger(seconds) && seconds >= 60 && seconds <= 86_400
    ? undefined
    : 'Whole seconds from 60 to 86400, or empty for the project’s default.';
}
