import type { Metadata } from 'next';
import { ApiStatusCard } from '../../components/api-status-card';
import { ProjectList } from '../../components/projects/project-list';

export const metadata: Metadata = { title: 'Projects' };

export default function HomePage() {
  return <ProjectList aside={<ApiStatusCard />} />;
}
