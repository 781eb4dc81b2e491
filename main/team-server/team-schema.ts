// The team server's PostgreSQL schema, as numbered migrations applied in order, each in one transaction. A
// database migrated by a newer Switchboard is refused rather than half-understood (team-db.ts).
//
// `audit` holds every member's records as their desktops sent them, keyed by the upload protocol's `uid` so a
// batch sent twice is stored once (docs/audit.md). Its columns are the desktop's `audit` table's, text kept as
// sent (`detail` too), so the team server can recompute each record's chain hash exactly as `audit verify` does.
// `seq` numbers records in arrival order: with `ts` it makes a stable cursor for newest-first pages.

export interface TeamMigration {
  readonly version: number;
  readonly sql: string;
}

export const TEAM_MIGRATIONS: readonly TeamMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE members (
        id serial PRIMARY KEY,
        name text NOT NULL UNIQUE,
        -- SHA-256 (hex) of the member's token; the token itself is shown once, when issued.
        token_hash text NOT NULL UNIQUE,
        admin boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );

      -- One desktop (a data directory's install id), bound to the member whose token first sent its records.
      CREATE TABLE installs (
        install_id text PRIMARY KEY,
        member_id integer NOT NULL REFERENCES members (id),
        host text NOT NULL,
        app_version text NOT NULL,
        first_seen timestamptz NOT NULL DEFAULT now(),
        last_seen timestamptz NOT NULL DEFAULT now(),
        -- The newest record received in chain order, and its hash: where the next batch must link.
        last_local_id bigint NOT NULL DEFAULT 0,
        last_hash text,
        -- The newest team policy version this desktop's records say it enforced.
        policy_version integer,
        breaks integer NOT NULL DEFAULT 0
      );

      -- Where an install's chain does not continue: a gap (records removed before they were sent) or a log that
      -- started afresh. Kept so they are visible, never silently joined.
      CREATE TABLE chain_breaks (
        id bigserial PRIMARY KEY,
        install_id text NOT NULL REFERENCES installs (install_id),
        local_id bigint NOT NULL,
        kind text NOT NULL,
        detail text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX chain_breaks_install ON chain_breaks (install_id, id);

      CREATE TABLE audit (
        uid text PRIMARY KEY,
        seq bigserial NOT NULL,
        -- Whom the record is about: the record's own member (a shared gateway's caller), else the uploader.
        member text NOT NULL,
        install_id text NOT NULL REFERENCES installs (install_id),
        local_id bigint NOT NULL,
        ts bigint NOT NULL,
        kind text NOT NULL,
        method text,
        outcome text NOT NULL,
        client text,
        server text,
        target text,
        arguments text,
        decision text,
        rule text,
        duration_ms double precision,
        request_bytes bigint,
        response_bytes bigint,
        error text,
        error_detail text,
        protocol_version text,
        session_id text,
        detail text,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX audit_ts ON audit (ts DESC, seq DESC);
      CREATE INDEX audit_member ON audit (member, ts DESC, seq DESC);
      CREATE INDEX audit_client ON audit (client, ts DESC, seq DESC);
      CREATE INDEX audit_server_target ON audit (server, target, ts DESC, seq DESC);
      CREATE INDEX audit_outcome ON audit (outcome, ts DESC, seq DESC);
      CREATE INDEX audit_install ON audit (install_id, local_id);

      -- Every policy document published, as signed; the newest version is the one served.
      CREATE TABLE policy_versions (
        version integer PRIMARY KEY,
        jws text NOT NULL,
        sha256 text NOT NULL,
        issued_at timestamptz,
        expires_at timestamptz NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    // Free text over what was asked (the target and the masked arguments), for the team dashboard's search: the
    // words the desktop's FTS5 index holds (split on what is not a letter or digit), kept as a stored tsvector so a
    // match is checked without recomputing it, and indexed. team-query.ts searches `words`; ingest need not name it.
    version: 2,
    sql: `
      CREATE FUNCTION audit_words(target text, arguments text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN to_tsvector('simple'::regconfig,
          regexp_replace(coalesce(target, '') || ' ' || coalesce(arguments, ''), '[^[:alnum:]]+', ' ', 'g'));
      ALTER TABLE audit ADD COLUMN words tsvector GENERATED ALWAYS AS (audit_words(target, arguments)) STORED;
      CREATE INDEX audit_words ON audit USING gin (words);
    `,
  },
];

export const TEAM_SCHEMA_VERSION = TEAM_MIGRATIONS[TEAM_MIGRATIONS.length - 1]!.version;
