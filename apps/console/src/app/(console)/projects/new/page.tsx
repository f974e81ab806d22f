import type { Metadata } from 'next';
import { CreateProjectForm } from '../../../../components/projects/create-project-form';

export const metadata: Metadata = { title: 'Create project' };

export default function NewProjectPage() {
  return <CreateProjectForm />;
}
