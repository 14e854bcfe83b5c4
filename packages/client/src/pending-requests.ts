/**
 * The client's two request queues (nats.js's split): `outgoing` holds requests not sent yet
 * (no connection, or a reconnect in progress), `inFlight` holds requests sent on the current
 * connection and awaiting their answer, by xid. On a lost connection the in-flight ones fail
 * with `ConnectionLoss` (a write among them may have been applied) while the outgoing ones
 * wait for the next connection: they never reached a member, so sending them later is safe.
 */
import { ChurnMap, type KeelError, type Request, type RequestOp, type Response } from '@keel/protocol';

/** A request without its xid, which is assigned when it is sent. */
export type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'xid'> : never) : never;

/** One request the client is waiting on. */
export interface PendingRequest {
  readonly body: RequestBody;
  /** Assigned when sent. */
  xid: number | null;
  /**
   * Runs synchronously when the successful answer is dispatched, before the promise settles, so
   * that state it records (a one-shot watch) is in place before the next frame is handled.
   */
  readonly onAnswer?: (answer: Response) => void;
  readonly resolve: (answer: Response) => void;
  readonly reject: (error: KeelError) => void;
  /** Releases the request's timer and abort listener. */
  readonly release: () => void;
}

/** Outgoing and in-flight requests. */
export class PendingRequests {
  private outgoing: PendingRequest[] = [];
  // Not a Map: see ChurnMap.
  private readonly inFlight = new ChurnMap<number, PendingRequest>();

  /** How many requests are waiting, sent or not. */
  get size(): number {
    return this.outgoing.length + this.inFlight.size;
  }

  /** Queues a request until a connection can take it. */
  queue(request: PendingRequest): void {
    this.outgoing.push(request);
  }

  /** Takes every queued request, oldest first. */
  drainOutgoing(): PendingRequest[] {
    const drained = this.outgoing;
    this.outgoing = [];
    return drained;
  }

  /** Records a request as sent with `xid`. */
  sent(request: PendingRequest, xid: number): void {
    request.xid = xid;
    this.inFlight.set(xid, request);
  }

  /** The in-flight request of an answer, removed; undefined for an answer nobody waits for (timed out, aborted). */
  answered(xid: number): PendingRequest | undefined {
    const request = this.inFlight.get(xid);
    if (request !== undefined) this.inFlight.delete(xid);
    return request;
  }

  /** Forgets a request wherever it is (it timed out or was aborted). */
  forget(request: PendingRequest): void {
    if (request.xid !== null) this.inFlight.delete(request.xid);
    else this.outgoing = this.outgoing.filter((queued) => queued !== request);
  }

  /**
   * Fails every in-flight request (the connection is gone), except those `keep` accepts: they go
   * back to the front of the outgoing queue, in the order they were sent, to be sent again.
   */
  failInFlight(error: (op: RequestOp) => KeelError, keep: (request: PendingRequest) => boolean = () => false): void {
    const inFlight = this.inFlight.values().sort((a, b) => (a.xid ?? 0) - (b.xid ?? 0));
    this.inFlight.clear();
    const kept: PendingRequest[] = [];
    for (const request of inFlight) {
      if (keep(request)) {
        request.xid = null;
        kept.push(request);
      } else {
        settle(request, error(request.body.op));
      }
    }
    this.outgoing = [...kept, ...this.outgoing];
  }

  /** Fails every request, sent or not. */
  failAll(error: (op: RequestOp) => KeelError): void {
    this.failInFlight(error);
    for (const request of this.drainOutgoing()) settle(request, error(request.body.op));
  }
}

function settle(request: PendingRequest, error: KeelError): void {
  request.release();
  request.reject(error);
}
