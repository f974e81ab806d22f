import {
  compileIdentitySchema,
  DEFAULT_IDENTITY_SCHEMA,
  problemText,
  type CompiledIdentitySchema,
} from '../../domain/schemas/identity-schema';
import { fieldMessages, readRegistrationForm } from './registration-form';
import { formOption } from './password-registration';

function compile(schema: unknown): CompiledIdentitySchema {
  const result = compileIdentitySchema(schema);
  if (!result.ok) throw new Error(result.problems.map(problemText).join('; '));
  return result.compiled;
}

const custom = compile({
  type: 'object',
  required: ['email', 'age'],
  additionalProperties: false,
  properties: {
    email: {
      type: 'string',
      format: 'email',
      keyway: {
        credentials: { password: { identifier: true } },
        verification: { via: 'email' },
        display: { order: 1 },
      },
    },
    age: { type: 'integer', minimum: 13, keyway: { display: { label: 'Age', order: 0 } } },
    newsletter: { type: 'boolean' },
  },
});

describe('readRegistrationForm', () => {
  it('types the string params as the schema says and keeps the password apart', () => {
    const form = readRegistrationForm(custom, {
      'traits.email': 'a@example.com',
      'traits.age': '30',
      'traits.newsletter': 'true',
      password: 'correct horse',
    });
    expect(form).toEqual({
      ok: true,
      traits: { email: 'a@example.com', age: 30, newsletter: true },
      password: 'correct horse',
    });
  });

  it('reports every problem per field: required, type, unknown param, short password', () => {
    const form = readRegistrationForm(custom, { 'traits.age': 'old', 'traits.nope': 'x', password: 'short' });
    expect(form.ok).toBe(false);
    const errors = form.ok ? [] : form.errors;
    expect(errors.map((e) => [e.field, e.messageId])).toEqual(
      expect.arrayContaining([
        ['traits.nope', 'msg_trait_unknown'],
        ['traits.email', 'msg_trait_required'],
        ['traits.age', 'msg_trait_type'],
        ['password', 'msg_password_too_short'],
      ]),
    );
    const [message] = fieldMessages(errors.filter((e) => e.field === 'traits.age'));
    expect(message).toMatchObject({
      type: 'ERROR',
      messageId: 'msg_trait_type',
      i18nKey: 'message.msg_trait_type',
      context: [{ key: 'field', value: 'traits.age' }],
    });
  });

  it('treats empty inputs as absent and a missing password as required', () => {
    const form = readRegistrationForm(compile(DEFAULT_IDENTITY_SCHEMA), {
      'traits.email': 'b@example.com',
      'traits.name': '',
    });
    expect(form.ok ? [] : form.errors.map((e) => [e.field, e.messageId])).toEqual([['password', 'msg_trait_required']]);
  });
});

describe('formOption', () => {
  it('offers the schema traits in display order, then the confidential password', () => {
    const option = formOption(custom);
    expect(Buffer.from(option.authenticatorId, 'base64url').toString()).toBe('PasswordRegistration:LOCAL');
    expect(option.metadata.params?.map((p) => [p.param, p.type, p.order, p.confidential])).toEqual([
      ['traits.age', 'INTEGER', 0, false],
      ['traits.email', 'STRING', 1, false],
      ['traits.newsletter', 'BOOLEAN', 2, false],
      ['password', 'STRING', 3, true],
    ]);
    expect(option.requiredParams).toEqual(['traits.age', 'traits.email', 'password']);
  });
});
