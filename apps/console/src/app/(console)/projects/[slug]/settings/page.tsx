import type { Metadata } from 'next';
import { ProjectSettingsPage } from '../../../../../components/projects/project-settings';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage({ params }: { params: Promise<{ slug: string }> }) {
  return <ProjectSettingsPage slug={(await params).slug} />;
}
