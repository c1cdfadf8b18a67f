// The attendee pages' languages: one message file per language in /app/i18n/ (listed by the server in
// languages.json), English filling any key a file lacks. The choice comes from the person (stored on this
// device), else from the browser's preferred languages, else English.

const STORAGE_KEY = 'foyer.language';
const FALLBACK = 'en';

export class Messages {
  constructor(tag, messages, fallback, languages) {
    this.tag = tag;
    this.messages = messages;
    this.fallback = fallback;
    this.languages = languages;
    this.plurals = new Intl.PluralRules(tag);
  }

  /** The message for key with {name} placeholders filled. */
  t(key, params = {}) {
    const template = this.messages[key] ?? this.fallback[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (params[name] === undefined ? whole : String(params[name])));
  }

  /** A count: the key's plural form for n (key.one, ...) when the file has it, else the key; {n} is n. */
  tn(key, n, params = {}) {
    const form = `${key}.${this.plurals.select(n)}`;
    const chosen = this.messages[form] !== undefined || (this.messages[key] === undefined && this.fallback[form] !== undefined)
      ? form : key;
    return this.t(chosen, { n: new Intl.NumberFormat(this.tag).format(n), ...params });
  }

  /** Fills every element carrying data-i18n with its message, and sets the document's language. */
  apply(root = document) {
    document.documentElement.lang = this.tag;
    for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = this.t(node.dataset.i18n);
  }
}

/** Loads the chosen language (or the best one for this browser) and returns its Messages. */
export async function loadMessages(chosen) {
  const languages = (await getJson('/app/i18n/languages.json')).languages;
  const tags = languages.map((l) => l.tag);
  const tag = pick(chosen ? [chosen] : [localStorage.getItem(STORAGE_KEY), ...navigator.languages], tags);
  if (chosen) localStorage.setItem(STORAGE_KEY, tag);
  const fallback = await getJson(`/app/i18n/${FALLBACK}.json`);
  const messages = tag === FALLBACK ? fallback : await getJson(`/app/i18n/${tag}.json`);
  return new Messages(tag, messages, fallback, languages);
}

/** The first wanted language that is available, by exact tag, then by its primary subtag (de-AT: de). */
function pick(wanted, available) {
  for (const tag of wanted) {
    if (!tag) continue;
    const lower = tag.toLowerCase();
    if (available.includes(lower)) return lower;
    const primary = lower.split('-')[0];
    if (available.includes(primary)) return primary;
  }
  return available.includes(FALLBACK) ? FALLBACK : available[0];
}

async function getJson(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}
