import { CONDITION_REASONS, ConditionSchema, WORKERPOOL_CONDITIONS } from '@cineweave/contracts';
import type { KubeObject } from '../../kube/kube-object.ts';
import type { ConditionInput } from '../conditions.ts';
import { ENGINE_CONTAINER } from './engine-container.ts';

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number };
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export type WorkerPod = KubeObject & {
  status?: {
    phase?: string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
    initContainerStatuses?: ContainerStatus[];
  };
};

interface EngineProblem {
  pod: string;
  reason: string;
  message: string;
  /** Lower is worse: the condition names the worst problem first. */
  severity: number;
}

const REASON = ConditionSchema.shape.reason;
/** How many not-ready pods the message names; the rest are counted. */
const NAMED_PODS = 3;

/**
 * EngineReady of an `openai-videos` pool, from its pods' engine containers: True once every live
 * pod's engine answers its health probe, False with the kubelet's own reason (ImagePullBackOff,
 * CrashLoopBackOff, OOMKilled, Unschedulable...) and message otherwise, Unknown with no pods.
 */
export function engineReadyCondition(
  pods: readonly WorkerPod[],
  engine: { healthPath: string; startupTimeoutSeconds: number },
): ConditionInput {
  const type = WORKERPOOL_CONDITIONS.engineReady;
  const live = pods.filter((pod) => !pod.metadata.deletionTimestamp);
  if (live.length === 0) {
    return {
      type,
      status: 'Unknown',
      reason: CONDITION_REASONS.noWorkers,
      message: 'No worker pods exist; each worker pod starts its own engine.',
    };
  }
  const problems = live
    .map((pod) => engineProblem(pod, engine))
    .filter((problem): problem is EngineProblem => problem !== undefined)
    .sort((a, b) => a.severity - b.severity);
  const ready = live.length - problems.length;
  if (problems.length === 0) {
    return {
      type,
      status: 'True',
      reason: CONDITION_REASONS.enginesReady,
      message: `${ready} of ${live.length} engines answer ${engine.healthPath}.`,
    };
  }
  const named = problems
    .slice(0, NAMED_PODS)
    .map((problem) => `pod ${problem.pod}: ${problem.reason}: ${problem.message}`);
  const more = problems.length > NAMED_PODS ? [`${problems.length - NAMED_PODS} more`] : [];
  return {
    type,
    status: 'False',
    reason: problems[0].reason,
    message: `${ready} of ${live.length} engines are ready; ${[...named, ...more].join('; ')}`,
  };
}

function engineProblem(
  pod: WorkerPod,
  engine: { healthPath: string; startupTimeoutSeconds: number },
): EngineProblem | undefined {
  const name = pod.metadata.name;
  const status = pod.status?.initContainerStatuses?.find((entry) => entry.name === ENGINE_CONTAINER);
  if (status?.ready) return undefined;
  if (!status) {
    const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
    if (scheduled?.status === 'False') {
      return problem(name, scheduled.reason, scheduled.message ?? 'the pod cannot be scheduled', 1);
    }
    return problem(name, CONDITION_REASONS.enginePending, 'the engine container has not been created yet', 3);
  }
  const last = lastExit(status);
  const { waiting, terminated, running } = status.state ?? {};
  if (waiting) {
    // ContainerCreating and PodInitializing are a normal start; anything else (pull errors, crash
    // loops, bad configuration) needs a person.
    const normal = waiting.reason === 'ContainerCreating' || waiting.reason === 'PodInitializing';
    return problem(name, waiting.reason, join(waiting.message ?? 'waiting to start', last), normal ? 3 : 0);
  }
  if (terminated) {
    return problem(
      name,
      terminated.reason,
      join(terminated.message ?? `exited with code ${terminated.exitCode ?? 'unknown'}`, last),
      0,
    );
  }
  if (running && !status.started) {
    return problem(
      name,
      CONDITION_REASONS.engineStarting,
      join(
        `running since ${running.startedAt ?? 'an unknown time'}; waiting for ${engine.healthPath} to answer (up to ${engine.startupTimeoutSeconds}s while the model downloads and loads)`,
        last,
      ),
      2,
    );
  }
  return problem(
    name,
    CONDITION_REASONS.engineNotReady,
    join(`${engine.healthPath} does not answer 200`, last),
    1,
  );
}

/** The previous run's end, when the engine has restarted: often the real cause (OOMKilled). */
function lastExit(status: ContainerStatus): string | undefined {
  const terminated = status.lastState?.terminated;
  if (!terminated || !status.restartCount) return undefined;
  return `restarted ${status.restartCount} times, last exit ${terminated.reason ?? 'unknown'} (code ${terminated.exitCode ?? 'unknown'})`;
}

function join(message: string, last: string | undefined): string {
  return last ? `${message}; ${last}` : message;
}

/** A kubelet reason when it is a valid condition reason, else the generic one. */
function problem(pod: string, reason: string | undefined, message: string, severity: number): EngineProblem {
  const valid = reason !== undefined && REASON.safeParse(reason).success;
  return { pod, reason: valid ? reason : CONDITION_REASONS.engineNotReady, message, severity };
}
