/**
 * The periodic work of a member that is not driven by clients: the leader sweeps expired TTL
 * nodes; a follower reports the sessions it served to the leader. Each timer has at most one
 * proposal in flight, so a slow cluster is not flooded with duplicates.
 */
import type { RaftNode } from '@keel/raft';
import { encodeCommand } from '../state/commands';
import type { CoordinationStateMachine } from '../state/coordination-state-machine';
import type { ApplyOutcome } from '../state/results';
import type { SessionLiveness } from './session-liveness';

/** What the timers need from their member. */
export interface TimerHost {
  readonly node: RaftNode<ApplyOutcome>;
  readonly machine: CoordinationStateMachine;
  readonly liveness: SessionLiveness;
  /** Reports sessions this member heard from to the leader (see `report-round-trip.ts`). */
  reportSessions(sessionIds: readonly string[]): void;
}

/** The TTL sweep and the session report of one member. */
export class MemberTimers {
  private readonly timers: NodeJS.Timeout[] = [];
  private sweeping = false;

  constructor(
    private readonly host: TimerHost,
    private readonly ttlCheckMs: number,
    private readonly sessionReportMs: number,
  ) {}

  /** Starts both timers. */
  start(): void {
    this.timers.push(setInterval(() => this.sweep(), this.ttlCheckMs));
    this.timers.push(setInterval(() => this.report(), this.sessionReportMs));
    for (const timer of this.timers) timer.unref();
  }

  /** Stops both timers. */
  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
  }

  /** On the leader: proposes a sweep when a TTL node has expired. */
  sweep(): void {
    const { node, machine } = this.host;
    if (this.sweeping || !node.isLeader()) return;
    const time = Date.now();
    if (machine.ttlCandidates(time).length === 0) return;
    this.sweeping = true;
    node
      .propose(encodeCommand({ type: 'sweep', time }))
      .catch(() => {
        // Leadership moved or the member stops; the next leader sweeps.
      })
      .finally(() => {
        this.sweeping = false;
      });
  }

  /**
   * On a follower: tells the leader which sessions this member heard from since the last
   * report. The leader hears its own clients directly, so it only forgets its list.
   */
  report(): void {
    const heard = this.host.liveness.takeHeard();
    if (heard.length === 0 || this.host.node.isLeader()) return;
    this.host.reportSessions(heard);
  }
}
