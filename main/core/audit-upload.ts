// The audit upload as the composition root wires it: the uploader, fed its target from config.json and from the
// team's policy (the team's wins, upload-target.ts), its token read from the vault and taught to the redactor,
// and its settings and token following config changes.
import { AuditUploader, type AuditUploadStatus, type TokenLookup } from '../audit/audit-uploader.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { UploadTargets, tokenSecretOf, type UploadTarget } from '../audit/upload-target.ts';
import type { AuditUploadConfig, Config } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import type { DataDirPaths } from '../paths/data-dir.ts';
import type { Redactor } from '../redact/redactor.ts';
import type { SecretVault } from '../vault/vault.ts';

/** What config.json names as the upload target, or null when it names none. */
export function configUploadTarget(upload: AuditUploadConfig): UploadTarget | null {
  if (upload.url === undefined) return null;
  return { url: upload.url, tokenSecret: tokenSecretOf(upload.token), source: 'config' };
}

/** Reads the upload token from the vault; a value read is masked from then on wherever text leaves the core. */
export function vaultToken(vault: SecretVault, redactor: Redactor): (secret: string) => Promise<TokenLookup> {
  return async (secret) => {
    const found = await vault.get(secret);
    if (!found.ok) {
      return { ok: false, retry: true, error: `secret "${secret}" could not be read: ${found.error.message}` };
    }
    if (found.value === null) {
      return {
        ok: false,
        retry: false,
        error: `secret "${secret}" is not in ${vault.label}; set it with \`switchboard secret set ${secret}\``,
      };
    }
    redactor.add(found.value, `secret ${secret}`);
    return { ok: true, token: found.value };
  };
}

export interface AuditUploadParts {
  readonly audit: AuditLog;
  readonly paths: DataDirPaths;
  readonly config: Config;
  readonly vault: SecretVault;
  readonly redactor: Redactor;
  readonly logger: Logger;
  readonly version: string;
  readonly onAlert: (status: AuditUploadStatus) => void;
}

export class AuditUpload {
  readonly uploader: AuditUploader;
  readonly #targets: UploadTargets;

  constructor(parts: AuditUploadParts) {
    this.uploader = new AuditUploader({
      audit: parts.audit,
      cursorPath: parts.paths.auditUpload,
      installIdPath: parts.paths.installId,
      version: parts.version,
      settings: parts.config.audit.upload,
      token: vaultToken(parts.vault, parts.redactor),
      redact: (text) => parts.redactor.redact(text),
      logger: parts.logger,
      onAlert: parts.onAlert,
    });
    this.#targets = new UploadTargets((target) => this.uploader.setTarget(target));
  }

  /** Begins uploading to config.json's target (or the team's, once it names one); nothing is sent before. */
  start(config: Config): void {
    this.#targets.fromConfig(configUploadTarget(config.audit.upload));
  }

  /** The endpoint a team's policy names (it wins over config.json's), or null when it names none. */
  setTeamTarget(target: Omit<UploadTarget, 'source'> | null): void {
    this.#targets.fromTeam(target === null ? null : { ...target, source: 'team' });
  }

  /** config.json changed: new pace settings, perhaps a new target, perhaps a new value for the token's secret. */
  applyConfig(next: Config, renewedSecrets: readonly string[]): void {
    this.uploader.setSettings(next.audit.upload);
    this.#targets.fromConfig(configUploadTarget(next.audit.upload));
    const secret = this.#targets.current?.tokenSecret;
    if (secret !== undefined && secret !== null && renewedSecrets.includes(secret)) this.uploader.retry();
  }
}
