'use client';

import { AdminApiError } from '@keyway/admin-client';
import type { ApplicationView, LoginOption } from '@keyway/admin-api';
import { useState } from 'react';

import { useLoginOptions } from '../../lib/queries';
import { Badge, QueryError, Skeleton } from '../common/page-parts';
import { Alert, Button, Card, inputClass } from '../ui';
import { useSaveApplication } from './application-detail';
import { FirstPromptPreview } from './first-prompt-preview';

const MAX_STEPS = 10;
const MAX_OPTIONS = 10;

/**
 * The same rules as the API's LoginFlowValidator, phrased for the designer: at least one step, no empty step,
 * no option twice in a step, and no second factor (an option that verifies an identity an earlier step
 * established) in step 1. The API checks again on save and its message is shown as it says it.
 */
function flowProblems(flow: string[][], options: LoginOption[]): string[] {
  if (flow.length === 0) return ['Add at least one step.'];
  const byName = new Map(options.map((option) => [option.name, option]));
  const problems: string[] = [];
  flow.forEach((step, index) => {
    if (step.length === 0) problems.push(`Step ${index + 1} is empty: add an option or remove the step.`);
    for (const name of step) {
      const option = byName.get(name);
      if (!option) problems.push(`Step ${index + 1}: ${name} is not a login option of this server.`);
      else if (index === 0 && option.requiresIdentity)
        problems.push(
          `Step 1: ${option.displayName} verifies a user an earlier step identified, so it cannot be in the first step.`,
        );
    }
  });
  return problems;
}

/** Steps × options: each step offers one or more options; the user passes every step in order. */
export function LoginFlowDesigner({
  slug,
  application,
  canWrite,
}: {
  slug: string;
  application: ApplicationView;
  canWrite: boolean;
}) {
  const options = useLoginOptions();
  const save = useSaveApplication(slug, application.clientId);
  const [flow, setFlow] = useState<string[][]>(application.loginFlow);
  const [problems, setProblems] = useState<string[]>([]);
  const [apiError, setApiError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  if (options.isPending) return <Skeleton className="h-48" />;
  if (options.isError) return <QueryError error={options.error} retry={() => void options.refetch()} />;
  const catalog = options.data;
  const label = (name: string) => catalog.find((option) => option.name === name)?.displayName ?? name;

  function change(next: string[][]) {
    setFlow(next);
    setSaved(false);
    setApiError(undefined);
    setProblems([]);
  }
  function move(index: number, by: -1 | 1) {
    const next = [...flow];
    const [moved] = next.splice(index, 1);
    if (moved) next.splice(index + by, 0, moved);
    change(next);
  }

  async function submit() {
    const local = flowProblems(flow, catalog);
    setProblems(local);
    if (local.length > 0) return;
    setSaving(true);
    const outcome = await save({ loginFlow: flow });
    setSaving(false);
    if (outcome === true) setSaved(true);
    else setApiError(outcome instanceof AdminApiError ? outcome.message : outcome);
  }

  return (
    <div className="space-y-4">
      <p className="text-sm text-zinc-500">
        The user passes every step in order; in a step with several options, they pick one. Second factors (marked) need
        an earlier step to have identified the user.
      </p>
      <ol className="space-y-3" aria-label="Login steps">
        {flow.map((step, index) => {
          const available = catalog.filter(
            (option) => !step.includes(option.name) && !(index === 0 && option.requiresIdentity),
          );
          return (
            <li key={index}>
              <Card className="p-4">
                <div className="flex flex-wrap items-center justify-between gap-3">
                  <h3 className="text-sm font-semibold">Step {index + 1}</h3>
                  {canWrite && (
                    <div className="flex gap-1">
                      <Button
                        variant="ghost"
                        aria-label={`Move step ${index + 1} up`}
                        disabled={index === 0}
                        onClick={() => move(index, -1)}
                      >
                        ↑
                      </Button>
                      <Button
                        variant="ghost"
                        aria-label={`Move step ${index + 1} down`}
                        disabled={index === flow.length - 1}
                        onClick={() => move(index, 1)}
                      >
                        ↓
                      </Button>
                      <Button
                        variant="ghost"
                        aria-label={`Remove step ${index + 1}`}
                        onClick={() => change(flow.filter((_, at) => at !== index))}
                      >
                        Remove
                      </Button>
                    </div>
                  )}
                </div>
                <ul className="mt-3 flex flex-wrap gap-2" aria-label={`Options of step ${index + 1}`}>
                  {step.length === 0 && <li className="text-sm text-zinc-500">No option yet.</li>}
                  {step.map((name) => (
                    <li
                      key={name}
                      className="inline-flex items-center gap-2 rounded-lg bg-zinc-100 py-1 pr-1 pl-3 text-sm dark:bg-zinc-800"
                    >
                      <span>{label(name)}</span>
                      {catalog.find((option) => option.name === name)?.requiresIdentity && (
                        <Badge tone="amber">second factor</Badge>
                      )}
                      {canWrite && (
                        <button
                          type="button"
                          aria-label={`Remove ${label(name)} from step ${index + 1}`}
                          onClick={() =>
                            change(
                              flow.map((options, at) => (at === index ? options.filter((n) => n !== name) : options)),
                            )
                          }
                          className="rounded px-1.5 text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-indigo-600 dark:hover:bg-zinc-700"
                        >
                          ×
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
                {canWrite && step.length < MAX_OPTIONS && available.length > 0 && (
                  <div className="mt-3 max-w-xs">
                    <label className="sr-only" htmlFor={`add-option-${index}`}>
                      Add an option to step {index + 1}
                    </label>
                    <select
                      id={`add-option-${index}`}
                      className={inputClass}
                      value=""
                      onChange={(event) => {
                        const name = event.target.value;
                        if (name) change(flow.map((options, at) => (at === index ? [...options, name] : options)));
                      }}
                    >
                      <option value="">Add an option…</option>
                      {available.map((option) => (
                        <option key={option.name} value={option.name}>
                          {option.displayName}
                          {option.requiresIdentity ? ' (second factor)' : ''}
                        </option>
                      ))}
                    </select>
                  </div>
                )}
              </Card>
            </li>
          );
        })}
      </ol>
      {problems.length > 0 && (
        <Alert tone="error" title="The flow cannot be saved yet">
          <ul className="list-disc pl-5">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </Alert>
      )}
      {apiError && (
        <Alert tone="error" title="The API refused this flow">
          {apiError}
        </Alert>
      )}
      <FirstPromptPreview
        slug={slug}
        clientId={application.clientId}
        flow={flow}
        valid={flowProblems(flow, catalog).length === 0}
      />
      {saved && <Alert tone="info">Login flow saved.</Alert>}
      {canWrite && (
        <div className="flex justify-between">
          <Button variant="secondary" disabled={flow.length >= MAX_STEPS} onClick={() => change([...flow, []])}>
            Add step
          </Button>
          <Button onClick={() => void submit()} disabled={saving}>
            {saving ? 'Saving…' : 'Save login flow'}
          </Button>
        </div>
      )}
    </div>
  );
}
