// The current time in unix seconds, read reactively as `clock.now`: it ticks once a second
// while anything that shows a countdown reads it in an effect; nothing ticks when no screen
// does (a `createSubscriber`, as Svelte's own MediaQuery).

import { createSubscriber } from 'svelte/reactivity';

export const nowSec = () => Math.floor(Date.now() / 1000);

const tick = createSubscriber((update) => {
  const timer = setInterval(update, 1000);
  return () => clearInterval(timer);
});

export const clock = {
  /** The time in unix seconds; read in an effect or `$derived`, it re-runs it every second. */
  get now(): number {
    tick();
    return nowSec();
  },
};
