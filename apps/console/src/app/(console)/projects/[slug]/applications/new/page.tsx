import type { Metadata } from 'next';
import { CreateApplication } from '../../../../../../components/applications/create-application';

export const metadata: Metadata = { title: 'New application' };

export default async function NewApplicationPage({ params }: { params: Promise<{ slug: string }> }) {
  return <CreateApplication slug={(await params).slug} />;
}
