import {
  compileIdentitySchema,
  DEFAULT_IDENTITY_SCHEMA,
  problemText,
  type CompiledIdentitySchema,
} from './identity-schema';
import { CUSTOM_SCHEMA } from './identity-schema.fixture';
import { fieldsFromSchema, paramsFromSchema, requiredParamsFromSchema } from './schema-params';

function compiled(schema: unknown): CompiledIdentitySchema {
  const result = compileIdentitySchema(schema);
  if (!result.ok) throw new Error(result.problems.map(problemText).join('; '));
  return result.compiled;
}

describe('paramsFromSchema', () => {
  it('generates the default schema’s registration params', () => {
    expect(paramsFromSchema(compiled(DEFAULT_IDENTITY_SCHEMA))).toEqual([
      {
        param: 'traits.email',
        type: 'STRING',
        order: 0,
        i18nKey: 'traits.email',
        displayName: 'Email',
        confidential: false,
      },
      {
        param: 'traits.name',
        type: 'STRING',
        order: 1,
        i18nKey: 'traits.name',
        displayName: 'Name',
        confidential: false,
      },
    ]);
    expect(requiredParamsFromSchema(compiled(DEFAULT_IDENTITY_SCHEMA))).toEqual(['traits.email']);
  });

  it('orders by display.order, then declaration order; types, labels and i18n keys from the schema', () => {
    expect(paramsFromSchema(compiled(CUSTOM_SCHEMA))).toEqual([
      {
        param: 'traits.username',
        type: 'STRING',
        order: 0,
        i18nKey: 'signup.username',
        displayName: 'Username',
        confidential: false,
      },
      {
        param: 'traits.email',
        type: 'STRING',
        order: 1,
        i18nKey: 'traits.email',
        displayName: 'E-mail',
        confidential: false,
      },
      {
        param: 'traits.newsletter',
        type: 'BOOLEAN',
        order: 2,
        i18nKey: 'traits.newsletter',
        displayName: 'Newsletter',
        confidential: false,
      },
      // No label: the JSON Schema title, else the trait's name.
      {
        param: 'traits.birthdate',
        type: 'STRING',
        order: 3,
        i18nKey: 'traits.birthdate',
        displayName: 'Date of birth',
        confidential: false,
      },
      {
        param: 'traits.plan',
        type: 'STRING',
        order: 4,
        i18nKey: 'traits.plan',
        displayName: 'plan',
        confidential: false,
      },
      {
        param: 'traits.age',
        type: 'INTEGER',
        order: 5,
        i18nKey: 'traits.age',
        displayName: 'age',
        confidential: false,
      },
      {
        param: 'traits.phone',
        type: 'STRING',
        order: 6,
        i18nKey: 'traits.phone',
        displayName: 'phone',
        confidential: false,
      },
    ]);
    expect(requiredParamsFromSchema(compiled(CUSTOM_SCHEMA))).toEqual([
      'traits.username',
      'traits.email',
      'traits.plan',
    ]);
  });

  it('gives each field an input kind: from the display hint, else implied by the schema', () => {
    const inputs = Object.fromEntries(
      fieldsFromSchema(compiled(CUSTOM_SCHEMA)).map((field) => [field.trait, [field.input, field.options]]),
    );
    expect(inputs).toEqual({
      username: ['text', undefined],
      email: ['email', undefined],
      newsletter: ['checkbox', undefined],
      birthdate: ['date', undefined],
      plan: ['select', ['free', 'pro']],
      age: ['number', undefined],
      phone: ['tel', undefined],
    });
    const hinted = compiled({
      type: 'object',
      properties: {
        bio: {
          type: 'string',
          keyway: { credentials: { password: { identifier: true } }, display: { input: 'textarea' } },
        },
        tags: { type: 'array', items: { type: 'string' } },
      },
    });
    expect(fieldsFromSchema(hinted).map((field) => [field.input, field.type])).toEqual([
      ['textarea', 'STRING'],
      ['text', 'MULTI_VALUED'],
    ]);
  });
});
