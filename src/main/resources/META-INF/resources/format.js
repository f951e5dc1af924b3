// Numbers and times as people read them.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes) {
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

export function formatCount(count) {
  return Number(count).toLocaleString('en');
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const STEPS = [['second', 60], ['minute', 60], ['hour', 24], ['day', 365], ['year', Infinity]];

/** "in 5 minutes", "3 days ago": how far an RFC 3339 instant is from now. */
export function fromNow(instant) {
  let amount = (Date.parse(instant) - Date.now()) / 1000;
  let step = 0;
  while (Math.abs(amount) >= STEPS[step][1]) {
    amount /= STEPS[step][1];
    step += 1;
  }
  return relative.format(Math.round(amount), STEPS[step][0]);
}

export function formatDateTime(instant) {
  return new Date(instant).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });
}
