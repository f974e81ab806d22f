import type { Metadata } from 'next';
import { TokenIssuerList } from '../../../../../components/token-issuers/token-issuer-list';

export const metadata: Metadata = { title: 'Token issuers' };

export default async function TokenIssuersPage({ params }: { params: Promise<{ slug: string }> }) {
  return <TokenIssuerList slug={(await params).slug} />;
}
