// What a tray entry or a notification's button does, as data: the menu and the notification rules are plain
// functions of the core's state, and the shell turns an action into a call on the core.

export type TrayAction =
  | { readonly kind: 'restart'; readonly server: string }
  | { readonly kind: 'login'; readonly server: string }
  | { readonly kind: 'open-dashboard'; readonly page?: 'servers' | 'credentials' | 'tools' | 'clients' | 'policy' }
  | { readonly kind: 'pause-gateway' }
  | { readonly kind: 'resume-gateway' }
  | { readonly kind: 'connect-client'; readonly client: string }
  | { readonly kind: 'set-open-at-login'; readonly open: boolean }
  | { readonly kind: 'quit' };
