export {
  type ContainerRuntimeProbe,
  type ContainersBackendStatus,
  describeContainersBackend,
  type ProbeContainerRuntimeOptions,
  probeContainerRuntime,
} from './container-runtime.js';
export { ContainerRuntimeUnavailableError } from './container-runtime-unavailable-error.js';
export {
  type LocalStackContainerOptions,
  type LocalStackService,
  type StartedLocalStackContainer,
  startLocalStackContainer,
} from './localstack-container.js';
export {
  type MariaDbContainerOptions,
  type StartedMariaDbContainer,
  startMariaDbContainer,
} from './mariadb-container.js';
export {
  type PostgresContainerOptions,
  type StartedPostgresContainer,
  startPostgresContainer,
} from './postgres-container.js';
