import {
  compileIdentitySchema,
  DEFAULT_IDENTITY_SCHEMA,
  problemText,
  type CompiledIdentitySchema,
} from './identity-schema';
import { CUSTOM_SCHEMA } from './identity-schema.fixture';

function compiled(schema: unknown): CompiledIdentitySchema {
  const result = compileIdentitySchema(schema);
  if (!result.ok) throw new Error(result.problems.map(problemText).join('; '));
  return result.compiled;
}

function problems(schema: unknown): string[] {
  const result = compileIdentitySchema(schema);
  return result.ok ? [] : result.problems.map(problemText);
}

const withTraits = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  ...extra,
});
const identifier = { credentials: { password: { identifier: true } } };

describe('compileIdentitySchema: which schemas are accepted', () => {
  it('accepts the default and a custom schema, and reads their annotations', () => {
    const byDefault = compiled(DEFAULT_IDENTITY_SCHEMA);
    expect(byDefault.identifierTraits).toEqual(['email']);
    expect(byDefault.traits.map((trait) => [trait.name, trait.required])).toEqual([
      ['email', true],
      ['name', false],
    ]);
    expect(byDefault.traits[0]?.annotations).toMatchObject({
      verification: { via: 'email' },
      recovery: { via: 'email' },
    });

    const custom = compiled(CUSTOM_SCHEMA);
    expect(custom.identifierTraits).toEqual(['email', 'username']);
    expect(custom.traits.find((trait) => trait.name === 'phone')?.annotations).toEqual({
      verification: { via: 'phone' },
    });
  });

  it('refuses what does not compile as JSON Schema 2020-12, with the reason', () => {
    expect(problems(withTraits({ email: { type: 'strin', keyway: identifier } }))[0]).toMatch(/does not compile.*type/);
    expect(problems(withTraits({ email: { type: 'string', pattern: '(', keyway: identifier } }))[0]).toMatch(
      /does not compile/,
    );
    // Typos must not silently validate nothing: unknown keywords and formats are refused.
    expect(problems(withTraits({ email: { type: 'string', maxLenght: 3, keyway: identifier } }))[0]).toMatch(
      /unknown keyword.*maxLenght/,
    );
    expect(problems(withTraits({ email: { type: 'string', format: 'e-mail', keyway: identifier } }))[0]).toMatch(
      /unknown format "e-mail"/,
    );
    expect(problems({ ...DEFAULT_IDENTITY_SCHEMA, $schema: 'http://json-schema.org/draft-07/schema#' })[0]).toMatch(
      /\$schema: must be .*2020-12/,
    );
    expect(problems([])).toEqual(['schema: must be a JSON object']);
  });

  it('runs patterns on a linear-time engine: catastrophic ones are harmless, backreferences and lookarounds are refused by property', () => {
    expect(
      problems(
        withTraits({ email: { type: 'string', keyway: identifier }, nick: { type: 'string', pattern: '^(a)\\1$' } }),
      ),
    ).toEqual([
      expect.stringMatching(
        /^schema\.properties\.nick\.pattern: does not compile for the linear-time pattern engine .*\\1/,
      ),
    ]);
    expect(
      problems(
        withTraits({
          email: { type: 'string', keyway: identifier },
          meta: { type: 'object', patternProperties: { '^(?=x)': { type: 'string' } } },
        }),
      ),
    ).toEqual([expect.stringMatching(/^schema\.properties\.meta\.patternProperties\.\^\(\?=x\): does not compile/)]);
    // Data is not a pattern: an enum value or a const object with a "pattern" key is left alone.
    expect(
      problems(withTraits({ email: { type: 'string', keyway: identifier }, x: { const: { pattern: '(a)\\1' } } })),
    ).toEqual([]);
    // ^(a+)+$ backtracks exponentially on the JavaScript engine (2^5000 steps here: it would never return); RE2 answers at once.
    const catastrophic = compiled(
      withTraits({ email: { type: 'string', keyway: identifier }, nick: { type: 'string', pattern: '^(a+)+$' } }),
    );
    expect(catastrophic.validate({ email: 'a', nick: `${'a'.repeat(5000)}!` })).toEqual([
      expect.objectContaining({ field: 'traits.nick', messageId: 'msg_trait_pattern' }),
    ]);
    expect(catastrophic.validate({ email: 'a', nick: 'aaaa' })).toEqual([]);
  });

  it('accepts the ECMA-262 \\uXXXX escape in patterns (RE2 spells it \\x{XXXX})', () => {
    const schema = compiled(
      withTraits({
        email: { type: 'string', keyway: identifier },
        name: { type: 'string', pattern: '^[\\u00e0-\\u00ff]+$' },
      }),
    );
    expect(schema.validate({ email: 'a', name: 'éè' })).toEqual([]);
    expect(schema.validate({ email: 'a', name: 'ab' })).toHaveLength(1);
    // An escaped backslash followed by "u0041" is a backslash and literal text, not an escape.
    expect(
      compiled(withTraits({ email: { type: 'string', pattern: '^\\\\u0041$', keyway: identifier } })).validate({
        email: '\\u0041',
      }),
    ).toEqual([]);
  });

  it('refuses a top level that is not an object with properties', () => {
    expect(problems({ type: 'string' })).toEqual([
      "schema.type: must be 'object' (the traits are an object)",
      'schema.properties: must declare at least one trait',
    ]);
    expect(problems({ type: 'object', properties: {} })).toEqual([
      'schema.properties: must declare at least one trait',
    ]);
    expect(problems({ type: 'array', properties: { email: { type: 'string', keyway: identifier } } })).toEqual([
      "schema.type: must be 'object' (the traits are an object)",
    ]);
  });

  it('refuses identifiers and addresses on non-string traits, and a schema without identifier', () => {
    expect(
      problems(
        withTraits({ email: { type: 'string', keyway: identifier }, pin: { type: 'integer', keyway: identifier } }),
      ),
    ).toEqual(["schema.properties.pin: a login identifier must be of type 'string'"]);
    expect(
      problems(
        withTraits({
          email: { type: 'string', keyway: identifier },
          phone: { type: 'number', keyway: { verification: { via: 'phone' }, recovery: { via: 'phone' } } },
        }),
      ),
    ).toEqual([
      "schema.properties.phone: a verifiable address must be of type 'string'",
      "schema.properties.phone: a recovery address must be of type 'string'",
    ]);
    expect(problems(withTraits({ email: { type: 'string' } }))[0]).toMatch(/no trait is a login identifier/);
  });

  it('refuses malformed annotations and annotations below the top-level traits', () => {
    expect(
      problems(
        withTraits({ email: { type: 'string', keyway: { ...identifier, verification: { via: 'pigeon' } } } }),
      )[0],
    ).toMatch(/^schema\.properties\.email\.keyway\.verification\.via: /);
    expect(
      problems(withTraits({ email: { type: 'string', keyway: { ...identifier, display: { input: 'slider' } } } }))[0],
    ).toMatch(/keyway\.display\.input/);
    expect(problems(withTraits({ email: { type: 'string', keyway: { ...identifier, colour: 'red' } } }))[0]).toMatch(
      /keyway: Unrecognized key/,
    );
    expect(
      problems(
        withTraits({
          email: { type: 'string', keyway: identifier },
          address: { type: 'object', properties: { street: { type: 'string', keyway: identifier } } },
        }),
      ),
    ).toEqual([
      'schema.properties.address.properties.street.keyway: keyway annotations are only read on top-level trait properties',
    ]);
  });

  it('compiles schemas sharing an $id (versions of one schema) independently', () => {
    const v1 = compiled(CUSTOM_SCHEMA);
    const v2 = compiled({ ...CUSTOM_SCHEMA, required: ['email'] });
    expect(v1.validate({ email: 'a@example.com' })).not.toEqual([]);
    expect(v2.validate({ email: 'a@example.com' })).toEqual([]);
  });
});

