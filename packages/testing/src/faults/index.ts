export { countRequests, type RequestCounter } from './count-requests.js';
export {
  type AwsErrorShape,
  type ErrorMetadata,
  type NetworkErrorShape,
  type ServiceExceptionClass,
  type ThrottlingErrorOptions,
  throttlingError,
  timeoutError,
} from './fault-errors.js';
export {
  type FaultProxy,
  type FaultProxyOptions,
  type ProxyBehaviour,
  startFaultProxy,
} from './fault-proxy.js';
export {
  type CommandMatcher,
  type CrashAfterFault,
  type CrashBeforeFault,
  type DelayFault,
  type ErrorFault,
  type Fault,
  type FaultCall,
  type FaultController,
  type FaultEvent,
  type FaultLayer,
  type FaultOutcome,
  type FaultPlan,
  type FaultRule,
  type InjectFaultsOptions,
  injectFaults,
  type ThrottleFault,
  type TimeoutFault,
} from './inject-faults.js';
export type { SdkClient } from './sdk-middleware.js';
export {
  type CrashPhase,
  SimulatedCrash,
  type SimulatedCrashOptions,
} from './simulated-crash.js';
