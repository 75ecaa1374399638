// The view router: one store holding which screen is shown. The app has a handful of screens
// and no URLs to share, so there is no history API and no path parsing — just a name.

import { writable, get } from 'svelte/store';

export type View = 'starting' | 'keychain' | 'onboarding' | 'account' | 'settings';

export const view = writable<View>('starting');

/** Where "Back" goes from a screen opened on top of another (settings, adding a key). */
const returnTo = writable<View>('account');

export function go(next: View): void {
  const current = get(view);
  if (next === 'settings' || next === 'onboarding') {
    if (current !== next && current !== 'starting' && current !== 'keychain') returnTo.set(current);
  }
  view.set(next);
}

export function back(): void {
  view.set(get(returnTo));
}
