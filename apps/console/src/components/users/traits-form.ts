import type { IdentitySchemaView } from '@keyway/admin-api';

/**
 * An identity's traits as a form: the identity schema's registration fields (GET identity-schemas/{version})
 * become inputs, their values are turned back into typed traits (numbers, booleans, lists), and whatever
 * the fields cannot hold (object traits, traits the schema does not name) is edited as one JSON object.
 * Pure functions, so that the create and edit forms behave the same and are unit-tested.
 */

/** How a trait's value is held by the form. `json` traits are edited in the JSON editor. */
export type TraitKind = 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'json';

export interface TraitField {
  trait: string;
  label: string;
  required: boolean;
  kind: TraitKind;
  /** The input the schema asks for: text, email, tel, date, url, textarea, select, number, checkbox. */
  input: string;
  options?: string[];
  /** A list's items, when they are numbers. */
  itemKind?: 'string' | 'integer' | 'number';
  /** The schema's `description` of the trait, shown as the field's hint. */
  description?: string;
  /** Set when the schema makes the trait a verifiable address (`keyway.verification.via`). */
  verifiedVia?: 'email' | 'phone';
}

/** The key of the JSON editor's error in a form's errors. */
export const JSON_TRAITS = '$json';

export type TraitValues = Record<string, string | boolean>;
export type TraitErrors = Record<string, string>;

