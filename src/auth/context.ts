/**
 * @module
 * The per-request authentication state the auth middleware fills in.
 */

/** One granted permission: a verb and a resource glob, as stored on a role. */
export interface Permission {
  verb: string;
  resource: string;
}

/** The signed-in user as the rest of the app sees it. */
export interface CurrentUser {
  id: number;
  username: string;
  displayName: string;
  mustChangePw: boolean;
}

export interface AuthState {
  user: CurrentUser | null;
  /** The session id (the token's hash) and its anti-forgery token. */
  session: { id: string; csrfToken: string } | null;
  permissions: readonly Permission[];
}

export const ANONYMOUS: AuthState = { user: null, session: null, permissions: [] };
