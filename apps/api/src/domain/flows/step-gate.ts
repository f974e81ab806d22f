import type { Project } from '../projects/projects.service';
import type { FlowRecord } from './flow';

/**
 * A condition a flow type's step options sit behind (FlowDefinition.gate): settings' changes behind a recent
 * sign-in. While it is closed the step offers the gate's own options instead (the re-authentication).
 */
export interface StepGate {
  readonly name: string;
  isOpen(project: Project, flow: FlowRecord): Promise<boolean>;
}

/** DI token under which every gate is registered. */
export const STEP_GATES = Symbol('STEP_GATES');
