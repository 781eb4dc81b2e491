// Each test starts from an empty document; jsdom lacks ResizeObserver, which the virtualizer and charts use.
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

class NoResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

if (globalThis.ResizeObserver === undefined) {
  globalThis.ResizeObserver = NoResizeObserver as unknown as typeof ResizeObserver;
}
