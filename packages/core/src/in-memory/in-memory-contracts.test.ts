import { afterAll, describe, it } from 'vitest';
import { checkpointStoreContract } from '../testing/checkpoint-store-contract.js';
import { eventStoreContract } from '../testing/event-store-contract.js';
import { leaseStoreContract } from '../testing/lease-store-contract.js';
import { projectionStoreContract } from '../testing/projection-store-contract.js';
import { snapshotStoreContract } from '../testing/snapshot-store-contract.js';
import { streamHeadStoreContract } from '../testing/stream-head-store-contract.js';
import { InMemoryCheckpointStore } from './in-memory-checkpoint-store.js';
import { InMemoryEventStore } from './in-memory-event-store.js';
import { InMemoryLeaseStore } from './in-memory-lease-store.js';
import { InMemoryProjectionStore } from './in-memory-projection-store.js';
import { InMemorySnapshotStore } from './in-memory-snapshot-store.js';
import { InMemoryStreamHeadStore } from './in-memory-stream-head-store.js';

const testApi = { describe, it, afterAll };

eventStoreContract('InMemoryEventStore', { create: () => new InMemoryEventStore(), testApi });
snapshotStoreContract('InMemorySnapshotStore', {
  create: () => new InMemorySnapshotStore(),
  testApi,
});
checkpointStoreContract('InMemoryCheckpointStore', {
  create: () => new InMemoryCheckpointStore(),
  testApi,
});
projectionStoreContract('InMemoryProjectionStore', {
  create: () => new InMemoryProjectionStore(),
  testApi,
});
streamHeadStoreContract('InMemoryStreamHeadStore', {
  create: () => new InMemoryStreamHeadStore(),
  testApi,
});
leaseStoreContract('InMemoryLeaseStore', {
  create: (clock) => new InMemoryLeaseStore({ clock }),
  testApi,
});
