import type { Metadata } from 'next';
import { MembersPage } from '../../../../../components/members/members-page';

export const metadata: Metadata = { title: 'Members & API keys' };

export default async function ProjectMembersPage({ params }: { params: Promise<{ slug: string }> }) {
  return <MembersPage slug={(await params).slug} />;
}
