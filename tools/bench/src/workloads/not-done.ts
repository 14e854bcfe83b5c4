/** Thrown by a workload that cannot run against a target: the report lists it as not done, with the reason. */
export class WorkloadNotDoneError extends Error {
  override readonly name = 'WorkloadNotDoneError';
}
