import type { Metadata } from 'next';
import { ConnectionList } from '../../../../../components/connections/connection-list';

export const metadata: Metadata = { title: 'Connections' };

export default async function ConnectionsPage({ params }: { params: Promise<{ slug: string }> }) {
  return <ConnectionList slug={(await params).slug} />;
}