describe('CompiledIdentitySchema: traits', () => {
  const custom = compiled(CUSTOM_SCHEMA);
  const valid = {
    email: 'Ann@Example.com',
    username: 'ann_01',
    plan: 'pro',
    birthdate: '1990-04-01',
    newsletter: true,
    age: 30,
  };

  it('accepts valid traits and names their normalised identifiers, without duplicates', () => {
    expect(custom.validate(valid)).toEqual([]);
    expect(custom.identifiersOf(valid)).toEqual(['ann@example.com', 'ann_01']);
    expect(compiled(DEFAULT_IDENTITY_SCHEMA).identifiersOf({ email: ' X@Y.example ' })).toEqual(['x@y.example']);
    const same = compiled(
      withTraits({ a: { type: 'string', keyway: identifier }, b: { type: 'string', keyway: identifier } }),
    );
    expect(same.identifiersOf({ a: 'Same', b: 'same' })).toEqual(['same']);
  });

  it('says what is wrong with each field: required, typed, patterned, format, enum, range, unknown', () => {
    const errors = custom.validate({
      email: 'not-an-email',
      username: '1bad',
      birthdate: '01/04/1990',
      newsletter: 'yes',
      plan: 'gold',
      age: 12,
      nickname: 'x',
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        {
          field: 'traits.nickname',
          messageId: 'msg_trait_unknown',
          message: 'is not a trait of this schema',
          i18nKey: 'message.msg_trait_unknown',
        },
        {
          field: 'traits.email',
          messageId: 'msg_trait_format',
          message: 'must be a valid email',
          i18nKey: 'message.msg_trait_format',
        },
        {
          field: 'traits.username',
          messageId: 'msg_trait_pattern',
          message: 'does not have the expected form',
          i18nKey: 'message.msg_trait_pattern',
        },
        {
          field: 'traits.birthdate',
          messageId: 'msg_trait_format',
          message: 'must be a valid date',
          i18nKey: 'message.msg_trait_format',
        },
        {
          field: 'traits.newsletter',
          messageId: 'msg_trait_type',
          message: 'must be of type boolean',
          i18nKey: 'message.msg_trait_type',
        },
        {
          field: 'traits.plan',
          messageId: 'msg_trait_enum',
          message: 'must be one of: "free", "pro"',
          i18nKey: 'message.msg_trait_enum',
        },
        {
          field: 'traits.age',
          messageId: 'msg_trait_range',
          message: 'must be >= 13',
          i18nKey: 'message.msg_trait_range',
        },
      ]),
    );
    expect(errors).toHaveLength(7);
    expect(custom.validate({ email: 'a@example.com' })).toEqual([
      {
        field: 'traits.username',
        messageId: 'msg_trait_required',
        message: 'is required',
        i18nKey: 'message.msg_trait_required',
      },
      {
        field: 'traits.plan',
        messageId: 'msg_trait_required',
        message: 'is required',
        i18nKey: 'message.msg_trait_required',
      },
    ]);
  });

  it('keeps the default schema as strict as the traits were before schemas (email required and valid, no extras)', () => {
    const byDefault = compiled(DEFAULT_IDENTITY_SCHEMA);
    expect(byDefault.validate({ email: 'a@example.com', name: 'Ann' })).toEqual([]);
    expect(byDefault.validate({ email: 'a@example.com' })).toEqual([]);
    expect(byDefault.validate({ email: 'nope' }).map((error) => error.field)).toEqual(['traits.email']);
    expect(byDefault.validate({ name: '' }).map((error) => `${error.field} ${error.messageId}`)).toEqual([
      'traits.email msg_trait_required',
      'traits.name msg_trait_min_length',
    ]);
    expect(byDefault.validate({ email: 'a@example.com', admin: true }).map((error) => error.field)).toEqual([
      'traits.admin',
    ]);
  });

  it('names nested fields by their path', () => {
    const nested = compiled(
      withTraits({
        email: { type: 'string', keyway: identifier },
        address: { type: 'object', properties: { zip: { type: 'string', pattern: '^[0-9]{5}$' } }, required: ['zip'] },
      }),
    );
    expect(nested.validate({ email: 'a', address: { zip: 'x' } }).map((error) => error.field)).toEqual([
      'traits.address.zip',
    ]);
    expect(nested.validate({ email: 'a', address: {} }).map((error) => error.field)).toEqual(['traits.address.zip']);
  });
});

describe('CompiledIdentitySchema.verifiableAddressesOf', () => {
  it('returns the traits marked verification.via, normalised, and skips empty ones', () => {
    const schema = compiled(DEFAULT_IDENTITY_SCHEMA);
    expect(schema.verifiableAddressesOf({ email: '  Ada@Example.COM ', name: 'Ada' })).toEqual([
      { via: 'email', value: 'ada@example.com' },
    ]);
    expect(schema.verifiableAddressesOf({ email: ' ' })).toEqual([]);
    expect(
      compiled(withTraits({ username: { type: 'string', keyway: identifier } })).verifiableAddressesOf({
        username: 'ada',
      }),
    ).toEqual([]);
  });
});
