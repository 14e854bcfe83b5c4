/**
 * Goal: the failover figure counts only writes sent after the fault, measures the first stretch
 * from the fault itself, counts a stretch still open when the run ends, and says "never
 * recovered" when no write sent after the fault succeeded.
 * Method: the tracker fed with hand-made (sent, done) times in microseconds.
 */
import { describe, expect, it } from 'vitest';
import { UnavailabilityTracker } from '../src/load/unavailability';

describe('unavailability after a fault', () => {
  it('ignores answers to writes sent before the fault', () => {
    const tracker = new UnavailabilityTracker();
    tracker.fault(1_000);
    // Sent before the fault, answered just after it: proves nothing.
    tracker.success(990, 1_001);
    tracker.success(995, 1_002);
    // The new leader answers a write sent after the fault 400 us after it.
    tracker.success(1_050, 1_400);
    tracker.success(1_410, 1_420);
    expect(tracker.result(1_430)).toBe(400);
  });

  it('takes the longest stretch, including one still open at the end', () => {
    const tracker = new UnavailabilityTracker();
    tracker.fault(0);
    tracker.success(10, 100);
    tracker.success(100, 350);
    expect(tracker.result(400)).toBe(250);
    expect(tracker.result(1_000)).toBe(650);
  });

  it('is undefined without a fault or without a success sent after it', () => {
    const tracker = new UnavailabilityTracker();
    tracker.success(0, 10);
    expect(tracker.result(20)).toBeUndefined();
    tracker.fault(30);
    tracker.success(25, 40);
    expect(tracker.result(50)).toBeUndefined();
  });
});
