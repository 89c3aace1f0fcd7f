// The scripted model as its own process, so its CPU is neither the server's nor
// the bench driver's. Prints {"url": ...} on stdout once listening; exits on
// SIGTERM or when stdin closes (the driver died).
// Besides the default directives (say:, run:, slow:) it answers
//   `bench-stream <chunks> <chars>` -> <chars> characters of text in <chunks> SSE deltas, no delay.
import { ScriptedModel } from '../../src/demo/scripted-model.js';

const model = new ScriptedModel({ maxRecorded: 20 });
model.responder = (req) => {
  if (!req.stream || req.toolResults.length > 0) return undefined;
  const m = req.lastUserText.trim().match(/^bench-stream\s+(\d+)\s+(\d+)/);
  if (!m) return undefined;
  const chunks = Number(m[1]);
  const chars = Number(m[2]);
  const text = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(chars / 27)).slice(0, chars);
  return { kind: 'text', text, chunks };
};
const url = await model.start(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ url, pid: process.pid })}\n`);
const stop = async () => {
  await model.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
