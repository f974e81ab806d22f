import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AuditLog } from '../../../../../components/audit/audit-log';
import { Skeleton } from '../../../../../components/common/page-parts';

export const metadata: Metadata = { title: 'Audit log' };

export default async function ProjectAuditPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  // The log follows its filters in the URL through useSearchParams, which needs a Suspense boundary.
  return (
    <Suspense fallback={<Skeleton className="h-64" />}>
      <AuditLog slug={slug} />
    </Suspense>
  );
}
