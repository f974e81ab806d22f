import { compileIdentitySchema, problemText, type CompiledIdentitySchema } from '../../domain/schemas/identity-schema';
import { CUSTOM_SCHEMA } from '../../domain/schemas/identity-schema.fixture';
import { readTraitParams } from '../password/registration-form';
import { addressChanges, changedFields, uniqueClaims } from './profile-changes';

function compile(schema: unknown): CompiledIdentitySchema {
  const result = compileIdentitySchema(schema);
  if (!result.ok) throw new Error(result.problems.map(problemText).join('; '));
  return result.compiled;
}

const schema = compile(CUSTOM_SCHEMA);
const current = { email: 'Ann@Example.com', username: 'ann', plan: 'free', phone: '+4912345' };

describe('readTraitParams over the current traits (the profile form)', () => {
  it('changes only the params given and keeps the other traits', () => {
    expect(readTraitParams(schema, { 'traits.plan': 'pro', 'traits.age': '30' }, current)).toEqual({
      traits: { ...current, plan: 'pro', age: 30 },
      errors: [],
    });
  });

  it('removes a trait given empty, and the schema refuses removing a required one per field', () => {
    expect(readTraitParams(schema, { 'traits.phone': '' }, current).traits).not.toHaveProperty('phone');
    const { errors } = readTraitParams(schema, { 'traits.username': ' ', 'traits.nope': 'x' }, current);
    expect(errors.map((error) => [error.field, error.messageId])).toEqual(
      expect.arrayContaining([
        ['traits.nope', 'msg_trait_unknown'],
        ['traits.username', 'msg_trait_required'],
      ]),
    );
  });
});

describe('uniqueClaims', () => {
  it('names the field of each login identifier and verifiable address, normalised', () => {
    expect(uniqueClaims(schema, current)).toEqual([
      { field: 'traits.email', kind: 'identifier', value: 'ann@example.com' },
      { field: 'traits.email', kind: 'address', via: 'email', value: 'ann@example.com' },
      { field: 'traits.username', kind: 'identifier', value: 'ann' },
      { field: 'traits.phone', kind: 'address', via: 'phone', value: '+4912345' },
    ]);
  });
});

describe('changedFields and addressChanges', () => {
  it('lists added, changed and removed traits as params', () => {
    expect(changedFields(current, { ...current, plan: 'pro', age: 30, phone: undefined })).toEqual([
      'traits.age',
      'traits.phone',
      'traits.plan',
    ]);
    expect(changedFields(current, { ...current })).toEqual([]);
  });

  it('adds only new addresses and removes only dropped ones (an unchanged address keeps its verification)', () => {
    const before = schema.verifiableAddressesOf(current);
    const after = schema.verifiableAddressesOf({ ...current, email: 'new@example.com', phone: undefined });
    expect(addressChanges(before, after)).toEqual({
      added: [{ via: 'email', value: 'new@example.com' }],
      removed: [
        { via: 'email', value: 'ann@example.com' },
        { via: 'phone', value: '+4912345' },
      ],
    });
    expect(addressChanges(before, schema.verifiableAddressesOf({ ...current, email: ' ANN@example.com ' }))).toEqual({
      added: [],
      removed: [],
    });
  });
});
