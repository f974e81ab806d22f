import type { Metadata } from 'next';
import { CreateUser } from '../../../../../../components/users/create-user';

export const metadata: Metadata = { title: 'New user' };

export default async function NewUserPage({ params }: { params: Promise<{ slug: string }> }) {
  return <CreateUser slug={(await params).slug} />;
}
