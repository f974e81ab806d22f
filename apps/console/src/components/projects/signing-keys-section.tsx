'use client';

import type { SigningKeyView } from '@keyway/admin-api';
import { useId, useState } from 'react';
import { useRotateSigningKeys, useSigningKeys, type SigningKeyAlg } from '../../lib/queries-settings';
import { Badge, Dialog, formatDate, QueryError, Skeleton } from '../common/page-parts';
import { Alert, Button, Card } from '../ui';

const STATUS_TONE = { next: 'zinc', active: 'green', retiring: 'amber' } as const;
const STATUS_HINT = {
  next: 'Published, signs after the next rotation',
  active: 'Signs new tokens',
  retiring: 'Published until the tokens it signed have expired',
} as const;
const ALG_ORDER: SigningKeyAlg[] = ['RS256', 'ES256', 'EdDSA'];

/**
 * The project's signing keys (docs/signing-keys.md) and their rotation: the next key starts signing, the active one
 * stays published until every token it signed has expired, and a new next key is published.
 */
export function SigningKeysSection({ slug, canWrite }: { slug: string; canWrite: boolean }) {
  const keys = useSigningKeys(slug);
  const rotate = useRotateSigningKeys(slug);
  const headingId = useId();
  const [confirming, setConfirming] = useState<SigningKeyAlg | 'all'>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  async function confirmRotation(alg: SigningKeyAlg | 'all') {
    setBusy(true);
    setError(undefined);
    try {
      await rotate(alg === 'all' ? undefined : alg);
      setConfirming(undefined);
      setNotice(alg === 'all' ? 'Every alg’s keys were rotated.' : `The ${alg} keys were rotated.`);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : 'The keys could not be rotated.');
    } finally {
      setBusy(false);
    }
  }

  const sorted = [...(keys.data ?? [])].sort(
    (a, b) => ALG_ORDER.indexOf(a.alg) - ALG_ORDER.indexOf(b.alg) || a.createdAt.localeCompare(b.createdAt),
  );

  return (
    <Card className="p-6">
      <section id="section-signing-keys" aria-labelledby={headingId} className="scroll-mt-24 space-y-5">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div>
            <h2 id={headingId} className="text-base font-semibold">
              Signing keys
            </h2>
            <p className="mt-1 text-sm text-zinc-500">
              The keys in the project&apos;s JWKS. Rotating makes the published next key sign; the old key stays
              published until every token it signed has expired.
            </p>
          </div>
          {canWrite && (
            <Button
              variant="secondary"
              onClick={() => {
                setError(undefined);
                setNotice(undefined);
                setConfirming('all');
              }}
            >
              Rotate all
            </Button>
          )}
        </div>
        {notice && <Alert tone="info">{notice}</Alert>}
        {keys.isPending && <Skeleton className="h-40" />}
        {keys.isError && <QueryError error={keys.error} retry={() => void keys.refetch()} />}
        {keys.data && (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-xs text-zinc-500">
                <tr>
                  <th scope="col" className="py-2 pr-3 font-medium">
                    Alg
                  </th>
                  <th scope="col" className="py-2 pr-3 font-medium">
                    Key ID
                  </th>
                  <th scope="col" className="py-2 pr-3 font-medium">
                    Status
                  </th>
                  <th scope="col" className="py-2 pr-3 font-medium">
                    Created
                  </th>
                  <th scope="col" className="py-2 pr-3 font-medium">
                    Signing since
                  </th>
                  <th scope="col" className="py-2 pr-3 font-medium">
                    Leaves the JWKS
                  </th>
                  {canWrite && (
                    <th scope="col" className="py-2 font-medium">
                      <span className="sr-only">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                {sorted.map((key) => (
                  <KeyRow
                    key={key.kid}
                    signingKey={key}
                    canWrite={canWrite}
                    onRotate={
                      canWrite && key.status === 'active'
                        ? () => {
                            setError(undefined);
                            setNotice(undefined);
                            setConfirming(key.alg);
                          }
                        : undefined
                    }
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {confirming && (
        <Dialog
          title={confirming === 'all' ? 'Rotate every signing key?' : `Rotate the ${confirming} keys?`}
          onClose={() => setConfirming(undefined)}
        >
          <div className="space-y-4">
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              The next key starts signing new tokens at once. The active key stops signing and stays in the JWKS until
              every token it signed has expired, so signed-in apps notice nothing. A new next key is published. Another
              rotation is possible once that key has been published for as long as clients cache the JWKS.
            </p>
            {error && <Alert tone="error">{error}</Alert>}
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={() => setConfirming(undefined)}>
                Cancel
              </Button>
              <Button disabled={busy} onClick={() => void confirmRotation(confirming)}>
                {busy ? 'Rotating…' : 'Rotate'}
              </Button>
            </div>
          </div>
        </Dialog>
      )}
    </Card>
  );
}

function KeyRow({
  signingKey,
  canWrite,
  onRotate,
}: {
  signingKey: SigningKeyView;
  canWrite: boolean;
  onRotate: (() => void) | undefined;
}) {
  return (
    <tr>
      <td className="py-2 pr-3 font-mono">{signingKey.alg}</td>
      <td className="max-w-48 truncate py-2 pr-3 font-mono text-xs" title={signingKey.kid}>
        {signingKey.kid}
      </td>
      <td className="py-2 pr-3">
        <span title={STATUS_HINT[signingKey.status]}>
          <Badge tone={STATUS_TONE[signingKey.status]}>{signingKey.status}</Badge>
        </span>
      </td>
      <td className="py-2 pr-3 whitespace-nowrap">{formatDate(signingKey.createdAt)}</td>
      <td className="py-2 pr-3 whitespace-nowrap">{formatDate(signingKey.activatedAt)}</td>
      <td className="py-2 pr-3 whitespace-nowrap">{formatDate(signingKey.retiresAt)}</td>
      {canWrite && (
        <td className="py-2 text-right">
          {onRotate && (
            <Button variant="secondary" onClick={onRotate}>
              Rotate
            </Button>
          )}
        </td>
      )}
    </tr>
  );
}
