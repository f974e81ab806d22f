'use client';

import { QRCodeSVG } from 'qrcode.react';
import type { AuthenticatorOption, AuthenticatorParam, NextStep } from '@keyway/flow-types';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { SignInStepBody } from '../../lib/console-wire';
import { describePasskeyError, passkeysSupported, passkeyTokenResponse } from '../../lib/passkeys';
import { Alert, Button, inputClass, Spinner } from '../ui';
import { FlowMessages } from './flow-messages';

/**
 * One step of a flow, rendered from the step object alone: whatever the login flow of the console's client
 * asks for (password, passkey, TOTP, email code, backup code…) renders without code that knows it. The
 * option being answered shows its inputs; the others are offered below it. Options a MULTI_OPTIONS_PROMPT
 * lists without a prompt need initiation: choosing one asks the API, whose answer is the next step.
 */
export function FlowStep({
  step,
  busy,
  remembered,
  onAnswer,
}: {
  step: NextStep;
  busy: boolean;
  /** Values typed into earlier forms of this sign-in (never secrets), to fill the same fields again. */
  remembered: Readonly<Record<string, string>>;
  onAnswer: (answer: SignInStepBody) => void;
}) {
  const options = step.authenticators;
  const [selectedId, setSelectedId] = useState(() => (options.find(isReady) ?? options[0])?.authenticatorId);
  const selected = options.find((option) => option.authenticatorId === selectedId) ?? options[0];
  const others = options.filter((option) => option !== selected);

  return (
    <div className="space-y-5">
      <FlowMessages messages={step.messages} />
      {selected && (
        <OptionPrompt
          key={selected.authenticatorId}
          option={selected}
          busy={busy}
          remembered={remembered}
          onAnswer={onAnswer}
        />
      )}
      {others.length > 0 && (
        <div>
          <div className="flex items-center gap-3 text-xs text-zinc-500" aria-hidden="true">
            <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
            or
            <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
          </div>
          <ul className="mt-4 space-y-2" aria-label="Other ways to sign in">
            {others.map((option) => (
              <li key={option.authenticatorId}>
                <Button
                  variant="secondary"
                  className="w-full"
                  disabled={busy}
                  onClick={() =>
                    isReady(option)
                      ? setSelectedId(option.authenticatorId)
                      : onAnswer({ authenticatorId: option.authenticatorId })
                  }
                >
                  {choiceLabel(option)}
                </Button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** An option that carries its prompt; the others (passkey, email code in a multi-option step) must be initiated. */
function isReady(option: AuthenticatorOption): boolean {
  return option.metadata.promptType !== undefined;
}

const CHOICES: Record<string, string> = {
  'authenticator.basic': 'Sign in with a password',
  'authenticator.Fido': 'Sign in with a passkey',
  'authenticator.totp': 'Use your authenticator app',
  'authenticator.backup.code': 'Use a backup code',
  'authenticator.email.otp': 'Email me a sign-in code',
};

function choiceLabel(option: AuthenticatorOption): string {
  return CHOICES[option.metadata.i18nKey] ?? `Use ${option.authenticator}`;
}

function OptionPrompt({
  option,
  busy,
  remembered,
  onAnswer,
}: {
  option: AuthenticatorOption;
  busy: boolean;
  remembered: Readonly<Record<string, string>>;
  onAnswer: (answer: SignInStepBody) => void;
}) {
  const { promptType, params, additionalData } = option.metadata;
  if (promptType === 'USER_PROMPT')
    return <ParamsForm option={option} params={params ?? []} busy={busy} remembered={remembered} onAnswer={onAnswer} />;
  if (promptType === 'INTERNAL_PROMPT' && additionalData?.['challengeData'])
    return (
      <PasskeyPrompt option={option} challengeData={additionalData['challengeData']} busy={busy} onAnswer={onAnswer} />
    );
  if (promptType === undefined)
    return (
      <Button className="w-full" disabled={busy} onClick={() => onAnswer({ authenticatorId: option.authenticatorId })}>
        {choiceLabel(option)}
      </Button>
    );
  return (
    <Alert tone="error">
      {option.authenticator} needs a native app or a redirect, which the console does not offer. Choose another way to
      sign in.
    </Alert>
  );
}

/** A USER_PROMPT: one labelled input per param, in the API's order; confidential params are password inputs. */
function ParamsForm({
  option,
  params,
  busy,
  remembered,
  onAnswer,
}: {
  option: AuthenticatorOption;
  params: readonly AuthenticatorParam[];
  busy: boolean;
  remembered: Readonly<Record<string, string>>;
  onAnswer: (answer: SignInStepBody) => void;
}) {
  const formId = useId();
  const ordered = [...params].sort((a, b) => a.order - b.order);
  const required = new Set(option.requiredParams ?? ordered.map((param) => param.param));
  const enrollment = option.metadata.additionalData;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const values: Record<string, string> = {};
    for (const param of ordered) {
      const value = data.get(param.param);
      values[param.param] = param.type === 'BOOLEAN' ? String(value === 'on') : typeof value === 'string' ? value : '';
    }
    onAnswer({ authenticatorId: option.authenticatorId, params: values });
  }

  return (
    <form onSubmit={submit} className="space-y-4" aria-label={option.authenticator}>
      {enrollment?.['enrollment'] === 'true' && enrollment['secret'] && (
        <Alert tone="info" title="Set up your authenticator app">
          {enrollment['otpauthUri'] && (
            <span className="my-2 block w-fit rounded-lg bg-white p-2">
              <QRCodeSVG
                value={enrollment['otpauthUri']}
                size={168}
                role="img"
                aria-label="QR code of the authenticator key"
                data-testid="totp-qr"
              />
            </span>
          )}
          Scan the code with your authenticator app, or add this key by hand, then enter the code it shows:{' '}
          <code className="font-mono break-all select-all" data-testid="totp-secret">
            {enrollment['secret']}
          </code>
        </Alert>
      )}
      {ordered.map((param, index) => {
        const id = `${formId}-${param.param}`;
        if (param.type === 'BOOLEAN')
          return (
            <label key={param.param} htmlFor={id} className="flex items-center gap-2 text-sm">
              <input id={id} name={param.param} type="checkbox" className="size-4 rounded border-zinc-300" />
              {param.displayName}
            </label>
          );
        return (
          <div key={param.param}>
            <label htmlFor={id} className="block text-sm font-medium">
              {param.displayName}
            </label>
            <input
              id={id}
              name={param.param}
              className={`mt-1.5 ${inputClass}`}
              required={required.has(param.param)}
              autoFocus={index === 0}
              defaultValue={param.confidential ? undefined : remembered[param.param]}
              {...inputHints(param)}
            />
          </div>
        );
      })}
      <Button type="submit" className="w-full" disabled={busy}>
        {busy ? 'Checking…' : 'Continue'}
      </Button>
    </form>
  );
}

/** Browser hints from what a param is: password managers fill passwords, phones offer received codes. */
function inputHints(param: AuthenticatorParam) {
  const name = param.param.toLowerCase();
  if (param.confidential)
    return { type: 'password', autoComplete: name.includes('password') ? 'current-password' : 'off' } as const;
  if (name === 'username' || name === 'email')
    return { type: 'text', autoComplete: 'username', autoCapitalize: 'none', spellCheck: false } as const;
  if (name === 'token' || name === 'otpcode' || param.type === 'INTEGER')
    return { type: 'text', inputMode: 'numeric', autoComplete: 'one-time-code' } as const;
  if (name === 'code') return { type: 'text', autoComplete: 'one-time-code', autoCapitalize: 'none' } as const;
  return { type: 'text' } as const;
}

/**
 * An INTERNAL_PROMPT with a WebAuthn challenge: the browser is asked for a passkey as soon as the step
 * arrives (the user just chose it), and again on request if that was cancelled.
 */
function PasskeyPrompt({
  option,
  challengeData,
  busy,
  onAnswer,
}: {
  option: AuthenticatorOption;
  challengeData: string;
  busy: boolean;
  onAnswer: (answer: SignInStepBody) => void;
}) {
  const [state, setState] = useState<{ kind: 'asking' } | { kind: 'failed'; reason: string }>({ kind: 'asking' });
  const asked = useRef(false);

  async function ask() {
    setState({ kind: 'asking' });
    try {
      const tokenResponse = await passkeyTokenResponse(challengeData);
      onAnswer({ authenticatorId: option.authenticatorId, params: { tokenResponse } });
    } catch (error) {
      setState({ kind: 'failed', reason: describePasskeyError(error) });
    }
  }

  useEffect(() => {
    if (asked.current) return;
    asked.current = true;
    if (!passkeysSupported()) setState({ kind: 'failed', reason: 'This browser does not support passkeys.' });
    else void ask();
    // The challenge is asked for once per step (StrictMode runs effects twice); a retry is the user's choice.
  }, []);

  if (state.kind === 'asking' || busy) return <Spinner label="Waiting for your passkey…" />;
  return (
    <div className="space-y-3">
      <Alert tone="error">{state.reason}</Alert>
      {passkeysSupported() && (
        <Button className="w-full" onClick={() => void ask()}>
          Try the passkey again
        </Button>
      )}
    </div>
  );
}
