import type { Metadata } from 'next';
import { IdentitySchemaPage } from '../../../../../components/schema/identity-schema-page';

export const metadata: Metadata = { title: 'Identity schema' };

export default async function SchemaPage({ params }: { params: Promise<{ slug: string }> }) {
  return <IdentitySchemaPage slug={(await params).slug} />;
}
