// A destructive button that asks once more in place: the first press shows "Confirm …" and "Cancel".
import { useEffect, useRef, useState } from 'react';

export interface ConfirmButtonProps {
  /** The button's text, e.g. "Remove". */
  readonly label: string;
  /** What is asked, e.g. "Remove server everything?". */
  readonly question: string;
  readonly onConfirm: () => void;
  readonly disabled?: boolean;
}

export function ConfirmButton({ label, question, onConfirm, disabled }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" className="danger" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span
      className="confirm"
      role="group"
      aria-label={question}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          setAsking(false);
        }
      }}
    >
      <span className="confirm-question">{question}</span>
      <button
        type="button"
        className="danger"
        ref={confirmRef}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Confirm {label.toLowerCase()}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
