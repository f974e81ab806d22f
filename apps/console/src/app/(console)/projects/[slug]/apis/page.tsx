import type { Metadata } from 'next';
import { ApiResourceList } from '../../../../../components/apis/api-resource-list';

export const metadata: Metadata = { title: 'APIs' };

export default async function ApisPage({ params }: { params: Promise<{ slug: string }> }) {
  return <ApiResourceList slug={(await params).slug} />;
}
