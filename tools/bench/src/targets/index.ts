/** The driver of each system, from the addresses of a running cluster. */
import type { TargetName } from '../results';
import { etcdDriver } from './etcd';
import { keelDriver } from './keel';
import type { TargetDriver } from './session';
import { zookeeperDriver } from './zookeeper';

/** A driver for `target` whose members listen at `addresses` (ZooKeeper `host:port`, etcd and Keel URLs). */
export function driverFor(target: TargetName, addresses: readonly string[]): TargetDriver {
  if (target === 'zookeeper') return zookeeperDriver(addresses.join(','));
  if (target === 'etcd') return etcdDriver(addresses);
  return keelDriver(addresses);
}
