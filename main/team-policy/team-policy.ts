// The team policy service of a running core: reads the enrollment, runs the sync, hands each standing to the
// layered policy the gateway decides with, raises alerts (log, audit, dashboard event), and answers `policy status`
// and the dashboard. Not enrolled: the local policy alone decides, exactly as before. `reload()` follows an
// enroll or unenroll made by the CLI while serve runs.
import { EventEmitter } from 'node:events';
import type { TeamAlertView, TeamPolicyView } from '../../preload/contract.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { PolicyConfig } from '../config/policy-schema.ts';
import type { Logger } from '../log/logger.ts';
import { readEnrollment, teamPaths, type TeamPaths } from './enrollment.ts';
import { documentFetcher, type FetchOutcome, type FetchRequest } from './fetch-document.ts';
import type { LayeredPolicy } from './layered-policy.ts';
import { auditApplied, raiseAlert, type AlertSinks, type TeamAlert } from './team-alerts.ts';
import { TeamPolicySync, inForce, type SyncResult } from './team-policy-sync.ts';
import { ruleConflicts, teamEnginePolicy } from './team-rules.ts';
import { teamSettings, type TeamSettings } from './team-settings.ts';

export interface TeamPolicyOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  readonly audit: AuditLog | null;
  readonly policy: LayeredPolicy;
  readonly localPolicy: () => PolicyConfig;
  readonly appVersion: string;
  /** How documents are fetched; the guarded fetch unless a test gives one. */
  readonly fetch?: (request: FetchRequest) => Promise<FetchOutcome>;
  /** Whether to poll on a timer (the CLI's offline commands load and sync once instead). */
  readonly poll?: boolean;
}

export type TeamPolicyEvents = {
  /** Standing or alert changed: what the dashboard hears. */
  changed: [TeamPolicyView | null, TeamAlertView | null];
  /** The audit upload endpoint in force changed (null: none). */
  uploadEndpoint: [TeamUploadEndpoint | null];
};

/** The team's audit collector: its URL, and the member's vault secret holding the token for it (null: none). */
export interface TeamUploadEndpoint {
  readonly url: string;
  readonly tokenSecret: string | null;
}

export class TeamPolicy extends EventEmitter<TeamPolicyEvents> {
  readonly #options: TeamPolicyOptions;
  readonly #paths: TeamPaths;
  readonly #sinks: AlertSinks;
  #sync: TeamPolicySync | null = null;
  #lastAlert: TeamAlert | null = null;
  #enrollmentError: TeamAlert | null = null;
  #upload: TeamUploadEndpoint | null = null;

