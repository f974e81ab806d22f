import type { Metadata } from 'next';
import { EmailPage } from '../../../../../components/email/email-page';

export const metadata: Metadata = { title: 'Email' };

export default async function ProjectEmailPage({ params }: { params: Promise<{ slug: string }> }) {
  return <EmailPage slug={(await params).slug} />;
}
