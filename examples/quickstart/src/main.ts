import { runQuickstart } from './run.js';

const { steps } = await runQuickstart();
for (const step of steps) {
  console.log(`${step.asExpected ? 'ok  ' : 'FAIL'} ${step.action}: ${step.outcome}`);
}
const failed = steps.filter((step) => !step.asExpected).length;
console.log(
  failed === 0
    ? `all ${steps.length} steps behaved`
    : `${failed} of ${steps.length} steps misbehaved`,
);
process.exitCode = failed === 0 ? 0 : 1;
