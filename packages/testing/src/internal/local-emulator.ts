/**
 * A running emulator: where it listens and how to end it.
 *
 * @example
 * ```ts
 * const emulator: LocalEmulator = await startKinesalite();
 * const kinesis = new KinesisClient(localClientConfig(emulator.endpoint));
 * await emulator.stop();
 * ```
 */
export interface LocalEmulator {
  /** Which emulator this is (`kinesalite`, `kinesis-mock`, `dynamodb-local`, ...). */
  readonly name: string;
  /** Base URL for AWS SDK clients, e.g. `http://127.0.0.1:4567`. */
  readonly endpoint: string;
  /** Ends the emulator and every process it started. Safe to call twice. */
  stop(): Promise<void>;
}
