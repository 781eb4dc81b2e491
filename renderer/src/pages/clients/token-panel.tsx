// The token a URL connection made, shown this once: the core keeps only its hash, so it can never be shown again.
// It lives in the page's own state while this panel is open and nowhere else; Done drops it.
import { useEffect, useId, useRef, useState } from 'react';

export interface IssuedToken {
  readonly label: string;
  readonly token: string;
  readonly file: string;
  readonly reload: string;
}

export function TokenPanel({ issued, onDone }: { issued: IssuedToken; onDone: () => void }) {
  const id = useId();
  const fieldRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  useEffect(() => fieldRef.current?.select(), []);

  const copy = async () => {
    try {
      // The clipboard API exists only in a secure context with focus; say so rather than fail quietly.
      if (navigator.clipboard === undefined) throw new Error('no clipboard here');
      await navigator.clipboard.writeText(issued.token);
      setCopied('Copied. Paste it into the client now; clear it from your clipboard afterwards.');
    } catch {
      setCopied('Could not copy: select the token and copy it yourself.');
    }
  };

  return (
    <section
      className="panel token-panel"
      aria-label={`Token for ${issued.label}`}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onDone();
      }}
    >
      <h3>Token for {issued.label}</h3>
      <p className="warning">
        Shown once. Switchboard keeps only a hash of it and cannot show it again; if it is lost, connect again for a new
        one.
      </p>
      <div className="field">
        <label htmlFor={id}>Token</label>
        <input id={id} ref={fieldRef} className="mono" readOnly value={issued.token} spellCheck={false} />
        <small className="hint">
          {issued.file} names the gateway URL and expects this token as its bearer token. Give it to {issued.label}{' '}
          where it keeps secrets (an environment variable or its secret prompt), not in a file others can read.
        </small>
      </div>
      {copied !== null && <p role="status">{copied}</p>}
      <p>{issued.reload}</p>
      <div className="form-actions">
        <button type="button" onClick={() => void copy()}>
          Copy token
        </button>
        <button type="button" className="primary" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
