/**
 * The `set` workload: clients create uniquely named nodes (`/chaos/set/<client>-<n>`, data
 * `<client>-<n>`) for the whole run. After recovery, one client syncs and lists the children:
 * every acknowledged create must be there with its data (else it is lost), and nothing may be
 * there that no client tried to create.
 *
 * For the checker, each node is a register: the create is a write (unknown if its reply never
 * came) and the final listing a read of every attempted node after everything else, so a lost
 * acknowledged write is also a non-linearizable history.
 */
import { toText } from '@keel/client';
import { sleep } from '../faults/injector';
import type { Operation } from '../history';
import { checkHistory } from '../linearizability';
import { ensurePath, errorBackoffMs, openCheckClient, openClient, retry } from './clients';
import { errorCode, outcomeOf } from './outcome';
import type { Workload, WorkloadContext, WorkloadResult } from './workload';

const root = '/chaos/set';

/** Creates the set workload. */
export function setWorkload(): Workload {
  const history: Operation[] = [];
  const errors = new Map<string, number>();

  async function worker(context: WorkloadContext, id: number, signal: AbortSignal): Promise<void> {
    const client = await openClient(context.servers, signal);
    if (client === null) return;
    try {
      for (let sequence = 0; !signal.aborted; sequence++) {
        const name = `${id}-${sequence}`;
        const path = `${root}/${name}`;
        const invokeMs = context.now();
        try {
          await client.create(path, name);
          history.push({
            process: id,
            key: path,
            type: 'write',
            value: name,
            invokeMs,
            completeMs: context.now(),
            outcome: 'ok',
          });
        } catch (error) {
          errors.set(errorCode(error), (errors.get(errorCode(error)) ?? 0) + 1);
          const outcome = outcomeOf(error);
          if (outcome === 'unknown') await sleep(errorBackoffMs, signal);
          history.push({
            process: id,
            key: path,
            type: 'write',
            value: name,
            invokeMs,
            completeMs: outcome === 'unknown' ? null : context.now(),
            outcome,
          });
        }
      }
    } finally {
      await client.close().catch(() => {});
    }
  }

  return {
    name: 'set',
    async setup(context) {
      const client = await openCheckClient(context.servers);
      try {
        await ensurePath(client, root);
      } finally {
        await client.close();
      }
    },
    async run(context, signal) {
      await Promise.all(Array.from({ length: context.clients }, (_, id) => worker(context, id, signal)));
    },
    async check(context): Promise<WorkloadResult> {
      const client = await openCheckClient(context.servers);
      const present = new Map<string, string>();
      let readAtMs = 0;
      try {
        await retry('sync', () => client.sync(root));
        readAtMs = context.now();
        const names = await retry('list the set', () => client.children(root, { linearizable: true }));
        for (const name of names) {
          const { data } = await retry(`read ${name}`, () => client.get(`${root}/${name}`));
          present.set(name, toText(data));
        }
      } finally {
        await client.close();
      }
      const doneMs = context.now();
      const attempted = new Map<string, Operation>();
      for (const op of history) attempted.set(op.key.slice(root.length + 1), op);
      const anomalies: string[] = [];
      let lost = 0;
      const reads: Operation[] = [];
      for (const [name, op] of attempted) {
        const data = present.get(name);
        if (op.outcome === 'ok' && data === undefined) {
          lost++;
          anomalies.push(`acknowledged create of ${op.key} (at ${op.completeMs} ms) is lost`);
        }
        if (data !== undefined && op.outcome === 'fail') {
          anomalies.push(`create of ${op.key} failed (${op.outcome}) but the node exists`);
        }
        if (data !== undefined && data !== name)
          anomalies.push(`${op.key} holds ${JSON.stringify(data)}, not ${JSON.stringify(name)}`);
        reads.push({
          process: 'final',
          key: op.key,
          type: 'read',
          value: data ?? null,
          invokeMs: readAtMs,
          completeMs: doneMs,
          outcome: 'ok',
        });
      }
      for (const name of present.keys()) {
        if (!attempted.has(name)) anomalies.push(`${root}/${name} exists but no client created it`);
      }
      const checked = checkHistory([...history, ...reads]);
      const acked = history.filter((op) => op.outcome === 'ok').length;
      const unknown = history.filter((op) => op.outcome === 'unknown');
      return {
        ops: history.length,
        acked,
        lost,
        anomalies,
        linearizable: checked.verdict === 'linearizable' ? 'yes' : checked.verdict === 'unknown' ? 'unknown' : 'no',
        history: [...history, ...reads],
        details: [
          `set: ${present.size} nodes present, ${acked} acknowledged creates, ${unknown.length} unknown (${unknown.filter((op) => present.has(op.key.slice(root.length + 1))).length} of them applied), errors ${JSON.stringify(Object.fromEntries(errors))}`,
        ],
      };
    },
  };
}
