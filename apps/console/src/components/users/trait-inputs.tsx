'use client';

import { useId } from 'react';
import { Field } from '../common/page-parts';
import { inputClass } from '../ui';
import { formFields, JSON_TRAITS, type TraitErrors, type TraitField, type TraitValues } from './traits-form';

/** Input types the browser renders as they are; the rest (select, checkbox, textarea, lists) are drawn here. */
const PLAIN_INPUTS = new Set(['text', 'email', 'tel', 'date', 'url', 'number']);

/**
 * The schema's fields as inputs, then the JSON editor for the traits they cannot hold. Without a schema
 * (`fields` undefined: the caller may not read schemas) every trait is edited as JSON.
 */
export function TraitInputs({
  fields,
  values,
  json,
  errors,
  onValue,
  onJson,
}: {
  fields: TraitField[] | undefined;
  values: TraitValues;
  json: string;
  errors: TraitErrors;
  onValue: (trait: string, value: string | boolean) => void;
  onJson: (json: string) => void;
}) {
  const inForm = fields ? formFields(fields) : [];
  const jsonTraits = fields?.filter((field) => field.kind === 'json').map((field) => field.trait) ?? [];
  const editor = (
    <Field
      label={fields ? 'Other traits (JSON)' : 'Traits (JSON)'}
      hint={
        fields
          ? `A JSON object of the traits the fields above do not hold${jsonTraits.length ? ` (${jsonTraits.join(', ')})` : ''}.`
          : 'A JSON object, e.g. { "email": "jane@example.com" }; the identity schema checks it.'
      }
      error={errors[JSON_TRAITS]}
    >
      {(props) => (
        <textarea
          {...props}
          rows={fields ? 4 : 8}
          spellCheck={false}
          className={`${inputClass} font-mono`}
          value={json}
          placeholder={fields ? '{ }' : '{ "email": "" }'}
          onChange={(event) => onJson(event.target.value)}
        />
      )}
    </Field>
  );
  return (
    <div className="space-y-5">
      {inForm.map((field) => (
        <TraitInput
          key={field.trait}
          field={field}
          value={values[field.trait] ?? (field.kind === 'boolean' ? false : '')}
          error={errors[field.trait]}
          onChange={(value) => onValue(field.trait, value)}
        />
      ))}
      {fields ? (
        <details open={Boolean(json.trim()) || Boolean(errors[JSON_TRAITS]) || jsonTraits.length > 0}>
          <summary className="cursor-pointer text-sm font-medium text-zinc-600 dark:text-zinc-400">
            Other traits
          </summary>
          <div className="mt-3">{editor}</div>
        </details>
      ) : (
        editor
      )}
    </div>
  );
}

function TraitInput({
  field,
  value,
  error,
  onChange,
}: {
  field: TraitField;
  value: string | boolean;
  error: string | undefined;
  onChange: (value: string | boolean) => void;
}) {
  if (field.kind === 'boolean')
    return (
      <Checkbox
        label={field.label}
        hint={field.description}
        checked={value === true}
        error={error}
        onChange={onChange}
      />
    );
  const label = field.required ? field.label : `${field.label} (optional)`;
  const text = typeof value === 'string' ? value : '';
  const hint = field.kind === 'list' ? [field.description, 'One a line.'].filter(Boolean).join(' ') : field.description;
  return (
    <Field label={label} hint={hint} error={error}>
      {(props) => {
        if (field.options && field.kind === 'string')
          return (
            <select {...props} className={inputClass} value={text} onChange={(event) => onChange(event.target.value)}>
              <option value="">{field.required ? 'Choose…' : '—'}</option>
              {field.options.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
          );
        if (field.kind === 'list' || field.input === 'textarea')
          return (
            <textarea
              {...props}
              rows={3}
              className={inputClass}
              value={text}
              onChange={(event) => onChange(event.target.value)}
            />
          );
        const type = field.kind === 'integer' || field.kind === 'number' ? 'number' : field.input;
        return (
          <input
            {...props}
            type={PLAIN_INPUTS.has(type) ? type : 'text'}
            step={field.kind === 'number' ? 'any' : undefined}
            autoComplete="off"
            required={field.required}
            className={inputClass}
            value={text}
            onChange={(event) => onChange(event.target.value)}
          />
        );
      }}
    </Field>
  );
}

/** A checkbox with its label beside it, its hint and its error tied by aria attributes. */
export function Checkbox({
  label,
  hint,
  checked,
  error,
  onChange,
}: {
  label: string;
  hint: string | undefined;
  checked: boolean;
  error: string | undefined;
  onChange: (checked: boolean) => void;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div>
      <label className="flex items-start gap-2 text-sm font-medium">
        <input
          id={id}
          type="checkbox"
          className="mt-0.5 size-4 rounded border-zinc-300 text-indigo-600 focus:ring-indigo-600"
          checked={checked}
          aria-invalid={Boolean(error)}
          aria-describedby={describedBy || undefined}
          onChange={(event) => onChange(event.target.checked)}
        />
        {label}
      </label>
      {hint && (
        <p id={`${id}-hint`} className="mt-1 pl-6 text-xs text-zinc-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="mt-1 pl-6 text-sm text-rose-600 dark:text-rose-400">
          {error}
        </p>
      )}
    </div>
  );
}
