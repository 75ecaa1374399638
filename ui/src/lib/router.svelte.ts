// The view router: one runes object holding which screen is shown. The app has a handful of
// screens and no URLs to share, so there is no history API and no path parsing — just a name,
// and a short stack of the screens that settings or "add a key" were opened from, for Back.

export type View = 'starting' | 'keychain' | 'onboarding' | 'account' | 'settings' | 'sessions' | 'activity' | 'grant';

/** The screen shown; read `router.view` reactively, change it with `go` and `back`. */
export const router = $state<{ view: View }>({ view: 'starting' });

/** Screens reached from the main navigation; settings and onboarding return to them. */
const RETURNABLE: readonly View[] = ['account', 'onboarding', 'sessions', 'activity'];

const opened: View[] = [];

/** Shows `next`; settings and onboarding remember the screen they were opened from. */
export function go(next: View): void {
  const current = router.view;
  if (current === next) return;
  if ((next === 'settings' || next === 'onboarding') && RETURNABLE.includes(current)) {
    opened.push(current);
  } else {
    opened.length = 0;
  }
  router.view = next;
}

/** Returns to the screen the current one was opened from (the account when none). */
export function back(): void {
  router.view = opened.pop() ?? 'account';
}
