export {
  type CheckpointStoreContractOptions,
  checkpointStoreContract,
} from './checkpoint-store-contract.js';
export { counterFixture } from './counter-fixture.js';
export {
  type DeciderSpec,
  type DeciderThen,
  type DeciderWhen,
  deciderSpec,
} from './decider-spec.js';
export { type EventStoreContractOptions, eventStoreContract } from './event-store-contract.js';
export { type LeaseStoreContractOptions, leaseStoreContract } from './lease-store-contract.js';
export {
  type ProjectionSpecOptions,
  type ProjectionThen,
  type ProjectionWhen,
  projectionSpec,
  type SpecEvent,
} from './projection-spec.js';
export {
  type SnapshotStoreContractOptions,
  snapshotStoreContract,
} from './snapshot-store-contract.js';
export {
  type StreamHeadStoreContractOptions,
  streamHeadStoreContract,
} from './stream-head-store-contract.js';
export {
  type ContractSuiteOptions,
  contractSuite,
  resolveTestApi,
  type TestApi,
} from './test-api.js';
export { uniqueName } from './unique-name.js';
export { unwrap, unwrapErr } from './unwrap.js';
