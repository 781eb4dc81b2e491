// An error from the core, shown where the action was taken.
export function ErrorNote({ error, id }: { error: string | null | undefined; id?: string }) {
  if (error === null || error === undefined || error === '') return null;
  return (
    <p className="error-note" role="alert" id={id}>
      {error}
    </p>
  );
}
