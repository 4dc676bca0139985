// Starts DynamoDB Local, prints the managed process groups, then waits to be killed or crashes.

import { startDynamoDbLocal } from '../dynamodb/dynamodb-local.js';
import { liveProcessIds } from '../internal/child-processes.js';

await startDynamoDbLocal();
console.log(JSON.stringify(liveProcessIds()));
if (process.argv.includes('--crash')) {
  setTimeout(() => {
    throw new Error('simulated crash of the test process');
  }, 10);
} else {
  setInterval(() => {}, 1_000);
}
