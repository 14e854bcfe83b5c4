import { lockWorkload } from './lock';
import { registerWorkload } from './register';
import { sessionWorkload } from './session';
import { setWorkload } from './set';
import type { Workload, WorkloadName } from './workload';

/** A fresh instance of the named workload. */
export function createWorkload(name: WorkloadName): Workload {
  switch (name) {
    case 'register':
      return registerWorkload();
    case 'set':
      return setWorkload();
    case 'lock':
      return lockWorkload();
    case 'session':
      return sessionWorkload();
  }
}
