import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ToolsPage } from '../../../src/pages/tools/tools-page.tsx';
import { FakeCore } from '../../fake-control-api.ts';
import { renderWith } from '../../render-app.tsx';

function coreWithTool(): FakeCore {
  const core = new FakeCore();
  core.catalog = {
    servers: [
      {
        server: 'everything',
        tools: [
          {
            name: 'everything__echo',
            description: 'Echoes back the input',
            inputSchema: {
              type: 'object',
              properties: {
                message: { type: 'string' },
                times: { type: 'integer' },
                shout: { type: 'boolean' },
                style: { enum: ['plain', 'fancy'] },
                tags: { type: 'array', items: { type: 'string' } },
                extra: { type: 'object' },
              },
              required: ['message'],
            },
            annotations: { readOnlyHint: true },
          },
        ],
        resources: [{ uri: 'test://static/1', name: 'Resource 1' }],
        prompts: [{ name: 'simple_prompt' }],
        problems: [],
      },
      { server: 'docs', tools: [], resources: [], prompts: [], problems: ['docs is not running (failed)'] },
    ],
  };
  return core;
}

describe('Tools page', () => {
  it('lists what each server offers and why a list is missing', async () => {
    renderWith(coreWithTool(), <ToolsPage />);
    const everything = await screen.findByRole('region', { name: 'Server everything' });
    expect(within(everything).getByRole('button', { name: 'everything__echo' })).toBeTruthy();
    expect(within(everything).getByText('Resources (1)')).toBeTruthy();
    expect(screen.getByText('docs is not running (failed)')).toBeTruthy();
  });

  it('calls the tool with arguments built from its schema and shows the result', async () => {
    const core = coreWithTool();
    core.toolResult = {
      content: [{ type: 'text', text: 'Echo: hello' }],
      structuredContent: { echoed: 'hello' },
      isError: true,
      durationMs: 42,
    };
    renderWith(core, <ToolsPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'everything__echo' }));
    expect(screen.getByText('readOnlyHint: true')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('message'), { target: { value: 'hello' } });
    fireEvent.change(screen.getByLabelText('times'), { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('shout'), { target: { value: 'true' } });
    fireEvent.change(screen.getByLabelText('style'), { target: { value: '"fancy"' } });
    fireEvent.change(screen.getByLabelText('tags'), { target: { value: 'x\ny' } });
    fireEvent.change(screen.getByLabelText('extra'), { target: { value: '{"k": [1]}' } });
    fireEvent.click(screen.getByRole('button', { name: 'Call tool' }));
    await waitFor(() =>
      expect(core.askedFor('callTool')).toEqual([
        {
          name: 'everything__echo',
          arguments: { message: 'hello', times: 2, shout: true, style: 'fancy', tags: ['x', 'y'], extra: { k: [1] } },
        },
      ]),
    );
    const result = await screen.findByRole('region', { name: 'Result' });
    expect(within(result).getByText('Tool error (isError: true)')).toBeTruthy();
    expect(within(result).getByLabelText('Content 1 (text)').textContent).toBe('Echo: hello');
    expect(within(result).getByLabelText('Structured content').textContent).toContain('"echoed": "hello"');
  });

  it('shows problems in the fields without calling, and a refusal from the core', async () => {
    const core = coreWithTool();
    core.answer('callTool', () => ({ ok: false, error: 'everything is not running' }));
    renderWith(core, <ToolsPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'everything__echo' }));
    fireEvent.change(screen.getByLabelText('times'), { target: { value: 'many' } });
    fireEvent.click(screen.getByRole('button', { name: 'Call tool' }));
    expect(screen.getByText('message is required')).toBeTruthy();
    expect(screen.getByText('times must be a number')).toBeTruthy();
    expect(core.askedFor('callTool')).toEqual([]);
    fireEvent.change(screen.getByLabelText('message'), { target: { value: 'x' } });
    fireEvent.change(screen.getByLabelText('times'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Call tool' }));
    const result = await screen.findByRole('region', { name: 'Result' });
    expect(within(result).getByRole('alert').textContent).toBe('everything is not running');
  });

  it('takes raw JSON arguments', async () => {
    const core = coreWithTool();
    renderWith(core, <ToolsPage />);
    fireEvent.click(await screen.findByRole('button', { name: 'everything__echo' }));
    fireEvent.change(screen.getByLabelText('message'), { target: { value: 'hi' } });
    fireEvent.click(screen.getByRole('button', { name: 'Edit as JSON' }));
    const json = screen.getByLabelText('Arguments (JSON)') as HTMLTextAreaElement;
    expect(JSON.parse(json.value)).toEqual({ message: 'hi' });
    fireEvent.change(json, { target: { value: '{"message": "hi", "nested": {"a": null}}' } });
    fireEvent.click(screen.getByRole('button', { name: 'Call tool' }));
    await waitFor(() =>
      expect(core.askedFor('callTool')).toEqual([
        { name: 'everything__echo', arguments: { message: 'hi', nested: { a: null } } },
      ]),
    );
  });
});
