import type { Metadata } from 'next';
import { ProjectOverview } from '../../../../components/projects/project-overview';

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  return { title: (await params).slug };
}

export default async function ProjectPage({ params }: { params: Promise<{ slug: string }> }) {
  return <ProjectOverview slug={(await params).slug} />;
}
