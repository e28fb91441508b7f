// Money, times and business dates as a person at the location reads them.
// Every time from the API is an instant; it is shown in the location's
// time zone (CheckService.GetLocation), not the tablet's.
import {language} from './i18n.js';

// Money {minorUnits: "4200", currency: "USD"} → "$42.00", built from the
// integer string (never a float sum).
export function money(m, fallbackCurrency) {
  const currency = (m && m.currency) || fallbackCurrency;
  if (!m || !currency) return '—';
  let digits = 2;
  try { digits = new Intl.NumberFormat('en', {style: 'currency', currency}).resolvedOptions().maximumFractionDigits; } catch (_) { /* keep 2 */ }
  let units = String(m.minorUnits || '0');
  const negative = units.startsWith('-');
  if (negative) units = units.slice(1);
  units = units.padStart(digits + 1, '0');
  const decimal = (negative ? '-' : '') + (digits ? `${units.slice(0, -digits)}.${units.slice(-digits)}` : units);
  try {
    return new Intl.NumberFormat(language(), {style: 'currency', currency, currencyDisplay: 'narrowSymbol'}).format(decimal);
  } catch (_) {
    return `${decimal} ${currency}`;
  }
}

// An RFC 3339 instant → "19:05" in the location's zone.
export function clock(instant, timeZone) {
  if (!instant) return '';
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return '';
  try {
    return new Intl.DateTimeFormat(language(), {timeZone: timeZone || undefined, hour: 'numeric', minute: '2-digit'}).format(d);
  } catch (_) {
    return new Intl.DateTimeFormat(language(), {hour: 'numeric', minute: '2-digit'}).format(d);
  }
}

// Whole minutes from an instant to now.
export function minutesSince(instant, now = Date.now()) {
  const d = new Date(instant).getTime();
  return Number.isNaN(d) ? null : Math.max(0, Math.floor((now - d) / 60000));
}

// The business date "YYYY-MM-DD" of `now` at the location: the local date,
// or the day before while local time is before business_day_starts (a
// 01:30 check belongs to the previous day), as EndOfDayRequest expects.
export function businessDate(now, timeZone, dayStarts = '04:00') {
  const parts = {};
  const fmt = new Intl.DateTimeFormat('en-CA', {timeZone: timeZone || undefined, year: 'numeric',
    month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'});
  for (const p of fmt.formatToParts(now)) parts[p.type] = p.value;
  let day = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day));
  const [sh, sm] = String(dayStarts || '04:00').split(':').map(Number);
  if (Number(parts.hour) * 60 + Number(parts.minute) < (sh || 0) * 60 + (sm || 0)) day -= 86400000;
  return new Date(day).toISOString().slice(0, 10);
}
