import type { CodeOptions } from 'ajv/dist/2020';
import { RE2JS } from 're2js';
import type { SchemaProblem } from './identity-schema';

/**
 * Identity schema `pattern`s are written by admins but run on input from anyone (registration, profile
 * updates). On the JavaScript engine a pattern like `^(a+)+$` backtracks exponentially and one request
 * blocks the event loop for seconds; RE2 (here re2js, a pure-JS port) matches in time linear in the input
 * whatever the pattern. The price is RE2's syntax: no backreferences or lookarounds — such patterns are
 * refused when the schema is saved (patternProblems), naming the property.
 */

/**
 * JSON Schema patterns are ECMA-262 regular expressions; RE2 spells the one common escape it lacks, `\uXXXX`,
 * as `\x{XXXX}`. Everything else is passed on as written (RE2 refuses what it does not support).
 */
function toRe2Syntax(pattern: string): string {
  return pattern.replace(/\\(u([0-9A-Fa-f]{4})|[\s\S])/g, (escape: string, _: string, hex: string | undefined) =>
    hex ? `\\x{${hex}}` : escape,
  );
}

/** Compiles a pattern for RE2, throwing RE2's syntax error for what it cannot run. */
function compileLinear(pattern: string): RE2JS {
  return RE2JS.compile(toRe2Syntax(pattern));
}

/**
 * Ajv's `code.regExp`: every `pattern` and `patternProperties` key is compiled by RE2. Ajv's `u` flag is
 * implied (RE2 always matches Unicode code points). `code` is only read when ajv generates standalone
 * modules, which Keyway does not.
 */
export const linearRegExp: NonNullable<CodeOptions['regExp']> = Object.assign(
  (pattern: string) => compileLinear(pattern),
  { code: 'require("re2js").RE2JS.compile' },
);

/** Keywords whose values are instance data, not schemas: a `pattern` key inside them is not a regular expression. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'keyway']);

/** Each `pattern` / `patternProperties` key RE2 cannot compile: where (`schema.properties.x.pattern`) and why. */
export function patternProblems(node: unknown, at: string): SchemaProblem[] {
  if (node === null || typeof node !== 'object') return [];
  if (Array.isArray(node)) return node.flatMap((item, index) => patternProblems(item, `${at}[${index}]`));
  const problems: SchemaProblem[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (DATA_KEYWORDS.has(key)) continue;
    if (key === 'pattern' && typeof value === 'string') problems.push(...unsupported(value, `${at}.pattern`));
    if (key === 'patternProperties' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const pattern of Object.keys(value))
        problems.push(...unsupported(pattern, `${at}.patternProperties.${pattern}`));
    }
    problems.push(...patternProblems(value, `${at}.${key}`));
  }
  return problems;
}

function unsupported(pattern: string, at: string): SchemaProblem[] {
  try {
    compileLinear(pattern);
    return [];
  } catch (error) {
    return [
      {
        field: at,
        message: `does not compile for the linear-time pattern engine (RE2 syntax: no backreferences or lookarounds): ${(error as Error).message}`,
      },
    ];
  }
}
