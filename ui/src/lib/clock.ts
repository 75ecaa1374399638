// The current time in unix seconds as a store that ticks once a second while anything shows a
// countdown; nothing ticks when no screen is subscribed.

import { readable } from 'svelte/store';

export const nowSec = () => Math.floor(Date.now() / 1000);

export const clock = readable(nowSec(), (set) => {
  set(nowSec());
  const timer = setInterval(() => set(nowSec()), 1000);
  return () => clearInterval(timer);
});
