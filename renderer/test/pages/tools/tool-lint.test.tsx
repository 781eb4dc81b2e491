import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ToolsPage } from '../../../src/pages/tools/tools-page.tsx';
import { FakeCore } from '../../fake-control-api.ts';
import { renderWith } from '../../render-app.tsx';

function coreWithLint(): FakeCore {
  const core = new FakeCore();
  const inputSchema = { type: 'object', properties: { q: {} } };
  core.catalog = {
    servers: [
      {
        server: 'docs',
        tools: [
          {
            name: 'docs__search',
            inputSchema,
            lint: [
              {
                rule: 'description-missing',
                severity: 'error',
                path: 'description',
                message: 'docs__search: has no description; say what it does and when to use it',
              },
              {
                rule: 'param-type-missing',
                severity: 'warning',
                path: 'inputSchema.properties.q',
                message: 'docs__search: inputSchema.properties.q has no type',
              },
            ],
          },
          {
            name: 'docs__read',
            description: 'Reads one page of the docs by its path.',
            inputSchema,
            lint: [],
          },
        ],
        resources: [],
        prompts: [],
        problems: [],
      },
    ],
  };
  return core;
}

describe('Tools page: tool lint', () => {
  it('counts each tool’s findings in the list, coloured by the worst', async () => {
    renderWith(coreWithLint(), <ToolsPage />);
    const docs = await screen.findByRole('region', { name: 'Server docs' });
    const count = within(docs).getByText('2 lint');
    expect(count.className).toBe('badge badge-error');
    expect(count.getAttribute('title')).toBe('Tool lint: description-missing, param-type-missing');
    expect(within(docs).getAllByText(/\d+ lint/)).toHaveLength(1);
  });

  it('lists the findings of the chosen tool with severity, rule and message', async () => {
    renderWith(coreWithLint(), <ToolsPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'docs__search' }));
    const lint = screen.getByRole('region', { name: 'Tool lint' });
    const items = within(lint)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items).toEqual([
      'error description-missing docs__search: has no description; say what it does and when to use it',
      'warning param-type-missing docs__search: inputSchema.properties.q has no type',
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'docs__read' }));
    expect(within(screen.getByRole('region', { name: 'Tool lint' })).getByText('Nothing to flag.')).toBeTruthy();
  });
});