type PropertySchema = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The JSON Schema type of a property (`["string", "null"]` counts as string). */
function jsonType(property: PropertySchema | undefined): string | undefined {
  const type = property?.['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((entry): entry is string => typeof entry === 'string' && entry !== 'null');
  return undefined;
}

/** The schema's fields as the form shows them, in the schema's order. */
export function traitFields(view: Pick<IdentitySchemaView, 'schema' | 'fields'>): TraitField[] {
  const properties = isRecord(view.schema) && isRecord(view.schema['properties']) ? view.schema['properties'] : {};
  return view.fields.map((field) => {
    const property = isRecord(properties[field.trait]) ? (properties[field.trait] as PropertySchema) : undefined;
    const type = jsonType(property);
    let kind: TraitKind;
    let itemKind: TraitField['itemKind'];
    if (type === 'boolean' || (!type && field.type === 'BOOLEAN')) kind = 'boolean';
    else if (type === 'integer' || (!type && field.type === 'INTEGER')) kind = 'integer';
    else if (type === 'number' || (!type && field.input === 'number')) kind = 'number';
    else if (type === 'object') kind = 'json';
    else if (type === 'array' || (!type && field.type === 'MULTI_VALUED')) {
      const items = isRecord(property?.['items']) ? jsonType(property['items']) : undefined;
      if (items === undefined || items === 'string') kind = 'list';
      else if (items === 'integer' || items === 'number') {
        kind = 'list';
        itemKind = items;
      } else kind = 'json';
    } else kind = 'string';
    const keyway = isRecord(property?.['keyway']) ? property['keyway'] : {};
    const via = isRecord(keyway['verification']) ? keyway['verification']['via'] : undefined;
    const description = property?.['description'];
    return {
      trait: field.trait,
      label: field.displayName || field.trait,
      required: field.required,
      kind,
      input: field.input,
      ...(field.options ? { options: field.options } : {}),
      ...(itemKind ? { itemKind } : {}),
      ...(typeof description === 'string' && description ? { description } : {}),
      ...(via === 'email' || via === 'phone' ? { verifiedVia: via } : {}),
    };
  });
}

/** The fields the form holds (everything but the JSON editor's). */
export function formFields(fields: TraitField[]): TraitField[] {
  return fields.filter((field) => field.kind !== 'json');
}

/** The form's values for stored traits (empty for a new identity). */
export function initialValues(fields: TraitField[], traits: Record<string, unknown> = {}): TraitValues {
  const values: TraitValues = {};
  for (const field of formFields(fields)) {
    const value = traits[field.trait];
    if (field.kind === 'boolean') values[field.trait] = value === true;
    else if (field.kind === 'list') values[field.trait] = Array.isArray(value) ? value.map(String).join('\n') : '';
    else values[field.trait] = value === undefined || value === null ? '' : String(value);
  }
  return values;
}

/** The traits the form's fields do not hold, as the JSON editor starts: '' when there are none. */
export function initialJson(fields: TraitField[], traits: Record<string, unknown> = {}): string {
  const held = new Set(formFields(fields).map((field) => field.trait));
  const rest = Object.fromEntries(Object.entries(traits).filter(([name]) => !held.has(name)));
  return Object.keys(rest).length > 0 ? JSON.stringify(rest, null, 2) : '';
}

/**
 * The traits to send, or what is wrong with the form (by trait, JSON_TRAITS for the JSON editor). An empty
 * optional field leaves its trait out; an unticked optional checkbox too, unless the trait was stored before.
 */
export function buildTraits(
  fields: TraitField[],
  values: TraitValues,
  json: string,
  before: Record<string, unknown> = {},
): { traits: Record<string, unknown>; errors?: undefined } | { traits?: undefined; errors: TraitErrors } {
  const errors: TraitErrors = {};
  const traits: Record<string, unknown> = {};

  if (json.trim()) {
    const parsed = parseJson(json);
    if (parsed === INVALID) errors[JSON_TRAITS] = 'Not valid JSON.';
    else if (!isRecord(parsed)) errors[JSON_TRAITS] = 'Must be a JSON object: { "trait": value }.';
    else {
      const clashes = formFields(fields)
        .map((field) => field.trait)
        .filter((trait) => Object.hasOwn(parsed, trait));
      if (clashes.length > 0) errors[JSON_TRAITS] = `Set ${clashes.join(', ')} with the field above, not here.`;
      else Object.assign(traits, parsed);
    }
  }

  for (const field of formFields(fields)) {
    const raw = values[field.trait];
    if (field.kind === 'boolean') {
      const checked = raw === true;
      if (checked || field.required || Object.hasOwn(before, field.trait)) traits[field.trait] = checked;
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (!text) {
      if (field.required) errors[field.trait] = `${field.label} is required.`;
      continue;
    }
    switch (field.kind) {
      case 'integer':
        if (/^[-+]?\d+$/.test(text) && Number.isSafeInteger(Number(text))) traits[field.trait] = Number(text);
        else errors[field.trait] = 'Must be a whole number.';
        break;
      case 'number': {
        const number = Number(text);
        if (Number.isFinite(number)) traits[field.trait] = number;
        else errors[field.trait] = 'Must be a number.';
        break;
      }
      case 'list': {
        const items = text
          .split('\n')
          .map((item) => item.trim())
          .filter(Boolean);
        if (field.itemKind === 'integer' || field.itemKind === 'number') {
          const numbers = items.map(Number);
          const bad = numbers.some((number) =>
            field.itemKind === 'integer' ? !Number.isSafeInteger(number) : !Number.isFinite(number),
          );
          if (bad)
            errors[field.trait] = field.itemKind === 'integer' ? 'One whole number a line.' : 'One number a line.';
          else traits[field.trait] = numbers;
        } else traits[field.trait] = items;
        break;
      }
      default:
        traits[field.trait] = text;
    }
  }

  return Object.keys(errors).length > 0 ? { errors } : { traits };
}

/** The errors without the one at `key`: a field's complaint goes once its value is changed. */
export function withoutError(errors: TraitErrors, key: string): TraitErrors {
  if (!(key in errors)) return errors;
  const rest = { ...errors };
  delete rest[key];
  return rest;
}

const INVALID = Symbol('invalid JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}

/** An API message ("must be a valid email") as the form shows it ("Must be a valid email."). */
export function sentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * The API's per-field complaints (`traits.email`, `traits.address.city`, `password`, `reason`) by where the
 * form shows them: a form field's trait, JSON_TRAITS for any other trait, else the body field's first segment.
 * The first complaint about a place wins.
 */
export function placeApiErrors(fields: TraitField[], entries: { field: string; message: string }[] = []): TraitErrors {
  const held = new Set(formFields(fields).map((field) => field.trait));
  const placed: TraitErrors = {};
  for (const { field, message } of entries) {
    const [head = '', trait] = field.split('.');
    const where = head === 'traits' ? (trait !== undefined && held.has(trait) ? trait : JSON_TRAITS) : head;
    placed[where] ??= sentence(message);
  }
  return placed;
}
