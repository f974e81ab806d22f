import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import { normaliseIdentifier } from './identity-traits';
import { linearRegExp, patternProblems } from './linear-regexp';

/**
 * Identity schemas: JSON Schema 2020-12 describing an identity's traits, with Keyway's annotations under
 * the `keyway` keyword of each top-level trait property (in the spirit of Ory's `ory.sh/kratos`):
 *
 *   "email": { "type": "string", "format": "email",
 *     "keyway": { "credentials": { "password": { "identifier": true } },
 *                 "verification": { "via": "email" }, "recovery": { "via": "email" },
 *                 "display": { "label": "Email", "order": 0, "i18nKey": "traits.email", "input": "email" } } }
 */
const ANNOTATION_KEYWORD = 'keyway';

/** Input kinds a UI may render for a trait; the registration flow passes them on as hints. */
export const INPUT_TYPES = ['text', 'email', 'tel', 'date', 'select', 'checkbox', 'number', 'url', 'textarea'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

export const TraitAnnotations = z
  .object({
    credentials: z
      .object({ password: z.object({ identifier: z.boolean().optional() }).strict().optional() })
      .strict()
      .optional(),
    verification: z
      .object({ via: z.enum(['email', 'phone']) })
      .strict()
      .optional(),
    recovery: z
      .object({ via: z.enum(['email', 'phone']) })
      .strict()
      .optional(),
    display: z
      .object({
        label: z.string().min(1).max(200).optional(),
        order: z.number().int().min(0).max(10_000).optional(),
        i18nKey: z.string().min(1).max(200).optional(),
        input: z.enum(INPUT_TYPES).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type TraitAnnotations = z.infer<typeof TraitAnnotations>;

/** A top-level trait as the schema declares it, with its annotations read. */
export interface TraitDefinition {
  name: string;
  /** The trait's JSON Schema (type, format, enum…), as written. */
  schema: Record<string, unknown>;
  required: boolean;
  annotations: TraitAnnotations;
  /** Declaration order in `properties`, the tie-breaker after display.order. */
  position: number;
}

/** One problem with one trait, machine-readable (messageId, i18nKey) and human-readable (message). */
export interface TraitError {
  field: string;
  messageId: string;
  message: string;
  i18nKey: string;
}

/** The default identity schema every project starts with: email (identifier, verifiable, recovery) and name. */
export const DEFAULT_IDENTITY_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Person',
  type: 'object',
  properties: {
    email: {
      type: 'string',
      format: 'email',
      maxLength: 320,
      title: 'Email',
      keyway: {
        credentials: { password: { identifier: true } },
        verification: { via: 'email' },
        recovery: { via: 'email' },
        display: { label: 'Email', order: 0, i18nKey: 'traits.email', input: 'email' },
      },
    },
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      title: 'Name',
      keyway: { display: { label: 'Name', order: 1, i18nKey: 'traits.name', input: 'text' } },
    },
  },
  required: ['email'],
  additionalProperties: false,
} as const;

/** Large schemas cost compile time and memory per cached version; real trait schemas are far smaller. */
const MAX_SCHEMA_BYTES = 64 * 1024;
const MAX_TRAITS = 100;

/** A schema that was checked and compiled: validates traits and names their login identifiers. */
export class CompiledIdentitySchema {
  constructor(
    readonly schema: Record<string, unknown>,
    readonly traits: readonly TraitDefinition[],
    private readonly validator: ValidateFunction,
  ) {}

  /** The traits whose values are password login identifiers (strings by construction). */
  get identifierTraits(): string[] {
    return this.traits
      .filter((trait) => trait.annotations.credentials?.password?.identifier === true)
      .map((trait) => trait.name);
  }

  /** Every problem of the traits against the schema, one entry per field and rule. */
  validate(traits: unknown): TraitError[] {
    if (this.validator(traits)) return [];
    return (this.validator.errors ?? []).map(traitError);
  }

  /** The normalised login identifiers of valid traits, without duplicates (email and username may coincide). */
  identifiersOf(traits: Record<string, unknown>): string[] {
    const values = this.identifierTraits
      .map((name) => traits[name])
      .filter((value): value is string => typeof value === 'string' && value.trim() !== '');
    return [...new Set(values.map(normaliseIdentifier))];
  }

  /** The values of the traits marked `recovery.via: email`, normalised: where a recovery code may be mailed. */
  recoveryAddressesOf(traits: Record<string, unknown>): string[] {
    const values = this.traits
      .filter((trait) => trait.annotations.recovery?.via === 'email')
      .map((trait) => traits[trait.name])
      .filter((value): value is string => typeof value === 'string' && value.trim() !== '');
    return [...new Set(values.map(normaliseIdentifier))];
  }

  /** The values of the traits marked `verification.via`, normalised as their unique key is. */
  verifiableAddressesOf(traits: Record<string, unknown>): Array<{ via: 'email' | 'phone'; value: string }> {
    return this.traits.flatMap((trait) => {
      const via = trait.annotations.verification?.via;
      const value = traits[trait.name];
      return via && typeof value === 'string' && value.trim() !== ''
        ? [{ via, value: normaliseIdentifier(value) }]
        : [];
    });
  }
}

/** One reason a schema is refused: where (its path in the request body, `schema.properties.email.type`) and why. */
export interface SchemaProblem {
  field: string;
  message: string;
}

/** A problem as one line of text: "schema.properties.pin: a login identifier must be of type 'string'". */
export const problemText = ({ field, message }: SchemaProblem): string => `${field}: ${message}`;

export type CompileResult = { ok: true; compiled: CompiledIdentitySchema } | { ok: false; problems: SchemaProblem[] };

/**
 * Checks an identity schema and compiles it. Refused, with every reason: a schema that does not compile
 * as JSON Schema 2020-12 (unknown keywords and formats included: a typo must not silently validate
 * nothing), a top level that is not an object with `properties`, bad annotations, identifiers,
 * verifiable or recovery addresses on non-string traits, or no identifier at all (nobody could log in).
 */
export function compileIdentitySchema(schema: unknown): CompileResult {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
    return { ok: false, problems: [problem('schema', 'must be a JSON object')] };
  const root = schema as Record<string, unknown>;
  if (JSON.stringify(root).length > MAX_SCHEMA_BYTES)
    return { ok: false, problems: [problem('schema', `must be at most ${MAX_SCHEMA_BYTES} bytes of JSON`)] };
  if (root['$schema'] !== undefined && root['$schema'] !== DEFAULT_IDENTITY_SCHEMA.$schema) {
    return {
      ok: false,
      problems: [
        problem('schema.$schema', `must be '${DEFAULT_IDENTITY_SCHEMA.$schema}' (JSON Schema 2020-12) or absent`),
      ],
    };
  }

  // Before ajv, which would only say "error parsing regexp" without naming the property.
  const unsupportedPatterns = patternProblems(root, 'schema');
  if (unsupportedPatterns.length) return { ok: false, problems: unsupportedPatterns };

  let validator: ValidateFunction;
  try {
    validator = newAjv().compile(root);
  } catch (error) {
    return {
      ok: false,
      problems: [problem('schema', `does not compile as JSON Schema 2020-12: ${(error as Error).message}`)],
    };
  }

  const problems: SchemaProblem[] = [];
  const properties = root['properties'];
  if (root['type'] !== 'object') problems.push(problem('schema.type', "must be 'object' (the traits are an object)"));
  if (!isObject(properties) || Object.keys(properties).length === 0) {
    problems.push(problem('schema.properties', 'must declare at least one trait'));
    return { ok: false, problems };
  }
  if (Object.keys(properties).length > MAX_TRAITS)
    problems.push(problem('schema.properties', `at most ${MAX_TRAITS} traits`));
  const required = new Set(
    Array.isArray(root['required']) ? root['required'].filter((name): name is string => typeof name === 'string') : [],
  );

  const traits: TraitDefinition[] = [];
  Object.entries(properties).forEach(([name, property], position) => {
    const at = `schema.properties.${name}`;
    if (!isObject(property)) {
      problems.push(problem(at, 'must be a schema object'));
      return;
    }
    const parsed = TraitAnnotations.safeParse(property[ANNOTATION_KEYWORD] ?? {});
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(problem([at, ANNOTATION_KEYWORD, ...issue.path].join('.'), issue.message));
      return;
    }
    const annotations = parsed.data;
    const isString = property['type'] === 'string';
    if (annotations.credentials?.password?.identifier && !isString)
      problems.push(problem(at, "a login identifier must be of type 'string'"));
    if (annotations.verification && !isString)
      problems.push(problem(at, "a verifiable address must be of type 'string'"));
    if (annotations.recovery && !isString) problems.push(problem(at, "a recovery address must be of type 'string'"));
    for (const nested of strayAnnotations(property, at))
      problems.push(problem(nested, `${ANNOTATION_KEYWORD} annotations are only read on top-level trait properties`));
    traits.push({ name, schema: property, required: required.has(name), annotations, position });
  });
  for (const stray of strayAnnotations(root, 'schema', true))
    problems.push(problem(stray, `${ANNOTATION_KEYWORD} annotations are only read on top-level trait properties`));
  if (problems.length === 0 && !traits.some((trait) => trait.annotations.credentials?.password?.identifier === true)) {
    problems.push(
      problem(
        'schema',
        'no trait is a login identifier (mark one with "keyway": {"credentials": {"password": {"identifier": true}}})',
      ),
    );
  }
  return problems.length
    ? { ok: false, problems }
    : { ok: true, compiled: new CompiledIdentitySchema(root, traits, validator) };
}

/**
 * A validator instance per schema: schemas may carry an `$id`, and one Ajv instance refuses a second
 * schema with the same id (each version of a project's schema typically keeps it). Compiling happens
 * once per version (callers cache), so the instance cost does not matter.
 */
function newAjv(): Ajv2020 {
  // strictSchema refuses unknown keywords and formats; strictTypes would refuse common, harmless
  // shapes (properties without type) and otherwise only logs, so it is off, as is the logger.
  // Patterns run on RE2 (linear time): an admin's `^(a+)+$` must not let one registration stall the server.
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    logger: false,
    code: { regExp: linearRegExp },
  });
  addFormats(ajv);
  // Annotation only: read by compileIdentitySchema, ignored by validation.
  ajv.addKeyword({ keyword: ANNOTATION_KEYWORD, schemaType: 'object' });
  return ajv;
}

