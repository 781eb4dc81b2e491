// The dashboard window comes back where it was: its size, position and maximized state in window-state.json in
// the data directory, written atomically on close. A saved place that no display shows any more (a monitor
// unplugged) is dropped, keeping the size, so the window never opens off screen.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import type { Rect } from './electron-parts.ts';

export interface WindowState {
  readonly bounds: Rect;
  readonly maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1200, height: 800 } as const;
export const MIN_SIZE = { width: 720, height: 480 } as const;
/** How much of the window must lie on some display for its place to be kept. */
const VISIBLE = { width: 120, height: 60 } as const;

export function windowStatePath(dataDir: string): string {
  return join(dataDir, 'window-state.json');
}

function isRect(value: unknown): value is Rect {
  if (typeof value !== 'object' || value === null) return false;
  const { x, y, width, height } = value as Record<string, unknown>;
  return [x, y, width, height].every((n) => typeof n === 'number' && Number.isFinite(n));
}

/** The saved state, or null when there is none or it is not one. */
export async function loadWindowState(dataDir: string): Promise<WindowState | null> {
  try {
    const parsed = JSON.parse(await readFile(windowStatePath(dataDir), 'utf8')) as Record<string, unknown>;
    if (!isRect(parsed['bounds'])) return null;
    return { bounds: parsed['bounds'], maximized: parsed['maximized'] === true };
  } catch {
    return null;
  }
}

export async function saveWindowState(dataDir: string, state: WindowState): Promise<void> {
  await writeFileAtomic(windowStatePath(dataDir), JSON.stringify(state) + '\n', 0o600);
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/** Where to open: the saved size (at least the minimum), and its place only while a display still shows it. */
export function placeWindow(
  saved: WindowState | null,
  displays: readonly Rect[],
): { width: number; height: number; x?: number; y?: number } {
  if (saved === null) return { ...DEFAULT_SIZE };
  const width = Math.max(MIN_SIZE.width, Math.round(saved.bounds.width));
  const height = Math.max(MIN_SIZE.height, Math.round(saved.bounds.height));
  const bounds = { x: Math.round(saved.bounds.x), y: Math.round(saved.bounds.y), width, height };
  const shown = displays.some((d) => {
    const o = overlap(bounds, d);
    return o.width >= VISIBLE.width && o.height >= VISIBLE.height;
  });
  return shown ? bounds : { width, height };
}
