// What the studio's pages share: the token, API calls, building elements.
export const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
// A server on another address needs its token: open the page as /?token=...
if (params.has('token')) sessionStorage.setItem('depthforge-token', params.get('token'));
const token = sessionStorage.getItem('depthforge-token') || '';

export function withToken(url) {
  if (!token) return url;
  return url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token);
}

export async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (token) headers.Authorization = 'Bearer ' + token;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (!response.ok) {
    const message = body && body.error ? body.error : `the server answered ${response.status}`;
    throw new Error(message);
  }
  return body;
}

export function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

