import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallsPage } from '../../../src/pages/calls/calls-page.tsx';
import { auditRecord, FakeCore } from '../../fake-control-api.ts';
import { renderWith } from '../../render-app.tsx';

const TOTAL = 100_000;
const VIEW_HEIGHT = 640;

function bigCore(): FakeCore {
  const core = new FakeCore();
  core.records = Array.from({ length: TOTAL }, (_, i) => auditRecord(i + 1));
  return core;
}

// jsdom lays nothing out: give the table's scroll area a height so the virtualizer has a view to fill.
const saved = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight');
beforeEach(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.dataset['testid'] === 'calls-scroll' ? VIEW_HEIGHT : 0;
    },
  });
});
afterEach(() => {
  if (saved !== undefined) Object.defineProperty(HTMLElement.prototype, 'clientHeight', saved);
});

function callRows(): HTMLElement[] {
  return within(screen.getByTestId('calls-scroll')).queryAllByRole('row');
}

describe('Calls page', () => {
  it('renders only the rows in view out of 100,000 records, newest first', async () => {
    const core = bigCore();
    renderWith(core, <CallsPage />);
    await screen.findByText('everything__tool_100000');
    const rows = callRows();
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]?.textContent).toContain('everything__tool_100000');
    expect(core.askedFor('audit')).toEqual([{ limit: 200 }]);
  });

  it('reads the next older page as the view nears the end of what is loaded', async () => {
    const core = bigCore();
    renderWith(core, <CallsPage />);
    await screen.findByText('everything__tool_100000');
    const scroll = screen.getByTestId('calls-scroll');
    scroll.scrollTop = 170 * 32;
    fireEvent.scroll(scroll);
    await waitFor(() => expect(core.askedFor('audit')).toEqual([{ limit: 200 }, { limit: 200, before: 99_801 }]));
    scroll.scrollTop = 390 * 32;
    fireEvent.scroll(scroll);
    expect(await screen.findByText('everything__tool_99600')).toBeTruthy();
    expect(callRows().length).toBeLessThan(60);
  });

  it('opens a record in the details drawer from a click or Enter, and closes it with Escape', async () => {
    const core = bigCore();
    core.details.set(100_000, {
      ...auditRecord(100_000, { outcome: 'tool-error', error: 'boom' }),
      arguments: '{"message":"hello","n":1}',
      decision: 'allow',
      rule: 'default',
      requestBytes: 2048,
      responseBytes: 10,
      errorDetail: 'Error: boom\n    at handler (server.js:10:5)',
      protocolVersion: '2025-11-25',
      sessionId: 'abc-session',
      detail: null,
    });
    renderWith(core, <CallsPage />);
    const row = (await screen.findByText('everything__tool_100000')).closest<HTMLElement>('[role="row"]');
    if (row === null) throw new Error('no row');
    fireEvent.click(row);
    const drawer = await screen.findByRole('dialog', { name: 'Call details' });
    await waitFor(() =>
      expect(within(drawer).getByLabelText('Arguments').textContent).toBe('{\n  "message": "hello",\n  "n": 1\n}'),
    );
    expect(within(drawer).getByLabelText('Error detail').textContent).toContain('at handler (server.js:10:5)');
    expect(within(drawer).getByText('abc-session')).toBeTruthy();
    expect(within(drawer).getByText('2.0 KiB')).toBeTruthy();
    expect(within(drawer).getByText('default')).toBeTruthy();
    fireEvent.keyDown(drawer, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();

    const second = (await screen.findByText('everything__tool_99999')).closest<HTMLElement>('[role="row"]');
    if (second === null) throw new Error('no row');
    second.focus();
    fireEvent.keyDown(second, { key: 'Enter' });
    expect(await screen.findByRole('dialog', { name: 'Call details' })).toBeTruthy();
    expect(core.askedFor('auditRecord')).toEqual([{ id: 100_000 }, { id: 99_999 }]);
  });

  it("shows whom a shared gateway's call was made for, and no member row on a desktop record", async () => {
    const core = bigCore();
    const base = {
      arguments: null,
      decision: 'allow',
      rule: 'default',
      requestBytes: null,
      responseBytes: null,
      errorDetail: null,
      protocolVersion: null,
      sessionId: null,
      detail: null,
    };
    core.details.set(100_000, { ...auditRecord(100_000), ...base, member: 'alice@example.com' });
    core.details.set(99_999, { ...auditRecord(99_999), ...base, member: null });
    renderWith(core, <CallsPage />);
    fireEvent.click(await screen.findByText('everything__tool_100000'));
    const drawer = await screen.findByRole('dialog', { name: 'Call details' });
    expect(await within(drawer).findByText('alice@example.com')).toBeTruthy();
    expect(within(drawer).getByText('Member')).toBeTruthy();
    fireEvent.keyDown(drawer, { key: 'Escape' });
    fireEvent.click(await screen.findByText('everything__tool_99999'));
    const other = await screen.findByRole('dialog', { name: 'Call details' });
    await within(other).findByText('Protocol');
    expect(within(other).queryByText('Member')).toBeNull();
  });

  it('puts new calls on top as they are recorded', async () => {
    const core = bigCore();
    renderWith(core, <CallsPage />);
    await screen.findByText('everything__tool_100000');
    core.records.push(auditRecord(100_001, { target: 'everything__fresh' }));
    const { id: _id, durationMs: _d, error: _e, ...event } = auditRecord(100_001);
    act(() => {
      core.emit({ type: 'audit', record: event });
      core.emit({ type: 'audit', record: event });
    });
    expect(await screen.findByText('everything__fresh')).toBeTruthy();
    expect(callRows()[0]?.textContent).toContain('everything__fresh');
    // Two events close together make one read.
    expect(core.askedFor('audit')).toHaveLength(2);
  });

  it('closes the drawer on Escape with the focus back on the table', async () => {
    renderWith(bigCore(), <CallsPage />);
    fireEvent.click(await screen.findByText('everything__tool_100000'));
    expect(await screen.findByRole('dialog', { name: 'Call details' })).toBeTruthy();
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement?.getAttribute('role')).toBe('row');
    expect(document.activeElement?.textContent).toContain('everything__tool_100000');
  });

  it('keeps the rows in view still when new calls arrive above them', async () => {
    const core = bigCore();
    renderWith(core, <CallsPage />);
    await screen.findByText('everything__tool_100000');
    const scroll = screen.getByTestId('calls-scroll');
    scroll.scrollTop = 50 * 32;
    fireEvent.scroll(scroll);
    await screen.findByText('everything__tool_99950');
    core.records.push(auditRecord(100_001), auditRecord(100_002));
    const { id: _id, durationMs: _d, error: _e, ...event } = auditRecord(100_002);
    act(() => core.emit({ type: 'audit', record: event }));
    await waitFor(() => expect(scroll.scrollTop).toBe(52 * 32));
  });

  it('filters by tool', async () => {
    const core = bigCore();
    renderWith(core, <CallsPage />);
    await screen.findByText('everything__tool_100000');
    fireEvent.change(screen.getByLabelText('Tool'), { target: { value: 'everything__tool_4242' } });
    expect(await screen.findByText('everything__tool_4242')).toBeTruthy();
    await waitFor(() => expect(callRows()).toHaveLength(1));
    expect(core.askedFor('audit').at(-1)).toEqual({ limit: 200, tool: 'everything__tool_4242' });
  });
});
