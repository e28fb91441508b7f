// Order events of a live check, timed relative to now (a SERVER may not flag
// a check closed more than a day ago, and the tablet lists today's open
// checks), published the way a POS adapter publishes them.

import { field, unary } from './connect.js';

export const kAdapterToken = 'demo-adapter-pos';
export const kLocation = 'downtown-01';
export const kCurrency = 'USD';

// The dinner items of every test check: line 1 costs 42.00, more than a
// SERVER's 25.00 per case, so comping it waits for a manager.
export const kItems = [
  { line_id: '1', sku: 'RIBEYE-12', name: 'Ribeye 12oz', station: 'grill', price: 4200, seat: 1 },
  { line_id: '2', sku: 'SALMON', name: 'Cedar plank salmon', station: 'saute', price: 3100, seat: 2 },
  { line_id: '3', sku: 'BURGER', name: 'House burger', station: 'grill', price: 1900, seat: 3 },
];

function at(now, minutesAgo) {
  return new Date(now - minutesAgo * 60 * 1000).toISOString();
}

// A check opened `openedMinutesAgo` minutes ago by `serverId`, its items
// added two minutes later, fired, and served; still open.
export function liveCheckEvents({
  checkId,
  serverId = 's-17',
  table = '12',
  items = kItems,
  openedMinutesAgo = 40,
  now = Date.now(),
}) {
  const base = { source: 'browser-test', location_id: kLocation, check_id: checkId };
  const events = [];
  const push = (suffix, minutesAgo, kind) =>
    events.push({ event_id: `${checkId}-${suffix}`, ...base, occurred_at: at(now, minutesAgo), ...kind });
  push('open', openedMinutesAgo, {
    check_opened: { table, guest_count: items.length, server_id: serverId },
  });
  for (const item of items) {
    push(`add-${item.line_id}`, openedMinutesAgo - 2, {
      item_added: {
        line_id: item.line_id,
        sku: item.sku,
        name: item.name,
        station: item.station,
        quantity: 1,
        unit_price: { minor_units: String(item.price), currency: kCurrency },
        seat: item.seat,
      },
    });
  }
  for (const item of items) {
    push(`fire-${item.line_id}`, openedMinutesAgo - 10, { item_fired: { line_id: item.line_id } });
  }
  for (const item of items) {
    push(`serve-${item.line_id}`, openedMinutesAgo - 25, { item_served: { line_id: item.line_id } });
  }
  return events;
}

// PublishBatch with the adapter's token; throws unless every event was
// accepted.
export async function publishEvents(baseUrl, events) {
  const summary = await unary(
    baseUrl,
    'makegood.v1.OrderEventService/PublishBatch',
    { events },
    kAdapterToken,
  );
  const accepted = Number(field(summary, 'accepted') ?? 0);
  if (accepted !== events.length) {
    throw new Error(`PublishBatch accepted ${accepted} of ${events.length} events: ${JSON.stringify(summary)}`);
  }
  return summary;
}

export async function publishLiveCheck(baseUrl, options) {
  return publishEvents(baseUrl, liveCheckEvents(options));
}