/** Paths of `keyway` keywords below a trait (or anywhere but the traits, for the root). */
function strayAnnotations(node: unknown, at: string, isRoot = false): string[] {
  if (!isObject(node) && !Array.isArray(node)) return [];
  const found: string[] = [];
  for (const [key, child] of Object.entries(node)) {
    if (isRoot && key === 'properties') continue; // the traits themselves were checked one by one
    if (key === ANNOTATION_KEYWORD && !isRoot && at.split('.').length === 3) continue; // the trait's own annotations
    if (key === ANNOTATION_KEYWORD) found.push(`${at}.${key}`);
    else found.push(...strayAnnotations(child, `${at}.${key}`));
  }
  return found;
}

const problem = (field: string, message: string): SchemaProblem => ({ field, message });

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Ajv's error as a per-field message: the field named from the instance path or the missing/extra property. */
function traitError(error: ErrorObject): TraitError {
  const params = error.params as Record<string, unknown>;
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const named = (property: unknown): string => ['traits', ...path, String(property)].join('.');
  const field = ['traits', ...path].join('.');
  switch (error.keyword) {
    case 'required':
      return message(named(params['missingProperty']), 'required', 'is required');
    case 'additionalProperties':
      return message(named(params['additionalProperty']), 'unknown', 'is not a trait of this schema');
    case 'unevaluatedProperties':
      return message(named(params['unevaluatedProperty']), 'unknown', 'is not a trait of this schema');
    case 'type':
      return message(field, 'type', `must be of type ${String(params['type'])}`);
    case 'format':
      return message(field, 'format', `must be a valid ${String(params['format'])}`);
    case 'pattern':
      return message(field, 'pattern', 'does not have the expected form');
    case 'enum':
      return message(
        field,
        'enum',
        `must be one of: ${(params['allowedValues'] as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`,
      );
    case 'const':
      return message(field, 'const', `must be ${JSON.stringify(params['allowedValue'])}`);
    case 'minLength':
      return message(field, 'min_length', `must be at least ${String(params['limit'])} characters`);
    case 'maxLength':
      return message(field, 'max_length', `must be at most ${String(params['limit'])} characters`);
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return message(field, 'range', `${error.message ?? 'is out of range'}`);
    default:
      return message(field, 'invalid', error.message ?? 'is invalid');
  }
}

function message(field: string, rule: string, text: string): TraitError {
  return { field, messageId: `msg_trait_${rule}`, message: text, i18nKey: `message.msg_trait_${rule}` };
}
