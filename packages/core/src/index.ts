// Deciders return neverthrow results; re-exported so that users share core's copy.
export { err, errAsync, ok, okAsync, type Result, ResultAsync } from 'neverthrow';
export {
  type Aggregate,
  type AggregateCommandOf,
  type AggregateDefinition,
  type AggregateEventOf,
  defineAggregate,
  type StateOf,
} from './aggregate.js';
export type { Checkpoint, CheckpointStore, PutCheckpointOptions } from './checkpoint-store.js';
export {
  type AnyCommandType,
  type Command,
  type CommandOf,
  type CommandsOf,
  type CommandType,
  defineCommand,
} from './command.js';
export {
  type CommandHandler,
  type CommandHandlerOptions,
  type CommandResult,
  createCommandHandler,
  type HandleOptions,
  type RetryOptions,
} from './command-handler.js';
export { type AppliedCommand, buildCommit, type Commit, describeCommit } from './commit.js';
export { decodeWith, toValidationIssues, validationError } from './decode.js';
export {
  type CommandHandlerError,
  type ConcurrencyError,
  concurrencyError,
  type DomainError,
  describeError,
  domainError,
  type ProjectionError,
  type ProjectionFailureCode,
  type StoreError,
  type StoreErrorCode,
  storeError,
  type ValidationError,
  type ValidationIssue,
} from './errors.js';
export {
  type AnyEventType,
  type DefineEventOptions,
  type DomainEvent,
  defineEvent,
  type EventEnvelope,
  type EventMetadata,
  type EventOf,
  type EventsOf,
  type EventType,
  INITIAL_SCHEMA_VERSION,
  type RawEventEnvelope,
} from './event.js';
export { eventIdTime, newEventId } from './event-id.js';
export {
  createEventRegistry,
  type EncodedEvent,
  type EventRegistry,
  type EventRegistryOptions,
  type UnknownEventPolicy,
} from './event-registry.js';
export type {
  AppendOptions,
  AppendRequest,
  AppendResult,
  EventStore,
  LoadedStream,
  LoadOptions,
  NewEvent,
  Publication,
  Snapshot,
} from './event-store.js';
export {
  ANY,
  assertExpectedVersion,
  type ExpectedVersion,
  matchesExpectedVersion,
  NO_STREAM,
  STREAM_EXISTS,
} from './expected-version.js';
export { InMemoryCheckpointStore } from './in-memory/in-memory-checkpoint-store.js';
export {
  type CommitListener,
  InMemoryEventLog,
  type LoggedCommit,
  type SubscribeOptions,
  type Subscription,
} from './in-memory/in-memory-event-log.js';
export {
  InMemoryEventStore,
  type InMemoryEventStoreOptions,
} from './in-memory/in-memory-event-store.js';
export { InMemoryLeaseStore } from './in-memory/in-memory-lease-store.js';
export { InMemoryProjectionStore } from './in-memory/in-memory-projection-store.js';
export { InMemorySnapshotStore } from './in-memory/in-memory-snapshot-store.js';
export { InMemoryStreamHeadStore } from './in-memory/in-memory-stream-head-store.js';
export type { Lease, LeaseStore } from './lease-store.js';
export { type AggregateState, loadAggregate, rehydrate } from './load-aggregate.js';
export {
  defineProjection,
  type Projection,
  type ProjectionDefinition,
  type ProjectionHandler,
  type ProjectionHandlers,
  projectionWithContext,
} from './projection.js';
export {
  createProjectionRunner,
  type FirstSeenMidway,
  type ProjectionBatchReport,
  type ProjectionRunner,
  type ProjectionRunnerOptions,
} from './projection-runner.js';
export type { ProjectionStore } from './projection-store.js';
export {
  neverSnapshot,
  type SnapshotContext,
  type SnapshotPolicy,
  snapshotEveryCommit,
  snapshotEveryNEvents,
} from './snapshot-policy.js';
export type { ExpectedSnapshotVersion, SnapshotStore } from './snapshot-store.js';
export type {
  AcknowledgeOptions,
  HeadConflict,
  HeadWrite,
  ListPendingOptions,
  StreamHead,
  StreamHeadStore,
} from './stream-head-store.js';
export {
  defineUpcasters,
  type EventUpcasters,
  type UpcastContext,
  type UpcastStep,
} from './upcasting.js';
