'use client';

import { OutboxMessage, SmtpSettings } from '@keyway/admin-api';
import { AdminApiError, ok, type AdminRequestBody } from '@keyway/admin-client';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useAdminClient } from '../../lib/console-api';
import { useCaller } from '../../lib/queries';
import { emailKeys, useOutbox, useSmtpSettings } from '../../lib/queries-email';
import { Badge, Dialog, Field, formatDate, QueryError, Skeleton } from '../common/page-parts';
import { Alert, Button, Card, inputClass, Spinner } from '../ui';
import { STATUS_TONE } from './email-labels';

type SmtpBody = AdminRequestBody<'/api/admin/v1/projects/{slug}/email/smtp', 'put'>;
type TlsMode = SmtpSettings['tlsMode'];
type SmtpField = 'host' | 'port' | 'tlsMode' | 'username' | 'password' | 'fromName' | 'fromAddress';

const TLS_MODES: { mode: TlsMode; label: string; port: number }[] = [
  { mode: 'starttls', label: 'STARTTLS: upgrade a plain connection (usually port 587)', port: 587 },
  { mode: 'tls', label: 'TLS: encrypted from the start (usually port 465)', port: 465 },
  { mode: 'none', label: 'None: plain SMTP (a relay on the same network only)', port: 25 },
];
const STANDARD_PORTS = new Set(['', ...TLS_MODES.map((entry) => String(entry.port))]);
// The API's own checks (PUT …/email/smtp), so most mistakes show before anything is sent.
const HOST = /^[A-Za-z0-9.:[\]-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SINGLE_LINE = /^[^\r\n]*$/;

/** The project's SMTP server (or the instance default), the form to change it, and a test mail through it. */
export function SmtpPanel({
  slug,
  canWrite,
  onShowOutbox,
}: {
  slug: string;
  canWrite: boolean;
  onShowOutbox: () => void;
}) {
  const smtp = useSmtpSettings(slug);
  const [notice, setNotice] = useState<string>();

  if (smtp.isPending) return <Skeleton className="h-96" />;
  if (smtp.isError) return <QueryError error={smtp.error} retry={() => void smtp.refetch()} />;
  const settings = smtp.data;

  return (
    <div className="space-y-6">
      <Card className="flex flex-wrap items-center justify-between gap-3 p-5">
        {settings ? (
          <div>
            <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
              <Badge tone="green">Project server</Badge>
              <span className="font-mono">
                {settings.host}:{settings.port}
              </span>
              <Badge tone="zinc">{settings.tlsMode === 'none' ? 'no TLS' : settings.tlsMode.toUpperCase()}</Badge>
            </p>
            <p className="mt-1 text-sm text-zinc-500">
              From {settings.fromName ? `${settings.fromName} <${settings.fromAddress}>` : settings.fromAddress}
              {settings.username ? `, signing in as ${settings.username}` : ', without signing in'}. Changed{' '}
              {formatDate(settings.updatedAt)}.
            </p>
          </div>
        ) : (
          <div>
            <p className="flex items-center gap-2 text-sm font-medium">
              <Badge tone="zinc">Instance default</Badge> This project has no SMTP server of its own.
            </p>
            <p className="mt-1 text-sm text-zinc-500">
              Its mail goes through the server this Keyway instance is configured with (KEYWAY_SMTP_URL), if any.
            </p>
          </div>
        )}
      </Card>
      <SmtpForm
        key={settings ? 'project' : 'instance'}
        slug={slug}
        settings={settings}
        canWrite={canWrite}
        notice={notice}
        onNotice={setNotice}
      />
      {canWrite && <TestMail slug={slug} onShowOutbox={onShowOutbox} />}
    </div>
  );
}

function SmtpForm({
  slug,
  settings,
  canWrite,
  notice,
  onNotice,
}: {
  slug: string;
  settings: SmtpSettings | null;
  canWrite: boolean;
  notice: string | undefined;
  onNotice: (notice: string | undefined) => void;
}) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const [host, setHost] = useState(settings?.host ?? '');
  const [port, setPort] = useState(settings ? String(settings.port) : '587');
  const [tlsMode, setTlsMode] = useState<TlsMode>(settings?.tlsMode ?? 'starttls');
  const [username, setUsername] = useState(settings?.username ?? '');
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  const [fromName, setFromName] = useState(settings?.fromName ?? '');
  const [fromAddress, setFromAddress] = useState(settings?.fromAddress ?? '');
  const [errors, setErrors] = useState<Partial<Record<SmtpField, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState<'save' | 'remove'>();
  const [confirmingRemove, setConfirmingRemove] = useState(false);
  const passwordSet = settings?.passwordSet === true;

  function changed() {
    onNotice(undefined);
    setFormError(undefined);
  }

  function validate(): Partial<Record<SmtpField, string>> {
    const problems: Partial<Record<SmtpField, string>> = {};
    const portNumber = Number(port);
    if (!host.trim()) problems.host = 'A host is required.';
    else if (host.trim().length > 253 || !HOST.test(host.trim()))
      problems.host = 'A host name or IP address, e.g. smtp.example.com.';
    if (!/^\d+$/.test(port.trim()) || portNumber < 1 || portNumber > 65535)
      problems.port = 'A port number from 1 to 65535.';
    if (username.length > 320 || !SINGLE_LINE.test(username)) problems.username = 'One line, at most 320 characters.';
    if (password.length > 1000) problems.password = 'At most 1000 characters.';
    if (fromName.length > 200 || !SINGLE_LINE.test(fromName)) problems.fromName = 'One line, at most 200 characters.';
    if (!fromAddress.trim()) problems.fromAddress = 'A sender address is required.';
    else if (!EMAIL.test(fromAddress.trim())) problems.fromAddress = 'An email address, e.g. no-reply@example.com.';
    return problems;
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    changed();
    const problems = validate();
    setErrors(problems);
    if (Object.values(problems).some(Boolean)) return;
    const body: SmtpBody = {
      host: host.trim(),
      port: Number(port),
      tlsMode,
      username: username.trim() || null,
      fromName: fromName.trim() || null,
      fromAddress: fromAddress.trim(),
      // Omitted, the stored password is kept; null removes it.
      ...(removePassword ? { password: null } : password ? { password } : {}),
    };
    setBusy('save');
    try {
      const saved = SmtpSettings.parse(
        await ok(admin.PUT('/api/admin/v1/projects/{slug}/email/smtp', { params: { path: { slug } }, body })),
      );
      setPassword('');
      setRemovePassword(false);
      onNotice(`SMTP settings saved${saved.passwordSet ? ' (with a password)' : ''}. Send a test mail to check them.`);
      queryClient.setQueryData(emailKeys.smtp(slug), saved);
    } catch (error) {
      if (error instanceof AdminApiError) {
        const byField = Object.fromEntries(
          (['host', 'port', 'tlsMode', 'username', 'password', 'fromName', 'fromAddress'] as const).map((field) => [
            field,
            error.fieldMessage(field),
          ]),
        );
        setErrors(byField);
        if (!Object.values(byField).some(Boolean)) setFormError(error.message);
      } else setFormError('The console could not be reached. Try again.');
    } finally {
      setBusy(undefined);
    }
  }

  async function remove() {
    setBusy('remove');
    try {
      await ok(admin.DELETE('/api/admin/v1/projects/{slug}/email/smtp', { params: { path: { slug } } }));
      setConfirmingRemove(false);
      onNotice('SMTP settings removed: this project’s mail goes through the instance default again.');
      queryClient.setQueryData(emailKeys.smtp(slug), null);
    } catch (error) {
      setConfirmingRemove(false);
      setFormError(error instanceof Error ? error.message : 'The settings could not be removed.');
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <form onSubmit={(event) => void save(event)} noValidate>
      <Card className="space-y-5 p-6">
        <div>
          <h2 className="text-base font-semibold">SMTP server</h2>
          <p className="mt-1 text-sm text-zinc-500">
            The server this project’s mail leaves through. The password is encrypted at rest and never shown again.
          </p>
        </div>
        <fieldset disabled={!canWrite} className="grid gap-5 sm:grid-cols-6">
          <div className="sm:col-span-4">
            <Field label="Host" error={errors.host}>
              {(props) => (
                <input
                  {...props}
                  className={`${inputClass} font-mono`}
                  value={host}
                  placeholder="smtp.example.com"
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(event) => {
                    setHost(event.target.value);
                    changed();
                  }}
                />
              )}
            </Field>
          </div>
          <div className="sm:col-span-2">
            <Field label="Port" error={errors.port}>
              {(props) => (
                <input
                  {...props}
                  className={`${inputClass} font-mono`}
                  inputMode="numeric"
                  value={port}
                  onChange={(event) => {
                    setPort(event.target.value);
                    changed();
                  }}
                />
              )}
            </Field>
          </div>
          <div className="sm:col-span-6">
            <Field label="Encryption (TLS mode)" error={errors.tlsMode}>
              {(props) => (
                <select
                  {...props}
                  className={inputClass}
                  value={tlsMode}
                  onChange={(event) => {
                    const mode = TLS_MODES.find((entry) => entry.mode === event.target.value);
                    if (!mode) return;
                    setTlsMode(mode.mode);
                    // A port that was the usual one for the old mode follows the new mode.
                    if (STANDARD_PORTS.has(port.trim())) setPort(String(mode.port));
                    changed();
                  }}
                >
                  {TLS_MODES.map((entry) => (
                    <option key={entry.mode} value={entry.mode}>
                      {entry.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <div className="sm:col-span-3">
            <Field label="Username" hint="Leave empty if the server needs no sign-in." error={errors.username}>
              {(props) => (
                <input
                  {...props}
                  className={inputClass}
                  value={username}
                  autoComplete="off"
                  onChange={(event) => {
                    setUsername(event.target.value);
                    changed();
                  }}
                />
              )}
            </Field>
          </div>
          <div className="sm:col-span-3">
            <Field
              label="Password"
              hint={
                passwordSet
                  ? 'A password is stored. Leave this empty to keep it, or type a new one to replace it.'
                  : 'Write-only: it is never shown again once saved.'
              }
              error={errors.password}
            >
              {(props) => (
                <div className="relative">
                  <input
                    {...props}
                    type="password"
                    className={`${inputClass} ${passwordSet ? 'pr-16' : ''}`}
                    value={password}
                    disabled={removePassword}
                    placeholder={passwordSet ? '•••••••• (stored)' : ''}
                    autoComplete="new-password"
                    onChange={(event) => {
                      setPassword(event.target.value);
                      changed();
                    }}
                  />
                  {passwordSet && (
                    <span className="absolute inset-y-0 right-2 flex items-center">
                      <Badge tone="green">Set</Badge>
                    </span>
                  )}
                </div>
              )}
            </Field>
            {passwordSet && canWrite && (
              <label className="mt-2 flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={removePassword}
                  onChange={(event) => {
                    setRemovePassword(event.target.checked);
                    if (event.target.checked) setPassword('');
                    changed();
                  }}
                />
                Remove the stored password
              </label>
            )}
          </div>
          <div className="sm:col-span-3">
            <Field label="From name" hint="Shown as the sender, e.g. Acme Accounts." error={errors.fromName}>
              {(props) => (
                <input
                  {...props}
                  className={inputClass}
                  value={fromName}
                  onChange={(event) => {
                    setFromName(event.target.value);
                    changed();
                  }}
                />
              )}
            </Field>
          </div>
          <div className="sm:col-span-3">
            <Field label="From address" error={errors.fromAddress}>
              {(props) => (
                <input
                  {...props}
                  type="email"
                  className={inputClass}
                  value={fromAddress}
                  placeholder="no-reply@example.com"
                  onChange={(event) => {
                    setFromAddress(event.target.value);
                    changed();
                  }}
                />
              )}
            </Field>
          </div>
        </fieldset>
        {formError && <Alert tone="error">{formError}</Alert>}
        {notice && <Alert tone="info">{notice}</Alert>}
        {canWrite && (
          <div className="flex flex-wrap justify-between gap-2">
            {settings ? (
              <Button
                variant="secondary"
                className="text-rose-700 dark:text-rose-400"
                onClick={() => setConfirmingRemove(true)}
                disabled={busy !== undefined}
              >
                Remove SMTP settings
              </Button>
            ) : (
              <span />
            )}
            <Button type="submit" disabled={busy !== undefined}>
              {busy === 'save' ? 'Saving…' : 'Save SMTP settings'}
            </Button>
          </div>
        )}
      </Card>
      {confirmingRemove && (
        <Dialog title="Remove the SMTP settings?" onClose={() => setConfirmingRemove(false)}>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            This project’s mail then goes through the instance’s default server (KEYWAY_SMTP_URL); without one, it waits
            in the outbox. The stored password is deleted.
          </p>
          <div className="mt-6 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirmingRemove(false)}>
              Cancel
            </Button>
            <Button variant="danger" onClick={() => void remove()} disabled={busy !== undefined}>
              {busy === 'remove' ? 'Removing…' : 'Remove'}
            </Button>
          </div>
        </Dialog>
      )}
    </form>
  );
}

/** A test mail through the outbox (as real mail goes), then what became of it, followed until it settles. */
function TestMail({ slug, onShowOutbox }: { slug: string; onShowOutbox: () => void }) {
  const admin = useAdminClient();
  const queryClient = useQueryClient();
  const caller = useCaller();
  const [to, setTo] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [queued, setQueued] = useState<OutboxMessage>();
  const outbox = useOutbox(slug, '', queued !== undefined);
  const suggested = caller.data && EMAIL.test(caller.data.name) ? caller.data.name : '';
  const recipient = to ?? suggested;
  const message = outbox.data?.find((entry) => entry.id === queued?.id) ?? queued;

  async function send(event: FormEvent) {
    event.preventDefault();
    if (!EMAIL.test(recipient.trim())) return setError('An email address, e.g. you@example.com.');
    setError(undefined);
    setBusy(true);
    try {
      const answer = OutboxMessage.parse(
        await ok(
          admin.POST('/api/admin/v1/projects/{slug}/email/test', {
            params: { path: { slug } },
            body: { to: recipient.trim() },
          }),
        ),
      );
      setQueued(answer);
      await queryClient.invalidateQueries({ queryKey: emailKeys.outbox(slug) });
    } catch (failure) {
      setError(
        failure instanceof AdminApiError
          ? (failure.fieldMessage('to') ?? failure.message)
          : 'The console could not be reached. Try again.',
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card className="space-y-4 p-6">
      <div>
        <h2 className="text-base font-semibold">Send a test mail</h2>
        <p className="mt-1 text-sm text-zinc-500">
          It goes through the outbox like real mail, by the server above (or the instance default).
        </p>
      </div>
      <form onSubmit={(event) => void send(event)} noValidate className="flex flex-wrap items-start gap-3">
        <div className="min-w-64 flex-1">
          <Field label="Send a test mail to" error={error}>
            {(props) => (
              <input
                {...props}
                type="email"
                className={inputClass}
                value={recipient}
                placeholder="you@example.com"
                onChange={(event) => {
                  setTo(event.target.value);
                  setError(undefined);
                }}
              />
            )}
          </Field>
        </div>
        <Button type="submit" className="mt-7" disabled={busy}>
          {busy ? 'Queueing…' : 'Send test mail'}
        </Button>
      </form>
      {message && <TestResult message={message} onShowOutbox={onShowOutbox} />}
    </Card>
  );
}

function TestResult({ message, onShowOutbox }: { message: OutboxMessage; onShowOutbox: () => void }) {
  const retrying = message.status === 'pending' && message.attempts > 0;
  return (
    <div
      role="status"
      data-testid="test-mail-result"
      className="flex flex-wrap items-start justify-between gap-3 rounded-lg border border-zinc-200 px-4 py-3 text-sm dark:border-zinc-800"
    >
      <div className="min-w-0 space-y-1">
        <p className="flex flex-wrap items-center gap-2">
          <Badge tone={retrying ? 'red' : STATUS_TONE[message.status]}>{retrying ? 'retrying' : message.status}</Badge>
          <span>
            Test mail to <span className="font-medium">{message.to}</span>
          </span>
        </p>
        {message.status === 'sent' && (
          <p className="text-zinc-600 dark:text-zinc-400">
            The SMTP server accepted it at {formatDate(message.sentAt)}.
          </p>
        )}
        {message.status === 'pending' && !retrying && <Spinner label="Queued: waiting for the outbox to send it…" />}
        {message.status === 'sending' && <Spinner label="Sending…" />}
        {(retrying || message.status === 'failed') && (
          <p className="text-rose-700 dark:text-rose-400">
            {message.status === 'failed'
              ? `Gave up after ${message.attempts} attempts`
              : `Attempt ${message.attempts} failed; the next is at ${formatDate(message.nextAttemptAt)}`}
            {message.lastError ? `: ${message.lastError}` : '.'}
          </p>
        )}
      </div>
      <Button variant="ghost" onClick={onShowOutbox}>
        View in outbox
      </Button>
    </div>
  );
}
