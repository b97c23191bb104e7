import { join } from 'node:path';
import { ExecutionEngine } from '../../../electron/host/engine/execution-engine';
import type { Provider } from '../../../electron/host/lifecycle/provider';
import { ProviderRegistry } from '../../../electron/host/lifecycle/provider-registry';
import { ShutdownCoordinator } from '../../../electron/host/lifecycle/shutdown-coordinator';
import { ShutdownReportStore } from '../../../electron/host/lifecycle/shutdown-report';
import { memoryLogger } from '../../../electron/host/log/logger';
import type { RigInstance, RigModule } from '../rigs/rig';
import { withFault, type Fault, type FaultyProvider } from './faults';

export interface WorldOptions {
  deadlineMs: number;
  cleanupTimeoutMs: number;
}

/** Every rig's providers in one registry, the target's provider wrapped with a fault, and the real coordinator. */
export interface ShutdownWorld {
  target: RigInstance;
  faulty: FaultyProvider;
  /** Every registered provider but the faulty one, with the rig it belongs to. */
  others: { provider: Provider; rig: RigInstance }[];
  instances: RigInstance[];
  coordinator: ShutdownCoordinator;
  reports: ShutdownReportStore;
  logs: ReturnType<typeof memoryLogger>;
  dispose(): Promise<void>;
}

export async function buildWorld(
  root: string,
  rigs: readonly RigModule[],
  target: RigModule,
  fault: Fault,
  options: WorldOptions,
): Promise<ShutdownWorld> {
  const logs = memoryLogger();
  const registry = new ProviderRegistry({ logger: logs.logger, cleanupTimeoutMs: options.cleanupTimeoutMs });
  const engine = new ExecutionEngine({ logger: logs.logger });
  const reports = new ShutdownReportStore(root);
  const coordinator = new ShutdownCoordinator({
    registry,
    intake: engine,
    logger: logs.logger,
    reports,
    flushLogs: async () => undefined,
    deadlineMs: options.deadlineMs,
  });
  const instances: RigInstance[] = [];
  const dispose = async () => {
    const results = await Promise.allSettled(instances.map((i) => i.dispose()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  };
  try {
    let targetInstance: RigInstance | null = null;
    let faulty: FaultyProvider | null = null;
    const others: ShutdownWorld['others'] = [];
    for (const rig of rigs) {
      const instance = await rig.create(join(root, rig.kind));
      instances.push(instance);
      for (const companion of instance.companions) {
        await registry.register(companion);
        others.push({ provider: companion, rig: instance });
      }
      if (rig === target) {
        targetInstance = instance;
        faulty = withFault(instance.provider, fault);
        await registry.register(faulty.provider);
      } else {
        await registry.register(instance.provider);
        others.push({ provider: instance.provider, rig: instance });
      }
    }
    if (!targetInstance || !faulty) throw new Error(`rig ${target.kind} is not among the rigs`);
    return { target: targetInstance, faulty, others, instances, coordinator, reports, logs, dispose };
  } catch (err) {
    await dispose().catch(() => undefined);
    throw err;
  }
}
