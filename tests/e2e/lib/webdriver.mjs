// A minimal W3C WebDriver client over plain HTTP (Node's fetch): just what the real-app
// tests use — sessions, scripts, elements, keys, clicks, screenshots, and switching between
// the app's windows (the approval window is a second top-level window). Written here instead
// of pulling in WebdriverIO because tauri-driver speaks exactly this protocol and the
// tests need nothing more. Left out: actions chains, frames, cookies.

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export class WebDriverError extends Error {
  constructor(method, path, status, value) {
    super(`${method} ${path} -> ${status}: ${value?.error ?? ''} ${value?.message ?? JSON.stringify(value)}`);
    this.name = 'WebDriverError';
    this.error = value?.error;
  }
}

async function request(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new WebDriverError(method, path, res.status, { message: text.slice(0, 300) });
  }
  if (!res.ok) throw new WebDriverError(method, path, res.status, json.value);
  return json.value;
}

/** An element reference of a session. */
export class Element {
  constructor(session, id) {
    this.session = session;
    this.id = id;
  }
  toJSON() {
    return { [ELEMENT]: this.id };
  }
  #path(suffix = '') {
    return `/element/${this.id}${suffix}`;
  }
  click() {
    return this.session.cmd('POST', this.#path('/click'), {});
  }
  clear() {
    return this.session.cmd('POST', this.#path('/clear'), {});
  }
  type(text) {
    return this.session.cmd('POST', this.#path('/value'), { text });
  }
  text() {
    return this.session.cmd('GET', this.#path('/text'));
  }
  property(name) {
    return this.session.cmd('GET', this.#path(`/property/${name}`));
  }
  attribute(name) {
    return this.session.cmd('GET', this.#path(`/attribute/${name}`));
  }
  enabled() {
    return this.session.cmd('GET', this.#path('/enabled'));
  }
}

/** One WebDriver session. */
export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async create(base, capabilities) {
    const value = await request(base, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, value.sessionId);
  }

  cmd(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }

  #wrap(value) {
    if (value && typeof value === 'object' && ELEMENT in value) return new Element(this, value[ELEMENT]);
    if (Array.isArray(value)) return value.map((v) => this.#wrap(v));
    return value;
  }

  /** Runs `script` (a function body) with `args`; elements come back as `Element`s. */
  async execute(script, ...args) {
    return this.#wrap(await this.cmd('POST', '/execute/sync', { script, args }));
  }

  /** Runs `script` whose last argument is the callback to call with the result. */
  async executeAsync(script, ...args) {
    return this.#wrap(await this.cmd('POST', '/execute/async', { script, args }));
  }

  async find(css) {
    return this.#wrap(await this.cmd('POST', '/element', { using: 'css selector', value: css }));
  }

  /** A PNG of the viewport, as a Buffer. */
  async screenshot() {
    return Buffer.from(await this.cmd('GET', '/screenshot'), 'base64');
  }

  /** The handle of the window commands go to now. */
  windowHandle() {
    return this.cmd('GET', '/window');
  }

  /** The handles of every open top-level window (in no guaranteed order). */
  windowHandles() {
    return this.cmd('GET', '/window/handles');
  }

  /** Sends the following commands to the window `handle`. */
  switchToWindow(handle) {
    return this.cmd('POST', '/window', { handle });
  }

  title() {
    return this.cmd('GET', '/title');
  }

  setTimeouts(timeouts) {
    return this.cmd('POST', '/timeouts', timeouts);
  }

  async delete() {
    try {
      await this.cmd('DELETE', '');
    } catch {
      // The app may already be gone.
    }
  }
}
