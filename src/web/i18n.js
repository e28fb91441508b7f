// Every text on the screens comes from one message file per language
// (i18n/<lang>.js); t() falls back to English, then to the key itself, so a
// missing translation shows up as English rather than as a blank.
// English is always loaded (it is the fallback); another language only
// when someone needs it, so the first load carries one catalog.
import en from './i18n/en.js';

const catalogs = {en};
const loaders = {es: () => import('./i18n/es.js')};
let current = 'en';

// "es-MX" → "es"; unknown languages → "en".
export function pickLanguage(tag) {
  const base = String(tag || '').toLowerCase().split(/[-_]/)[0];
  return base in loaders ? base : 'en';
}

export async function setLanguage(tag) {
  let lang = pickLanguage(tag);
  if (!catalogs[lang]) {
    try { catalogs[lang] = (await loaders[lang]()).default; } catch (_) { lang = 'en'; }
  }
  current = lang;
  document.documentElement.lang = lang;
}

export const language = () => current;

export function has(key) {
  return key in catalogs[current] || key in en;
}

// t('queue.banner', {n: 2}) → "Queued, will send: 2"
export function t(key, params) {
  const text = catalogs[current][key] ?? en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, k) => (params[k] ?? m));
}
