// Test support: the KPL team's reference de-aggregator (aws-kinesis-agg), as a plain function.
import * as agg from 'aws-kinesis-agg';

export interface ReferenceUserRecord {
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  readonly subSequenceNumber?: number;
  /** base64 */
  readonly data: string;
}

/** De-aggregates like a Lambda using aws-kinesis-agg would, checksums verified. */
export const referenceDeaggregate = (payload: {
  readonly data: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
}): { readonly error?: string; readonly records: ReferenceUserRecord[] } => {
  let outcome: { error?: string; records: ReferenceUserRecord[] } | undefined;
  agg.deaggregateSync(
    { ...payload, approximateArrivalTimestamp: 0, kinesisSchemaVersion: '1.0' },
    true,
    (error, userRecords) => {
      if (outcome !== undefined) return; // it may report an error and then the end
      outcome =
        error !== null && error !== undefined
          ? { error: error.message, records: [] }
          : {
              records: (userRecords ?? []).map((record) => ({
                partitionKey: record.partitionKey,
                ...(record.explicitPartitionKey === undefined
                  ? {}
                  : { explicitHashKey: record.explicitPartitionKey }),
                ...(record.subSequenceNumber === undefined
                  ? {}
                  : { subSequenceNumber: record.subSequenceNumber }),
                data: record.data,
              })),
            };
    },
  );
  if (outcome === undefined) throw new Error('aws-kinesis-agg did not call back');
  return outcome;
};
