// A client's config file that Switchboard will not touch: it does not parse, or holds our key in a shape we do not
// write. The message names the file, the line and the column, so the person can open it at the spot.

export interface TextPosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export class ConfigFileError extends Error {
  readonly file: string;
  readonly position: TextPosition | undefined;

  constructor(file: string, reason: string, position?: TextPosition) {
    const where = position === undefined ? file : `${file}:${position.line}:${position.column}`;
    super(`${where}: ${reason}; the file was left unchanged`);
    this.file = file;
    this.position = position;
  }
}

/** The 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): TextPosition {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}