  constructor(options: TeamPolicyOptions) {
    super();
    this.#options = options;
    this.#paths = teamPaths(options.dataDir);
    this.#sinks = {
      logger: options.logger,
      audit: options.audit,
      announce: (alert) => this.emit('changed', this.status(), alert),
    };
  }

  /** Reads the enrollment and, when enrolled, loads the cache and starts syncing. */
  async reload(): Promise<void> {
    this.#sync?.stop();
    this.#sync?.removeAllListeners();
    this.#sync = null;
    this.#enrollmentError = null;
    this.#lastAlert = null;
    const read = await readEnrollment(this.#paths);
    if (!read.ok) {
      // Our own file, damaged: enrolled in something, so nothing may run unchecked until it is fixed.
      this.#options.policy.setTeam({ state: 'refused', reason: read.error });
      this.#enrollmentError = {
        reason: 'enrollment',
        message: read.error,
        at: new Date().toISOString(),
        version: null,
      };
      this.#alert(this.#enrollmentError);
      return;
    }
    if (read.enrollment === null) {
      this.#options.policy.setTeam(null);
      this.#setUpload(null);
      this.emit('changed', null, null);
      return;
    }
    const sync = new TeamPolicySync({
      paths: this.#paths,
      enrollment: read.enrollment,
      fetch: this.#options.fetch ?? documentFetcher(),
    });
    this.#sync = sync;
    sync.on('standing', (standing) => {
      this.#options.policy.setTeam(standing);
      const document = inForce(standing)?.document ?? null;
      const url = document?.audit.uploadUrl;
      this.#setUpload(url === undefined ? null : { url, tokenSecret: document?.audit.uploadTokenSecret ?? null });
      this.emit('changed', this.status(), null);
    });
    sync.on('alert', (alert) => this.#alert(alert));
    sync.on('applied', (document, previous, fromCache) => {
      // Loading the cache at start changes nothing that was in force; a new version does.
      if (!fromCache) auditApplied(this.#options.audit, document.team, document.version, previous);
      this.#options.logger.info('team policy applied', { team: document.team, version: document.version, fromCache });
      const settings = teamSettings(document, this.#options.appVersion);
      if (settings?.appOutdated) {
        this.#alert({
          reason: 'app-version',
          message: `the team policy needs Switchboard ${settings.minAppVersion} or newer; this is ${this.#options.appVersion}`,
          at: new Date().toISOString(),
          version: document.version,
        });
      }
    });
    this.#options.policy.setTeam(sync.standing);
    await sync.start({ poll: this.#options.poll ?? true });
  }

  get enrolled(): boolean {
    return this.#sync !== null || this.#enrollmentError !== null;
  }

  /** Syncs once now; null when not enrolled. */
  syncNow(): Promise<SyncResult> | null {
    return this.#sync?.syncNow() ?? null;
  }

  /** The catalog, retention, upload endpoint and app version the team sets; null when no document is in force. */
  settings(): TeamSettings | null {
    const standing = this.#sync?.standing;
    const document = standing === undefined ? null : (inForce(standing)?.document ?? null);
    return teamSettings(document, this.#options.appVersion);
  }

  /** Where audit records are uploaded to, as the team says (null: nowhere); `uploadEndpoint` tells of changes. */
  get auditUpload(): TeamUploadEndpoint | null {
    return this.#upload;
  }

  status(): TeamPolicyView | null {
    const sync = this.#sync;
    if (sync === null) {
      if (this.#enrollmentError === null) return null;
      return {
        url: '',
        team: '',
        state: 'refused',
        enforced: 'closed',
        version: null,
        expiresAt: null,
        lastSync: null,
        nextSyncAt: null,
        failures: 0,
        lastAlert: this.#lastAlert,
        policy: null,
        conflicts: [],
        settings: null,
      };
    }
    const s = sync.status();
    const { standing } = s;
    const held = inForce(standing);
    const document = held?.document ?? null;
    const last = s.lastSync;
    return {
      url: sync.enrollment.url,
      team: sync.enrollment.team,
      state: standing.state,
      enforced: held?.enforced ?? 'closed',
      version: document?.version ?? null,
      expiresAt: document?.expiresAt ?? null,
      lastSync:
        last === null
          ? null
          : {
              at: last.at,
              outcome: last.result.outcome,
              ...(last.result.outcome === 'rejected' ? { message: last.result.message } : {}),
            },
      nextSyncAt: s.nextSyncAt,
      failures: s.failures,
      lastAlert: this.#lastAlert,
      policy: document === null ? null : { ...teamEnginePolicy(document) },
      conflicts: document === null ? [] : ruleConflicts(document, this.#options.localPolicy()),
      settings: this.settings(),
    };
  }

  stop(): void {
    this.#sync?.stop();
  }

  #alert(alert: TeamAlert): void {
    this.#lastAlert = alert;
    raiseAlert(this.#sinks, alert);
  }

  #setUpload(upload: TeamUploadEndpoint | null): void {
    if (upload?.url === this.#upload?.url && upload?.tokenSecret === this.#upload?.tokenSecret) return;
    this.#upload = upload;
    this.emit('uploadEndpoint', upload);
  }
}
