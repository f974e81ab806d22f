'use client';

import { LoginFlowPreview } from '@keyway/admin-api';
import { ok } from '@keyway/admin-client';
import type { AuthenticatorOption } from '@keyway/flow-types';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useAdminClient } from '../../lib/console-api';
import { useDebounced } from '../../lib/use-debounced';
import { Badge, Skeleton } from '../common/page-parts';
import { Alert, Card } from '../ui';

const PREVIEW_DELAY_MS = 400;

/**
 * The first prompt the app will get with the flow being designed, as the API's engine presents it (POST
 * …/login-flow/preview: nothing stored, sent or started): the prompt type, each option with the params the
 * app must collect, and the JSON itself, field for field as /oauth2/authorize answers.
 */
export function FirstPromptPreview({
  slug,
  clientId,
  flow,
  valid,
}: {
  slug: string;
  clientId: string;
  flow: string[][];
  /** False while the designer itself sees a problem: the preview waits for a flow the API would take. */
  valid: boolean;
}) {
  const admin = useAdminClient();
  const settled = useDebounced(valid ? JSON.stringify(flow) : '', PREVIEW_DELAY_MS);
  const preview = useQuery({
    queryKey: ['admin', 'projects', slug, 'applications', clientId, 'login-flow-preview', settled],
    queryFn: async () =>
      LoginFlowPreview.parse(
        await ok(
          admin.POST('/api/admin/v1/projects/{slug}/applications/{clientId}/login-flow/preview', {
            params: { path: { slug, clientId } },
            body: { loginFlow: JSON.parse(settled) as string[][] },
          }),
        ),
      ),
    enabled: settled !== '',
    placeholderData: keepPreviousData,
    retry: false,
  });

  return (
    <Card className="p-4">
      <section aria-labelledby="first-prompt-heading" className="space-y-3">
        <div className="flex items-center justify-between gap-2">
          <h3 id="first-prompt-heading" className="text-sm font-semibold">
            The app’s first prompt
          </h3>
          {preview.data && <Badge tone="zinc">{preview.data.nextStep.stepType}</Badge>}
        </div>
        <p className="text-xs text-zinc-500">
          What <code>/oauth2/authorize</code> with <code>response_mode=direct</code> answers with this flow, from the
          API’s engine; nothing is saved.
        </p>
        {!valid && <p className="text-sm text-zinc-500">Shown once the flow has no problem left.</p>}
        {valid && preview.isPending && <Skeleton className="h-24" />}
        {preview.isError && <Alert tone="error">{preview.error.message}</Alert>}
        {valid && preview.data && (
          <>
            <ul className="space-y-2" aria-label="Options of the first prompt">
              {preview.data.nextStep.authenticators.map((option) => (
                <PreviewOption key={option.authenticatorId} option={option} />
              ))}
            </ul>
            <details className="text-xs">
              <summary className="cursor-pointer text-zinc-500">JSON</summary>
              <pre className="mt-2 max-h-72 overflow-auto rounded-lg bg-zinc-950 p-3 text-zinc-100">
                {JSON.stringify(preview.data.nextStep, null, 2)}
              </pre>
            </details>
          </>
        )}
      </section>
    </Card>
  );
}

function PreviewOption({ option }: { option: AuthenticatorOption }) {
  const params = option.metadata.params ?? [];
  return (
    <li className="rounded-lg border border-zinc-200 p-3 text-sm dark:border-zinc-800">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{option.authenticator}</span>
        {option.metadata.promptType && <Badge tone="zinc">{option.metadata.promptType}</Badge>}
      </div>
      {params.length > 0 ? (
        <p className="mt-1 text-xs text-zinc-500">
          Asks for {params.map((param) => `${param.displayName}${param.confidential ? ' (secret)' : ''}`).join(', ')}
        </p>
      ) : (
        <p className="mt-1 text-xs text-zinc-500">
          {option.metadata.promptType
            ? 'The app answers it itself (e.g. a passkey through the platform).'
            : 'Shown by name: selecting it starts it (a code is sent, a challenge made).'}
        </p>
      )}
    </li>
  );
}
