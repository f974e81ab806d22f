import {
  buildTraits,
  initialJson,
  initialValues,
  JSON_TRAITS,
  placeApiErrors,
  sentence,
  traitFields,
} from './traits-form';

/** A schema as GET identity-schemas/{version} answers it: the JSON Schema and the fields generated from it. */
const view = {
  schema: {
    type: 'object',
    properties: {
      email: { type: 'string', format: 'email', keyway: { verification: { via: 'email' } } },
      name: { type: 'string', description: 'As it appears on invoices' },
      age: { type: 'integer' },
      score: { type: 'number' },
      newsletter: { type: 'boolean' },
      plan: { type: 'string', enum: ['free', 'pro'] },
      tags: { type: 'array', items: { type: 'string' } },
      lucky: { type: 'array', items: { type: 'integer' } },
      address: { type: 'object', properties: { city: { type: 'string' } } },
    },
  },
  fields: [
    field('email', 'Email', true, 'STRING', 'email'),
    field('name', 'Name', false, 'STRING', 'text'),
    field('age', 'Age', false, 'INTEGER', 'number'),
    field('score', 'Score', false, 'STRING', 'number'),
    field('newsletter', 'Newsletter', false, 'BOOLEAN', 'checkbox'),
    { ...field('plan', 'Plan', false, 'STRING', 'select'), options: ['free', 'pro'] },
    field('tags', 'Tags', false, 'MULTI_VALUED', 'text'),
    field('lucky', 'Lucky numbers', false, 'MULTI_VALUED', 'text'),
    field('address', 'Address', false, 'STRING', 'text'),
  ],
};

function field(trait: string, displayName: string, required: boolean, type: string, input: string) {
  return {
    param: `traits.${trait}`,
    type: type as 'STRING',
    order: 0,
    i18nKey: `traits.${trait}`,
    displayName,
    confidential: false,
    trait,
    required,
    input,
  };
}

const fields = traitFields(view);
const noValues = initialValues(fields);

describe('traitFields: the schema as form fields', () => {
  it('types each field from its JSON Schema type, and marks verifiable addresses', () => {
    expect(fields.map(({ trait, kind }) => [trait, kind])).toEqual([
      ['email', 'string'],
      ['name', 'string'],
      ['age', 'integer'],
      ['score', 'number'],
      ['newsletter', 'boolean'],
      ['plan', 'string'],
      ['tags', 'list'],
      ['lucky', 'list'],
      ['address', 'json'],
    ]);
    expect(fields[0]).toMatchObject({ label: 'Email', required: true, input: 'email', verifiedVia: 'email' });
    expect(fields[1]).toMatchObject({ description: 'As it appears on invoices' });
    expect(fields[1]?.verifiedVia).toBeUndefined();
    expect(fields[5]?.options).toEqual(['free', 'pro']);
    expect(fields[7]?.itemKind).toBe('integer');
  });

  it('falls back on the wire type when the schema has no such property', () => {
    const bare = traitFields({ schema: {}, fields: [field('n', 'N', false, 'INTEGER', 'number')] });
    expect(bare[0]?.kind).toBe('integer');
  });
});

describe('initialValues and initialJson: stored traits in the form', () => {
  const stored = {
    email: 'jane@example.com',
    age: 42,
    newsletter: true,
    tags: ['a', 'b'],
    address: { city: 'Lyon' },
    legacy: 'x',
  };

  it('fills the fields with the stored values', () => {
    expect(initialValues(fields, stored)).toEqual({
      email: 'jane@example.com',
      name: '',
      age: '42',
      score: '',
      newsletter: true,
      plan: '',
      tags: 'a\nb',
      lucky: '',
    });
  });

  it('leaves object traits and traits outside the schema to the JSON editor', () => {
    expect(JSON.parse(initialJson(fields, stored))).toEqual({ address: { city: 'Lyon' }, legacy: 'x' });
    expect(initialJson(fields, { email: 'jane@example.com' })).toBe('');
  });
});

describe('buildTraits: the form back to traits', () => {
  it('types the values, trims them and leaves empty optional fields out', () => {
    const result = buildTraits(
      fields,
      {
        ...noValues,
        email: ' jane@example.com ',
        age: '42',
        score: '4.5',
        plan: 'pro',
        tags: 'a\n\n b \n',
        lucky: '7\n13',
      },
      '{ "address": { "city": "Lyon" } }',
    );
    expect(result).toEqual({
      traits: {
        email: 'jane@example.com',
        age: 42,
        score: 4.5,
        plan: 'pro',
        tags: ['a', 'b'],
        lucky: [7, 13],
        address: { city: 'Lyon' },
      },
    });
  });

  it('says which required fields are empty and which values are not numbers', () => {
    expect(buildTraits(fields, { ...noValues, age: '4.2', score: 'lots', lucky: '1\nx' }, '')).toEqual({
      errors: {
        email: 'Email is required.',
        age: 'Must be a whole number.',
        score: 'Must be a number.',
        lucky: 'One whole number a line.',
      },
    });
  });

  it('keeps an unticked checkbox that was stored (as false) and leaves a new one out', () => {
    const values = { ...noValues, email: 'jane@example.com', newsletter: false };
    expect(buildTraits(fields, values, '').traits).toEqual({ email: 'jane@example.com' });
    expect(buildTraits(fields, values, '', { newsletter: true }).traits).toEqual({
      email: 'jane@example.com',
      newsletter: false,
    });
  });

  it('refuses JSON that is not an object, or that sets a trait the fields hold', () => {
    const values = { ...noValues, email: 'jane@example.com' };
    expect(buildTraits(fields, values, '{ nope').errors).toEqual({ [JSON_TRAITS]: 'Not valid JSON.' });
    expect(buildTraits(fields, values, '[1]').errors?.[JSON_TRAITS]).toMatch(/JSON object/);
    expect(buildTraits(fields, values, '{ "email": "other@example.com" }').errors?.[JSON_TRAITS]).toBe(
      'Set email with the field above, not here.',
    );
  });
});

describe('placeApiErrors: the API’s complaints beside their fields', () => {
  it('puts trait errors on their field, other traits on the JSON editor, the rest by body field', () => {
    expect(
      placeApiErrors(fields, [
        { field: 'traits.email', message: 'must be a valid email' },
        { field: 'traits.email', message: 'is required' },
        { field: 'traits.address.city', message: 'must be of type string' },
        { field: 'traits.legacy', message: 'is not a trait of this schema' },
        { field: 'password', message: 'must be at least 8 characters' },
        { field: 'credentials.password', message: 'give exactly one of value or hash' },
      ]),
    ).toEqual({
      email: 'Must be a valid email.',
      [JSON_TRAITS]: 'Must be of type string.',
      password: 'Must be at least 8 characters.',
      credentials: 'Give exactly one of value or hash.',
    });
    expect(placeApiErrors(fields, undefined)).toEqual({});
  });

  it('makes a sentence of a message', () => {
    expect(sentence('must be a valid email')).toBe('Must be a valid email.');
    expect(sentence('Already one.')).toBe('Already one.');
  });
});
