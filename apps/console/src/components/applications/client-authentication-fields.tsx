'use client';

import { Field } from '../common/page-parts';
import { inputClass } from '../ui';
import { METHOD_LABELS, type ClientAuthenticationDraft, type ConfidentialMethod } from './application-form';

/**
 * A confidential client's authentication method and, for private_key_jwt, its public keys: a pasted JWK Set or
 * the URL where the app publishes one. Used by the create form and the application's authentication tab.
 */
export function ClientAuthenticationFields({
  draft,
  onChange,
  errors,
}: {
  draft: ClientAuthenticationDraft;
  onChange: (draft: ClientAuthenticationDraft) => void;
  errors: { jwks?: string | undefined; jwksUri?: string | undefined };
}) {
  const set = (changes: Partial<ClientAuthenticationDraft>) => onChange({ ...draft, ...changes });
  return (
    <div className="space-y-4">
      <Field label="Client authentication" hint="The app authenticates this way only; others are refused.">
        {(props) => (
          <select
            {...props}
            className={inputClass}
            value={draft.method}
            onChange={(event) => set({ method: event.target.value as ConfidentialMethod })}
          >
            {(Object.keys(METHOD_LABELS) as ConfidentialMethod[]).map((method) => (
              <option key={method} value={method}>
                {METHOD_LABELS[method]}
              </option>
            ))}
          </select>
        )}
      </Field>
      {draft.method === 'private_key_jwt' && (
        <>
          <fieldset>
            <legend className="text-sm font-medium">The app’s public keys</legend>
            <div className="mt-2 flex gap-4">
              {(
                [
                  ['jwks', 'Paste a JWK Set'],
                  ['jwksUri', 'JWK Set URL'],
                ] as const
              ).map(([source, label]) => (
                <label key={source} className="flex items-center gap-2 text-sm">
                  <input
                    type="radio"
                    name="key-source"
                    value={source}
                    checked={draft.keySource === source}
                    onChange={() => set({ keySource: source })}
                  />
                  {label}
                </label>
              ))}
            </div>
          </fieldset>
          {draft.keySource === 'jwks' ? (
            <Field
              label="JWK Set"
              hint='Public keys only (RSA ≥ 2048 bits, EC P-256 or Ed25519): {"keys": [ … ]}'
              error={errors.jwks}
            >
              {(props) => (
                <textarea
                  {...props}
                  rows={8}
                  className={`${inputClass} font-mono text-xs`}
                  value={draft.jwksText}
                  onChange={(event) => set({ jwksText: event.target.value })}
                />
              )}
            </Field>
          ) : (
            <Field
              label="JWK Set URL"
              hint="https; fetched when the app authenticates, cached, and fetched again for a new key id."
              error={errors.jwksUri}
            >
              {(props) => (
                <input
                  {...props}
                  className={`${inputClass} font-mono`}
                  placeholder="https://app.example.com/.well-known/jwks.json"
                  value={draft.jwksUri}
                  onChange={(event) => set({ jwksUri: event.target.value })}
                />
              )}
            </Field>
          )}
        </>
      )}
    </div>
  );
}
