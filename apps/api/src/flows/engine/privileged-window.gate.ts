import { Injectable } from '@nestjs/common';
import type { FlowRecord } from '../../domain/flows/flow';
import type { StepGate } from '../../domain/flows/step-gate';
import type { Project } from '../../domain/projects/projects.service';
import { PrivilegedSessions } from '../../domain/sessions/privileged-session';

/** The settings flow's gate: open while the session that started the flow is within its privileged window. */
@Injectable()
export class PrivilegedWindowGate implements StepGate {
  static readonly NAME = 'privileged-window';
  readonly name = PrivilegedWindowGate.NAME;

  constructor(private readonly privileged: PrivilegedSessions) {}

  async isOpen(project: Project, flow: FlowRecord): Promise<boolean> {
    const { sessionId } = flow.authRequest;
    return sessionId !== undefined && (await this.privileged.isPrivileged(project, sessionId));
  }
}
