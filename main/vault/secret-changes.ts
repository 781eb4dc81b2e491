// Which secrets got a new value (or a new lease of life) between two configs, told from their metadata: the
// values themselves are never in the config, but every `secret set` stamps `created` or `rotated` there.
import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../config/schema.ts';
import { secretsUsedBy } from './secret-refs.ts';

export function renewedSecrets(previous: Config['secrets'], next: Config['secrets']): string[] {
  const renewed: string[] = [];
  for (const [name, meta] of Object.entries(next)) {
    const before = previous[name];
    // lastUsed is bookkeeping: it changes on every start and says nothing about the value.
    const { lastUsed: _was, ...kept } = before ?? {};
    const { lastUsed: _is, ...now } = meta;
    if (before === undefined || !isDeepStrictEqual(kept, now)) renewed.push(name);
  }
  return renewed.sort();
}

/** Servers of `config` that refer to any of `secrets`. */
export function serversUsing(config: Config, secrets: readonly string[]): string[] {
  if (secrets.length === 0) return [];
  return Object.entries(config.servers)
    .filter(([, server]) => secretsUsedBy(server).some((name) => secrets.includes(name)))
    .map(([name]) => name)
    .sort();
}
