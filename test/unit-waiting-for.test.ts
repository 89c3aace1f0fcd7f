// What a session waits for, from the tools of its pending permission requests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitingFor } from '../src/core/attention/waiting-for.js';

test('nothing pending: null; a plan, a question, a permission prompt; a prompt comes first', () => {
  assert.equal(waitingFor([]), null);
  assert.equal(waitingFor(['ExitPlanMode']), 'plan');
  assert.equal(waitingFor(['AskUserQuestion']), 'question');
  assert.equal(waitingFor(['ExitPlanMode', 'AskUserQuestion']), 'question');
  assert.equal(waitingFor(['AskUserQuestion', 'Bash']), 'permission');
  assert.equal(waitingFor(['Write']), 'permission');
});
