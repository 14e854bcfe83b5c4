import { registerWorkload } from './register';
import type { Workload, WorkloadName } from './workload';

/** A fresh instance of the named workload. */
export function createWorkload(name: WorkloadName): Workload {
  switch (name) {
    case 'register':
      return registerWorkload();
    default:
      throw new RangeError(`workload ${name} is not implemented yet`);
  }
}
