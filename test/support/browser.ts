import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium (never a downloaded build), headless, with the flags this closed network
 * needs: without the background-networking ones Chromium keeps dialling out and is refused.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
