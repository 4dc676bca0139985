/**
 * Thrown when something needs a container runtime (Docker, Podman, …) and none answers, or when
 * `testcontainers` is not installed. It is a signal to skip, not a test failure: tests that
 * depend on containers check {@link describeContainersBackend} first and skip with
 * {@link ContainerRuntimeUnavailableError.message | message}.
 *
 * @example
 * ```ts
 * try {
 *   await startPostgresContainer();
 * } catch (error) {
 *   if (error instanceof ContainerRuntimeUnavailableError) console.warn(error.message);
 *   else throw error;
 * }
 * ```
 */
export class ContainerRuntimeUnavailableError extends Error {
  override readonly name = 'ContainerRuntimeUnavailableError';
  /** Discriminant shared with the package's other error values. */
  readonly kind = 'container-runtime-unavailable' as const;
  /** Why no runtime is available, as testcontainers or the module loader reported it. */
  readonly reason: string;

  constructor(reason: string, options?: { readonly cause?: unknown }) {
    super(`skipped: no container runtime (${reason})`, options);
    this.reason = reason;
  }
}
