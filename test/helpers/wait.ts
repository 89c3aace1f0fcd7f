// Waiting on a signal (an event, a frame), with a deadline: never a sleep, never a poll.

/**
 * Resolves with the first value `subscribe` delivers that satisfies `pred`; rejects
 * with `what` after timeoutMs. `subscribe` registers a listener and returns how to remove it.
 */
export function waitFor<T>(
  subscribe: (listener: (v: T) => void) => () => void,
  pred: (v: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let off: () => void = () => {};
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    off = subscribe((v) => {
      if (!pred(v)) return;
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}
