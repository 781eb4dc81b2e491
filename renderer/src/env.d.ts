// Vite turns imported stylesheets into linked CSS files; for the type checker they are modules of nothing.
declare module '*.css';
