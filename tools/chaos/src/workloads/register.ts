/**
 * The `register` workload: concurrent clients read, write and compare-and-set a few keys, and the
 * recorded history is checked for linearizability, key by key.
 *
 * Every written value is unique (`<client>-<n>`), which makes ZooKeeper's version CAS a value
 * CAS: a client reads (value, version) with a linearizable get, then `set(path, new, { version })`;
 * that succeeds exactly when the node still holds the version read, and with unique values the
 * version read is current exactly when the value read is. The history records it as
 * `cas(expected = value read, value = new)`. Reads are linearizable gets (plain reads are served
 * by the connected member and are only sequentially consistent, by design).
 */
import type { KeelClient } from '@keel/client';
import { toText } from '@keel/client';
import { sleep } from '../faults/injector';
import type { Operation } from '../history';
import { checkHistory } from '../linearizability';
import { ensurePath, errorBackoffMs, openCheckClient, openClient } from './clients';
import { errorCode, outcomeOf } from './outcome';
import type { Workload, WorkloadContext, WorkloadResult } from './workload';

/** The value every key holds before the run. */
export const registerInitialValue = 'init';

/** Options of the register workload. */
export interface RegisterOptions {
  /** Keys shared by the clients (default 3). */
  readonly keys?: number;
  /** Per key search budget of the checker. */
  readonly stepsMax?: number;
}

const root = '/chaos/register';

/** Creates the register workload. */
export function registerWorkload(options: RegisterOptions = {}): Workload {
  const keyCount = options.keys ?? 3;
  const keys = Array.from({ length: keyCount }, (_, i) => `${root}/k${i}`);
  const history: Operation[] = [];
  const errors = new Map<string, number>();

  async function worker(context: WorkloadContext, id: number, signal: AbortSignal): Promise<void> {
    const client = await openClient(context.servers, signal);
    if (client === null) return;
    let sequence = 0;
    const record = (op: Operation): void => {
      history.push(op);
    };
    let backoff = false;
    const failed = (error: unknown): Exclude<Operation['outcome'], 'ok'> => {
      const code = errorCode(error);
      errors.set(code, (errors.get(code) ?? 0) + 1);
      const outcome = outcomeOf(error);
      if (outcome === 'unknown') backoff = true;
      return outcome;
    };
    try {
      while (!signal.aborted) {
        // Without a leader requests fail at once; do not spin on them.
        if (backoff) await sleep(errorBackoffMs, signal);
        backoff = false;
        const key = keys[Math.floor(context.random() * keys.length)]!;
        const roll = context.random();
        if (roll < 0.3) {
          const value = `${id}-${sequence++}`;
          const invokeMs = context.now();
          try {
            await client.set(key, value);
            record({ process: id, key, type: 'write', value, invokeMs, completeMs: context.now(), outcome: 'ok' });
          } catch (error) {
            const outcome = failed(error);
            record({ process: id, key, type: 'write', value, invokeMs, ...ended(outcome, context) });
          }
          continue;
        }
        const read = await readKey(client, key, id, context, record, failed);
        if (read === null || roll < 0.6) continue;
        const value = `${id}-${sequence++}`;
        const invokeMs = context.now();
        try {
          await client.set(key, value, { version: read.version });
          record({
            process: id,
            key,
            type: 'cas',
            expected: read.value,
            value,
            invokeMs,
            completeMs: context.now(),
            outcome: 'ok',
          });
        } catch (error) {
          const outcome = failed(error);
          record({ process: id, key, type: 'cas', expected: read.value, value, invokeMs, ...ended(outcome, context) });
        }
      }
    } finally {
      await client.close().catch(() => {});
    }
  }

  return {
    name: 'register',
    async setup(context) {
      const client = await openCheckClient(context.servers);
      try {
        for (const key of keys) await ensurePath(client, key, registerInitialValue);
      } finally {
        await client.close();
      }
    },
    async run(context, signal) {
      await Promise.all(Array.from({ length: context.clients }, (_, id) => worker(context, id, signal)));
    },
    async check(context): Promise<WorkloadResult> {
      // One linearizable read per key after recovery: an acknowledged write lost in the faults
      // then shows up as a read no linearization explains.
      const client = await openCheckClient(context.servers);
      try {
        for (const key of keys) {
          const record = (op: Operation): void => {
            history.push(op);
          };
          await readKey(client, key, 'final', context, record, () => 'unknown');
        }
      } finally {
        await client.close();
      }
      const result = checkHistory(history, {
        initial: registerInitialValue,
        ...(options.stepsMax === undefined ? {} : { stepsMax: options.stepsMax }),
      });
      const anomalies = result.keys.flatMap((key) =>
        key.verdict === 'not-linearizable'
          ? [
              `key ${key.key} is not linearizable: cannot place ${JSON.stringify(key.explanation?.blocked)} after ${key.explanation?.prefix.length} ops (value ${JSON.stringify(key.explanation?.state)})`,
            ]
          : [],
      );
      const acked = history.filter((op) => op.type !== 'read' && op.outcome === 'ok').length;
      return {
        ops: history.length,
        acked,
        lost: 0,
        anomalies,
        linearizable: result.verdict === 'linearizable' ? 'yes' : result.verdict === 'unknown' ? 'unknown' : 'no',
        history,
        details: [
          `register: ${keys.length} keys, ${history.filter((op) => op.outcome === 'unknown').length} unknown outcomes, errors ${JSON.stringify(Object.fromEntries(errors))}`,
          ...result.keys.map(
            (key) => `register: ${key.key} ${key.verdict} (${key.operations} ops, ${key.steps} steps)`,
          ),
        ],
      };
    },
  };
}

function ended(
  outcome: Exclude<Operation['outcome'], 'ok'>,
  context: WorkloadContext,
): { completeMs: number | null; outcome: Operation['outcome'] } {
  return outcome === 'unknown' ? { completeMs: null, outcome } : { completeMs: context.now(), outcome };
}

/** A linearizable get recorded as a read; the value and version read, or null if it failed. */
async function readKey(
  client: KeelClient,
  key: string,
  process: number | string,
  context: WorkloadContext,
  record: (op: Operation) => void,
  failed: (error: unknown) => Exclude<Operation['outcome'], 'ok'>,
): Promise<{ value: string; version: number } | null> {
  const invokeMs = context.now();
  try {
    const { data, stat } = await client.get(key, { linearizable: true });
    const value = toText(data);
    record({ process, key, type: 'read', value, invokeMs, completeMs: context.now(), outcome: 'ok' });
    return { value, version: stat.version };
  } catch (error) {
    // The keys are never deleted: a NoNode answer is a read of "absent", for the checker to judge.
    if (errorCode(error) === 'NoNode') {
      record({ process, key, type: 'read', value: null, invokeMs, completeMs: context.now(), outcome: 'ok' });
      return null;
    }
    failed(error);
    record({ process, key, type: 'read', value: null, invokeMs, completeMs: null, outcome: 'unknown' });
    return null;
  }
}
