import type { Metadata } from 'next';
import { ApiResourceDetail } from '../../../../../../components/apis/api-resource-detail';

export const metadata: Metadata = { title: 'API' };

export default async function ApiPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  return <ApiResourceDetail slug={slug} id={id} />;
}
