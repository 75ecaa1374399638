// The app's one QR encoder: a text to the SVG path of its dark modules, at error correction
// level M, or null when the text is more than a QR code holds at that level (about 2.3 kB of
// bytes). QrCode.svelte draws what this returns; Rust draws none.

import { encode } from 'uqr';

/** Modules of light margin around the code, as scanners expect. */
export const QR_QUIET = 4;

/** A QR code as one SVG path (`d`, offset by the quiet zone) in a square `extent` modules wide. */
export type QrPath = { d: string; extent: number };

/** The QR code of `text`, or null when it does not fit in a QR code at level M. */
export function qrPath(text: string): QrPath | null {
  let qr: ReturnType<typeof encode>;
  try {
    // uqr: an ES module that never assigns to a built-in's property, so it runs under the
    // app's frozen Object.prototype (tauri.conf.json freezePrototype).
    qr = encode(text, { ecc: 'M', boostEcc: false, border: 0 });
  } catch (error) {
    // uqr's one refusal of a text that is merely too long (even version 40 cannot hold it);
    // anything else is a fault and is not hidden as "too large".
    if (error instanceof RangeError && error.message === 'Data too long') return null;
    throw error;
  }
  const n = qr.size;
  let d = '';
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (qr.data[y]![x]) d += `M${x + QR_QUIET} ${y + QR_QUIET}h1v1h-1z`;
    }
  }
  return { d, extent: n + 2 * QR_QUIET };
}
