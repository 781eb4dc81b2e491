// Tools: every tool, resource and prompt of every server as the gateway serves them, re-read when a server's
// lists change. Each tool shows how many tool lint findings it has; changed and flagged tools are reviewed first.
// Choosing a tool opens its detail (with the findings) and "Try it" form.
import { useState } from 'react';
import { useStore } from 'zustand';
import type { CatalogView } from '../../../../preload/contract.ts';
import { useStores } from '../../app/stores-context.tsx';
import { EmptyState } from '../../ui/empty-state.tsx';
import { ErrorNote } from '../../ui/error-note.tsx';
import { ToolDetail } from './tool-detail.tsx';
import { LintCount } from './tool-lint.tsx';
import { ToolReview } from './tool-review.tsx';
import { Page, useReadOnOpen } from '../../ui/page.tsx';

type ServerCatalog = CatalogView['servers'][number];

export function ToolsPage() {
  const stores = useStores();
  const catalog = useStore(stores.catalog, (s) => s.catalog);
  const error = useStore(stores.catalog, (s) => s.error);
  const selected = useStore(stores.catalog, (s) => s.selected);
  const refresh = useStore(stores.catalog, (s) => s.refresh);
  const [filter, setFilter] = useState('');

  useReadOnOpen(refresh);

  const tool = catalog?.servers.flatMap((s) => s.tools).find((t) => t.name === selected) ?? null;
  const needle = filter.trim().toLowerCase();

  return (
    <Page
      title="Tools"
      actions={
        <input
          type="search"
          aria-label="Filter tools"
          placeholder="Filter tools"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
      }
    >
      <ErrorNote error={error} />
      <ToolReview />
      {catalog === null && error === null && <p className="muted">Reading what the servers offer…</p>}
      {catalog !== null && catalog.servers.length === 0 && (
        <EmptyState title="No tools yet">
          <p>
            Tools come from servers. Add one from the <a href="#/servers">server list</a>; its tools, resources and
            prompts appear here once it is running.
          </p>
        </EmptyState>
      )}
      {catalog !== null && catalog.servers.length > 0 && (
        <div className="split">
          <nav className="catalog-list" aria-label="Catalog">
            {catalog.servers.map((server) => (
              <ServerEntries key={server.server} server={server} needle={needle} selected={selected} />
            ))}
          </nav>
          <div className="split-main">
            {tool === null ? (
              <p className="muted">Choose a tool to see its schema and try it.</p>
            ) : (
              <ToolDetail tool={tool} />
            )}
          </div>
        </div>
      )}
    </Page>
  );
}

function ServerEntries({
  server,
  needle,
  selected,
}: {
  server: ServerCatalog;
  needle: string;
  selected: string | null;
}) {
  const stores = useStores();
  const select = useStore(stores.catalog, (s) => s.select);
  const matches = (text: string | undefined) => needle === '' || (text ?? '').toLowerCase().includes(needle);
  const tools = server.tools.filter((t) => matches(t.name) || matches(t.description));
  return (
    <section className="catalog-server" aria-label={`Server ${server.server}`}>
      <h3>{server.server}</h3>
      {server.problems.map((problem) => (
        <p key={problem} className="warning">
          {problem}
        </p>
      ))}
      <h4>
        Tools <span className="muted">({server.tools.length})</span>
      </h4>
      {tools.length === 0 ? (
        <p className="muted">{server.tools.length === 0 ? 'None listed.' : 'None match.'}</p>
      ) : (
        <ul className="tool-list">
          {tools.map((tool) => (
            <li key={tool.name}>
              <button
                type="button"
                className="link"
                aria-current={tool.name === selected ? 'true' : undefined}
                onClick={() => select(tool.name)}
              >
                {tool.name}
              </button>{' '}
              <LintCount findings={tool.lint ?? []} />
              {tool.description !== undefined && <small className="muted">{firstLine(tool.description)}</small>}
            </li>
          ))}
        </ul>
      )}
      {server.resources.length > 0 && (
        <details>
          <summary>Resources ({server.resources.length})</summary>
          <ul className="plain-list">
            {server.resources.map((resource) => (
              <li key={resource.uri}>
                <code>{resource.uri}</code> {resource.name}
                {resource.description !== undefined && <small className="muted"> {resource.description}</small>}
              </li>
            ))}
          </ul>
        </details>
      )}
      {server.prompts.length > 0 && (
        <details>
          <summary>Prompts ({server.prompts.length})</summary>
          <ul className="plain-list">
            {server.prompts.map((prompt) => (
              <li key={prompt.name}>
                <code>{prompt.name}</code>
                {prompt.arguments !== undefined && prompt.arguments.length > 0 && (
                  <span className="muted">
                    {' '}
                    ({prompt.arguments.map((a) => (a.required ? `${a.name}*` : a.name)).join(', ')})
                  </span>
                )}
                {prompt.description !== undefined && <small className="muted"> {prompt.description}</small>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}
