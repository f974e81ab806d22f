import type { Metadata } from 'next';
import { UserDetail } from '../../../../../../components/users/user-detail';

export const metadata: Metadata = { title: 'User' };

export default async function UserPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  return <UserDetail slug={slug} id={id} />;
}
