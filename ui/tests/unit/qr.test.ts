// The one QR encoder: a path for what fits at level M, null for what does not.
import { describe, expect, test } from 'vitest';
import { QR_QUIET, qrPath } from '../../src/lib/qr';

describe('qrPath', () => {
  test('a short text fits: dark modules offset by the quiet zone, in a square with it on both sides', () => {
    const code = qrPath('warden');
    expect(code).not.toBeNull();
    // Version 1 (21 modules) holds six bytes at level M.
    expect(code!.extent).toBe(21 + 2 * QR_QUIET);
    expect(code!.d.startsWith(`M${QR_QUIET} ${QR_QUIET}h1v1h-1z`)).toBe(true);
  });

  test('a 4000-character text is beyond QR capacity at level M', () => {
    expect(qrPath('x'.repeat(4000))).toBeNull();
  });
});
