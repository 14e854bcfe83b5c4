/**
 * The `lock` workload: clients take turns holding one `@keel/recipes` Mutex (sequential
 * ephemeral nodes, Curator's algorithm, standard error policy: `suspended` and `lost` revoke a
 * lease). Each holder appends `acquire` to a witness file outside Keel, works a little, and
 * appends `release` before releasing (or `revoked` when its lease is revoked). Checks:
 * - no two holders overlap in the witness (mutual exclusion as the holders experienced it);
 * - fencing tokens (`createdRevision` of the lock node) strictly increase from one holder to the
 *   next;
 * - inside the critical section the holder reads and writes a register (`/chaos/lock-data`),
 *   recorded as a history for the linearizability checker.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toText } from '@keel/client';
import { Mutex } from '@keel/recipes';
import { sleep } from '../faults/injector';
import type { Operation } from '../history';
import { checkHistory } from '../linearizability';
import { ensurePath, openCheckClient, openClient } from './clients';
import { errorCode, outcomeOf } from './outcome';
import type { Workload, WorkloadContext, WorkloadResult } from './workload';

const lockPath = '/chaos/lock';
const dataPath = '/chaos/lock-data';
const initialData = 'free';

/** One line of the witness file. */
export interface WitnessEvent {
  readonly event: 'acquire' | 'release' | 'revoked';
  readonly worker: number;
  readonly token: number;
  readonly atMs: number;
  readonly reason?: string;
}

/** Finds overlapping holders and non-increasing fencing tokens in a witness, in file order. */
export function checkWitness(events: readonly WitnessEvent[]): string[] {
  const anomalies: string[] = [];
  let holder: WitnessEvent | null = null;
  let lastToken = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    if (event.event === 'acquire') {
      if (holder !== null) {
        anomalies.push(
          `worker ${event.worker} acquired the lock (token ${event.token}) at ${event.atMs} ms while worker ${holder.worker} (token ${holder.token}, since ${holder.atMs} ms) still held it`,
        );
      }
      if (event.token <= lastToken) {
        anomalies.push(
          `fencing token ${event.token} of worker ${event.worker} does not exceed the previous ${lastToken}`,
        );
      }
      lastToken = Math.max(lastToken, event.token);
      holder = event;
    } else if (holder !== null && holder.worker === event.worker && holder.token === event.token) {
      holder = null;
    }
  }
  return anomalies;
}

/** Creates the lock workload. */
export function lockWorkload(): Workload {
  const history: Operation[] = [];
  const errors = new Map<string, number>();
  let attempts = 0;
  let acquisitions = 0;
  let revocations = 0;
  let witnessFile = '';

  const witness = (event: WitnessEvent): void => {
    // Synchronous appends from one process: the file order is the order the holders acted in.
    appendFileSync(witnessFile, `${JSON.stringify(event)}\n`);
  };
  const count = (error: unknown): void => {
    errors.set(errorCode(error), (errors.get(errorCode(error)) ?? 0) + 1);
  };

  async function worker(context: WorkloadContext, id: number, signal: AbortSignal): Promise<void> {
    const client = await openClient(context.servers, signal);
    if (client === null) return;
    const mutex = new Mutex(client, lockPath);
    let sequence = 0;
    try {
      while (!signal.aborted) {
        attempts++;
        let lease: Awaited<ReturnType<Mutex['acquire']>>;
        try {
          lease = await mutex.acquire({ timeoutMs: 5_000 });
        } catch (error) {
          count(error);
          await sleep(100, signal);
          continue;
        }
        if (lease === null) continue;
        acquisitions++;
        const token = lease.fencingToken;
        witness({ event: 'acquire', worker: id, token, atMs: context.now() });
        let ended = false;
        lease.onRevoked((reason) => {
          if (ended) return;
          ended = true;
          revocations++;
          witness({ event: 'revoked', worker: id, token, atMs: context.now(), reason });
        });
        await criticalSection(context, client, id, `${id}-${sequence++}`, lease.signal);
        // Mostly short holds; some long ones, so a fault often hits a holder mid-hold.
        const holdMs =
          context.random() < 0.1 ? 1_000 + Math.floor(context.random() * 2_000) : Math.floor(context.random() * 40);
        await sleep(holdMs, lease.signal);
        if (!ended) {
          ended = true;
          witness({ event: 'release', worker: id, token, atMs: context.now() });
        }
        await lease.release().catch(count);
      }
    } finally {
      await client.close().catch(() => {});
    }
  }

  /** Reads then writes the guarded register, unless the lease is revoked meanwhile. */
  async function criticalSection(
    context: WorkloadContext,
    client: NonNullable<Awaited<ReturnType<typeof openClient>>>,
    id: number,
    value: string,
    revoked: AbortSignal,
  ): Promise<void> {
    const readAtMs = context.now();
    try {
      const { data } = await client.get(dataPath, { linearizable: true });
      history.push({
        process: id,
        key: dataPath,
        type: 'read',
        value: toText(data),
        invokeMs: readAtMs,
        completeMs: context.now(),
        outcome: 'ok',
      });
    } catch (error) {
      count(error);
      return;
    }
    if (revoked.aborted) return;
    const writeAtMs = context.now();
    try {
      await client.set(dataPath, value);
      history.push({
        process: id,
        key: dataPath,
        type: 'write',
        value,
        invokeMs: writeAtMs,
        completeMs: context.now(),
        outcome: 'ok',
      });
    } catch (error) {
      count(error);
      const outcome = outcomeOf(error);
      history.push({
        process: id,
        key: dataPath,
        type: 'write',
        value,
        invokeMs: writeAtMs,
        completeMs: outcome === 'unknown' ? null : context.now(),
        outcome,
      });
    }
  }

  return {
    name: 'lock',
    async setup(context) {
      witnessFile = join(context.runDir, 'lock-witness.jsonl');
      appendFileSync(witnessFile, '');
      const client = await openCheckClient(context.servers);
      try {
        await ensurePath(client, lockPath);
        await ensurePath(client, dataPath, initialData);
      } finally {
        await client.close();
      }
    },
    async run(context, signal) {
      await Promise.all(Array.from({ length: context.clients }, (_, id) => worker(context, id, signal)));
    },
    async check(): Promise<WorkloadResult> {
      const events = readFileSync(witnessFile, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as WitnessEvent);
      const anomalies = checkWitness(events);
      const checked = checkHistory(history, { initial: initialData });
      for (const key of checked.keys) {
        if (key.verdict === 'not-linearizable')
          anomalies.push(`the lock-guarded register ${key.key} is not linearizable`);
      }
      return {
        ops: attempts + history.length,
        acked: acquisitions,
        lost: 0,
        anomalies,
        linearizable: checked.verdict === 'linearizable' ? 'yes' : checked.verdict === 'unknown' ? 'unknown' : 'no',
        history,
        details: [
          `lock: ${attempts} attempts, ${acquisitions} acquisitions, ${revocations} revoked, witness ${witnessFile}, errors ${JSON.stringify(Object.fromEntries(errors))}`,
        ],
      };
    },
  };
}
