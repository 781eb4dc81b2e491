import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ToolsPage } from '../../../src/pages/tools/tools-page.tsx';
import { FakeCore } from '../../fake-control-api.ts';
import { renderWith } from '../../render-app.tsx';

const HASH = `sha256:${'a'.repeat(64)}`;
const NEW = `sha256:${'b'.repeat(64)}`;

function coreWithReview(): FakeCore {
  const core = new FakeCore();
  core.catalog = { servers: [{ server: 'notes', tools: [], resources: [], prompts: [], problems: [] }] };
  core.pinsView = {
    error: null,
    tools: [
      {
        server: 'notes',
        tool: 'search',
        hash: HASH,
        approvedAt: '2026-11-01T00:00:00.000Z',
        changed: {
          hash: NEW,
          seenAt: '2026-11-26T00:00:00.000Z',
          diff: [
            { path: 'description', change: 'changed', before: '"Searches."', after: '"Searches.<U+200B>"' },
            { path: 'inputSchema.properties.q.description', change: 'added', after: '"x"' },
          ],
        },
        flags: [{ rule: 'invisible-unicode', field: 'description', match: 'Searches.<U+200B>' }],
      },
      { server: 'notes', tool: 'echo', hash: HASH, approvedAt: '2026-11-01T00:00:00.000Z', changed: null, flags: [] },
    ],
  };
  return core;
}

describe('Tools page review (T28, T29)', () => {
  it('shows a changed tool as a diff by JSON path, and its flags with hidden characters written out', async () => {
    renderWith(coreWithReview(), <ToolsPage />);
    const change = await screen.findByRole('group', { name: 'Change of notes search' });
    const rows = within(change)
      .getAllByRole('row')
      .map((row) => row.textContent);
    expect(rows).toEqual([
      'WhereApprovedNow',
      'description"Searches.""Searches.<U+200B>"',
      'inputSchema.properties.q.description(absent)"x"',
    ]);
    const flags = screen.getByRole('group', { name: 'Flags of notes search' });
    expect(flags.textContent).toContain('invisible-unicode in description: Searches.<U+200B>');
    expect(screen.queryByRole('group', { name: 'Change of notes echo' })).toBeNull();
  });

  it('approves the change through the contract and drops it from the review', async () => {
    const core = coreWithReview();
    renderWith(core, <ToolsPage />);
    const change = await screen.findByRole('group', { name: 'Change of notes search' });
    fireEvent.click(within(change).getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(screen.queryByRole('group', { name: 'Change of notes search' })).toBeNull());
    expect(core.askedFor('approveTools')).toEqual([{ server: 'notes', tools: ['search'] }]);
  });

  it('says when the pins cannot be read', async () => {
    const core = coreWithReview();
    core.pinsView = { error: 'tool-pins.json is not valid JSON', tools: [] };
    renderWith(core, <ToolsPage />);
    expect((await screen.findByRole('alert')).textContent).toBe('tool-pins.json is not valid JSON');
  });
});

describe('Pinning state in a tool’s detail', () => {
  it('shows a pinned tool’s hash, and a changed one as hidden until approved', async () => {
    const core = new FakeCore();
    core.catalog = {
      servers: [
        {
          server: 'notes',
          tools: [
            {
              name: 'notes__echo',
              inputSchema: { type: 'object' },
              pin: { hash: `sha256:${'ab'.repeat(32)}`, approvedAt: '2026-11-26T08:00:00.000Z', changed: false },
            },
            {
              name: 'notes__search',
              inputSchema: { type: 'object' },
              pin: { hash: `sha256:${'cd'.repeat(32)}`, approvedAt: '2026-11-26T08:00:00.000Z', changed: true },
            },
          ],
          resources: [],
          prompts: [],
          problems: [],
        },
      ],
    };
    renderWith(core, <ToolsPage />);
    fireEvent.click(await screen.findByRole('button', { name: /notes__echo/ }));
    expect((await screen.findByLabelText('Pinning')).textContent).toContain('sha256:abababab');
    fireEvent.click(screen.getByRole('button', { name: /notes__search/ }));
    await waitFor(() => expect(screen.getByLabelText('Pinning').textContent).toContain('hidden from every client'));
  });
});
