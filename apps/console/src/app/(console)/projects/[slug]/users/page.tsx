import type { Metadata } from 'next';
import { UserList } from '../../../../../components/users/user-list';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage({ params }: { params: Promise<{ slug: string }> }) {
  return <UserList slug={(await params).slug} />;
}
