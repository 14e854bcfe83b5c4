/** The machine a run happens on, for the report. */
import os from 'node:os';
import type { RunInfo } from './results';

/** Hostname, CPUs, memory, Node version and load average now. */
export function machineInfo(): RunInfo['machine'] {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: os.loadavg(),
  };
}
