// GroupMember: join a group and list its members.
// Run: npx tsx --conditions=@keel/source examples/group-member.ts
import { toText } from '@keel/client';
import { GroupMember } from '@keel/recipes';
import { connectToKeel, run } from './keel';

const client = await connectToKeel();
const path = `/examples/${run}/group`;
const members = [
  new GroupMember(client, path, 'indexer-1', 'host-a'),
  new GroupMember(client, path, 'indexer-2', 'host-b'),
];
for (const member of members) await member.start();
while ((members[0]?.getCurrentMembers().size ?? 0) < 2) await new Promise((resolve) => setTimeout(resolve, 20));
for (const [id, payload] of members[0]?.getCurrentMembers() ?? []) console.log(id, toText(payload));
for (const member of members) await member.close();
await client.close();
