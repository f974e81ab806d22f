'use client';

import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';

/**
 * A notice for the page the console goes to next ("User created", "jane@… was deleted"): kept in the
 * tab's sessionStorage for that page's path, shown once there, never put in the URL (it may name a person).
 */
export interface FlashNotice {
  tone: 'info' | 'error';
  title?: string;
  text: string;
}

const KEY = 'keyway-console-flash';

export function setFlashNotice(path: string, notice: FlashNotice): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ path, notice }));
  } catch {
    // Storage refused (private mode, quota): the notice is a nicety, the action itself is done.
  }
}

/** The notice left for this page, if any; read once, then forgotten. */
export function useFlashNotice(): FlashNotice | undefined {
  const pathname = usePathname();
  const [notice, setNotice] = useState<FlashNotice>();
  useEffect(() => {
    let stored: unknown;
    try {
      const raw = sessionStorage.getItem(KEY);
      stored = raw ? JSON.parse(raw) : undefined;
    } catch {
      return;
    }
    if (!isFlash(stored) || stored.path !== pathname) return;
    sessionStorage.removeItem(KEY);
    setNotice(stored.notice);
  }, [pathname]);
  return notice;
}

function isFlash(value: unknown): value is { path: string; notice: FlashNotice } {
  if (!value || typeof value !== 'object') return false;
  const { path, notice } = value as { path?: unknown; notice?: Partial<FlashNotice> };
  return (
    typeof path === 'string' &&
    !!notice &&
    typeof notice.text === 'string' &&
    (notice.tone === 'info' || notice.tone === 'error')
  );
}
