// JSON shown and edited as text. The service keeps values byte-exact (member order, number text), so
// the dashboard re-indents the stored text instead of parsing and re-serialising it: JavaScript
// objects would move integer-like member names first and numbers beyond 2^53 would be rounded.

/** Re-indents valid JSON text by `indent` spaces without changing any member, string or number. */
export function formatJson(text, indent = 2) {
  const pad = depth => '\n' + ' '.repeat(indent * depth);
  let out = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = endOfString(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (c === '{' || c === '[') {
      const next = nextSignificant(text, i + 1);
      if (text[next] === '}' || text[next] === ']') {
        out += c + text[next];
        i = next;
      } else {
        depth++;
        out += c + pad(depth);
      }
    } else if (c === '}' || c === ']') {
      depth--;
      out += pad(depth) + c;
    } else if (c === ',') {
      out += ',' + pad(depth);
    } else if (c === ':') {
      out += ': ';
    } else if (!' \t\n\r'.includes(c)) {
      out += c;
    }
  }
  return out;
}

/** Text shortened to `maxLength` characters for a table cell. */
export function truncate(text, maxLength) {
  return text.length <= maxLength ? text : text.slice(0, maxLength - 1) + '…';
}

/** The reason `text` is not one JSON value, or null when it is. */
export function jsonSyntaxError(text) {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    return error.message;
  }
}

function endOfString(text, start) {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') {
    i += text[i] === '\\' ? 2 : 1;
  }
  return i + 1;
}

function nextSignificant(text, from) {
  let i = from;
  while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  return i;
}
