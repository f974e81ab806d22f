import type { Metadata } from 'next';
import { ApplicationDetail } from '../../../../../../components/applications/application-detail';

export const metadata: Metadata = { title: 'Application' };

export default async function ApplicationPage({ params }: { params: Promise<{ slug: string; clientId: string }> }) {
  const { slug, clientId } = await params;
  return <ApplicationDetail slug={slug} clientId={decodeURIComponent(clientId)} />;
}
