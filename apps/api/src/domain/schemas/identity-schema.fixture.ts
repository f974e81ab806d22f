// Shared by the schema specs (a plain module, not a spec: importing a spec would run its tests twice).

/** A project's custom schema: username identifier with a pattern, a date, a boolean, an enum, a phone. */
export const CUSTOM_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://example.com/person.schema.json',
  type: 'object',
  properties: {
    email: {
      type: 'string',
      format: 'email',
      keyway: {
        credentials: { password: { identifier: true } },
        verification: { via: 'email' },
        recovery: { via: 'email' },
        display: { label: 'E-mail', order: 1 },
      },
    },
    username: {
      type: 'string',
      pattern: '^[a-z][a-z0-9_]{2,19}$',
      keyway: {
        credentials: { password: { identifier: true } },
        display: { label: 'Username', order: 0, i18nKey: 'signup.username' },
      },
    },
    birthdate: { type: 'string', format: 'date', title: 'Date of birth', keyway: { display: { order: 3 } } },
    newsletter: { type: 'boolean', keyway: { display: { label: 'Newsletter', order: 2 } } },
    plan: { type: 'string', enum: ['free', 'pro'] },
    age: { type: 'integer', minimum: 13 },
    phone: { type: 'string', keyway: { verification: { via: 'phone' } } },
  },
  required: ['email', 'username', 'plan'],
  additionalProperties: false,
};
