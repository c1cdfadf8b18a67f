// Single sign-on on the pages: which providers the server offers (GET /api/auth/providers), who is signed in on
// this browser's session cookie (GET /api/auth/session, with the CSRF token that cookie-authenticated changes must
// repeat), the "Sign in with ..." links, and signing out here and, where it offers it, at the provider.
import { api, el } from './common.js';

/** The configured providers; none when the server offers no sign-in or cannot be asked. */
export async function signInProviders() {
  try {
    return (await api('/api/auth/providers')).providers;
  } catch {
    return [];
  }
}

/** The person signed in on this browser ({ signedIn: true, name, roles, csrfToken, ... }), or { signedIn: false }. */
export async function currentSession() {
  try {
    return await api('/api/auth/session');
  } catch {
    return { signedIn: false };
  }
}

/** One link per provider, sending the browser to sign in and come back to returnTo (a path of this site). */
export function signInLinks(providers, returnTo) {
  if (providers.length === 0) return null;
  return el('div', { class: 'sign-in-providers' }, ...providers.map((provider) => el('a', {
    class: 'button', href: `${provider.login}?return=${encodeURIComponent(returnTo)}`,
  }, `Sign in with ${provider.label}`)));
}

/**
 * Ends the session here; when the provider offers it, goes on to end the provider's session too (it sends the
 * browser back to the start page). Answers whether the page stays.
 */
export async function signOutOfSession(session) {
  let answer = null;
  try {
    answer = await api('/api/auth/logout', { method: 'POST', headers: { 'X-CSRF-Token': session.csrfToken } });
  } catch {
    // already gone (expired, or ended elsewhere): signed out all the same
  }
  if (answer && answer.providerLogout) {
    window.location.assign(answer.providerLogout);
    return false;
  }
  return true;
}
