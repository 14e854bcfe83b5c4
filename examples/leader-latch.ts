// LeaderLatch: two participants, one leads; closing the leader hands over.
// Run: npm start (in another terminal), then npx tsx --conditions=@keel/source examples/leader-latch.ts
import { LeaderLatch } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const [alice, bob] = [await connectToKeel(), await connectToKeel()];
const path = `/examples/${run}/latch`;
const latchA = new LeaderLatch(alice, path, { id: 'alice' });
const latchB = new LeaderLatch(bob, path, { id: 'bob' });
for (const latch of [latchA, latchB]) {
  latch.on('isLeader', () => console.log(`${latch.id} leads`));
  latch.on('notLeader', () => console.log(`${latch.id} no longer leads`));
  latch.start();
}
await latchA.await({ timeoutMs: 10_000 });
console.log('leader:', (await latchB.getLeader()).id, 'participants:', await latchB.getParticipants());
await latchA.close('notifyLeader');
console.log('bob leads after alice left:', await latchB.await({ timeoutMs: 10_000 }));
await latchB.close();
await alice.close();
await bob.close();
