import type { Metadata } from 'next';
import { ApplicationList } from '../../../../../components/applications/application-list';

export const metadata: Metadata = { title: 'Applications' };

export default async function ApplicationsPage({ params }: { params: Promise<{ slug: string }> }) {
  return <ApplicationList slug={(await params).slug} />;
}
