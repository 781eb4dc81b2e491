// Turning a Node file-system error into words: "permission denied (EACCES)" says more to a person than a stack.

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'it is a directory',
  EEXIST: 'it already exists',
  ENOSPC: 'no space left on the disk',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files',
  EBUSY: 'the file is in use by another program',
  ENAMETOOLONG: 'the path is too long',
};

/** The error's code when it has one: `ENOENT`, `EACCES`, ... */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/** A short reason for a failed file-system call, with the code kept for searching: "permission denied (EACCES)". */
export function describeFsError(error: unknown): string {
  const code = errorCode(error);
  if (code !== undefined) return `${REASONS[code] ?? 'failed'} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
