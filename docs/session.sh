#!/usr/bin/env bash
# The README's curl session, run for real. Every `step` below is one command of README.md's "A curl session",
# letter for letter; what follows it checks the service's answer (status, headers, the members that matter),
# so the script fails when the service and the README part ways. CI runs it against the packaged service
# (.ci/checks/45-readme-session), which also checks that the README shows these commands and no others.
#
#   API=http://localhost:8080 DATASTORES_ADMIN_TOKEN=… docs/session.sh
#
# It needs the operator token (default: .datastores/admin-token, which bin/start writes), curl, jq and
# python3 (jq and python3 are installed with apt when missing). python3 runs a local receiver for the
# export job, which the service must be allowed to reach: start it with
# DATASTORES_EXPORTS_ALLOWED_DESTINATIONS=127.0.0.1.
# It makes a workspace of its own and deletes it on exit, passed or failed (SESSION_KEEP=1 keeps it).
# SESSION_TRANSCRIPT=file writes the session as the README shows it: each command, then its answer as
# `#>` lines (status, ETag/Location/Expires-At when sent, body).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
: "${DATASTORES_ADMIN_TOKEN:=$(cat "$root/.datastores/admin-token" 2>/dev/null || true)}"
if [ -z "$DATASTORES_ADMIN_TOKEN" ]; then
  echo "session.sh: set DATASTORES_ADMIN_TOKEN to the service's operator token" >&2
  exit 2
fi
export DATASTORES_ADMIN_TOKEN

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}
missing=()
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "session.sh: installing ${missing[*]} with apt" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

transcript=${SESSION_TRANSCRIPT:-/dev/null}
case $transcript in /*) ;; *) transcript=$PWD/$transcript ;; esac
work=$(mktemp -d)
receiver=
cleanup() {
  if [ -n "${WS:-}" ] && [ "${SESSION_KEEP:-}" != 1 ]; then
    command curl -sS -o /dev/null -X DELETE -H "Authorization: Bearer $DATASTORES_ADMIN_TOKEN" "$API/v1/admin/workspaces/$WS" || true
  fi
  if [ -n "$receiver" ]; then kill "$receiver" 2>/dev/null || true; wait "$receiver" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/session"
cd "$work/session"      # the session's own files (headers, store.ndjson) go here

# --- the receiver of the export job: answers every POST with 204 and keeps the bodies, one per line -----
python3 - "$work/received" "$work/receiver-port" <<'PY' &
import http.server, sys

received, port_file = sys.argv[1], sys.argv[2]

class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(received, "ab") as f:
            f.write(body.replace(b"\n", b"") + b"\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass

server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os; os.rename(port_file + ".tmp", port_file)
server.serve_forever()
PY
receiver=$!
for _ in $(seq 1 50); do [ -s "$work/receiver-port" ] && break; sleep 0.1; done
HOOK="http://127.0.0.1:$(cat "$work/receiver-port")/in"

# --- how each command is run and checked ----------------------------------------------------------------
# Inside a step, `curl` is this function: the real curl, quiet but for errors, that keeps the response's
# headers (in the file the command names with -D, else its own) and body for the checks below, and
# otherwise behaves as written (the body goes to stdout).
curl() {
  local arg args=() dump= next_is_dump=false head=false
  for arg in "$@"; do
    if $next_is_dump; then dump=$arg; next_is_dump=false; fi
    case $arg in -D) next_is_dump=true ;; -I) head=true ;; esac
    args+=("$arg")
  done
  if [ -z "$dump" ]; then dump=$work/headers; args=(-D "$dump" "${args[@]}"); fi
  if $head; then
    command curl -sS "${args[@]}"
  else
    command curl -sS "${args[@]}" | tee "$work/body"
  fi
  [ "$dump" = "$work/headers" ] || cp "$dump" "$work/headers"
}

: > "$transcript"
answered=false
# step [-q] [note…] <<'SH' … SH — runs the command in this shell and writes the notes (as comments), the
# command and the service's answer (its last answer, for a loop; none with -q) to the transcript.
step() {
  local note command quiet=false
  if [ "${1:-}" = -q ]; then quiet=true; shift; fi
  command=$(cat)
  for note in "$@"; do printf '# %s\n' "$note" >> "$transcript"; done
  printf '%s\n' "$command" >> "$transcript"
  printf '\n$ %s\n' "$command" >&2
  rm -f "$work/headers" "$work/body"
  eval "$command" >&2
  answered=false
  if [ -s "$work/headers" ]; then
    answered=true
    $quiet || {
      printf '#> %s\n' "$(grep -a '^HTTP/' "$work/headers" | tail -n 1 | tr -d '\r')"
      grep -aiE '^(etag|location|expires-at):' "$work/headers" | tr -d '\r' | sed 's/^/#> /' || true
      if [ -s "$work/body" ]; then printf '%s\n' "$(sed 's/^/#> /' "$work/body")"; fi
    } >> "$transcript"
  fi
}
# A blank line in the transcript, between groups of commands.
gap() { printf '\n' >> "$transcript"; }
# A line of prose in the transcript (a comment in the README's block) before the next group.
say() { printf '# %s\n' "$*" >> "$transcript"; }

fail() { echo "session.sh: $*" >&2; exit 1; }
# status 201 — the last answer's status code
status() {
  $answered || fail "no answer to check"
  local got
  got=$(grep -a '^HTTP/' "$work/headers" | tail -n 1 | cut -d' ' -f2)
  [ "$got" = "$1" ] || fail "expected status $1, got $got: $(cat "$work/body" 2>/dev/null)"
}
# header etag — the last answer's header, without its line end
header() { grep -ai "^$1:" "$work/headers" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
# body 'jq filter' … — each filter must hold for the last answer's body
body() {
  local filter
  for filter in "$@"; do
    jq -e "$filter" "$work/body" >/dev/null || fail "expected $filter of: $(cat "$work/body")"
  done
}
# Body members that vary from run to run.
opaque_etag='test("^\"[^\"]+\"$")'
rfc3339='test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")'

# === the session ==========================================================================================

say "DATASTORES_ADMIN_TOKEN: the operator token bin/start printed (it is also in .datastores/admin-token)"
step <<'SH'
export API=${API:-http://localhost:8080} ADMIN="Authorization: Bearer $DATASTORES_ADMIN_TOKEN" J='Content-Type: application/json'
SH
gap

say "a workspace on a plan and its first API key (operator API); the token is shown only here"
step <<'SH'
WS=$(curl -X POST -H "$ADMIN" -H "$J" -d '{"name":"readme","plan":"basic"}' $API/v1/admin/workspaces | jq -r .id)
SH
status 201
body '.id | startswith("ws_")' '.name == "readme"' '.plan.name == "basic"' '.usage == {"stores":0,"keys":0,"storageBytes":0}'
step <<'SH'
TOKEN=$(curl -X POST -H "$ADMIN" -H "$J" -d '{"name":"readme","scopes":["read","write","manage"]}' $API/v1/admin/workspaces/$WS/api-keys | jq -r .token)
SH
status 201
body '.token | startswith("dsk_")' '.scopes == ["read","write","manage"]'
gap

say "stores (scope manage): names are unique in the workspace"
step <<'SH'
export AUTH="Authorization: Bearer $TOKEN"
SH
step <<'SH'
STORE=$(curl -X POST -H "$AUTH" -H "$J" -d '{"name":"workflow-state"}' $API/v1/workspaces/$WS/stores | jq -r .id)
SH
status 201
body '.id | startswith("ds_")' '.name == "workflow-state"' '.recordCount == 0'
step <<'SH'
OTHER_STORE=$(curl -X POST -H "$AUTH" -H "$J" -d '{"name":"archive"}' $API/v1/workspaces/$WS/stores | jq -r .id)
SH
status 201
body '.name == "archive"'
[ "$OTHER_STORE" != "$STORE" ] || fail "two stores, one id"
step <<'SH'
curl -X POST -H "$AUTH" -H "$J" -d '{"name":"archive"}' $API/v1/workspaces/$WS/stores
SH
status 409
body '.type == "https://datastores.dev/problems/name-taken"'
step <<'SH'
export DS=$API/v1/workspaces/$WS/stores/$STORE
SH
gap

say "records; -D keeps the answer's headers: the ETag is the record's version, opaque and different on every run"
step <<'SH'
curl -X PUT -H "$AUTH" -H "$J" -D headers -d '{"seen":42,"at":"2026-11-24"}' $DS/records/last-run
SH
status 201
body '.key == "last-run"' ".etag | $opaque_etag" '.expiresAt == null'
put_etag=$(header etag)
[ "$(jq -r .etag "$work/body")" = "$put_etag" ] || fail "the body's etag is not the ETag header"
step <<'SH'
ETAG=$(grep -i '^etag:' headers | cut -d' ' -f2 | tr -d '\r')
SH
[ "$ETAG" = "$put_etag" ] || fail "ETAG is '$ETAG', the PUT's ETag $put_etag"
step <<'SH'
curl -H "$AUTH" $DS/records/last-run
SH
status 200
[ "$(cat "$work/body")" = '{"seen":42,"at":"2026-11-24"}' ] || fail "not the bytes stored: $(cat "$work/body")"
[ "$(header etag)" = "$ETAG" ] || fail "GET's ETag $(header etag), PUT's $ETAG"
step 'only if unchanged since $ETAG: 200, then 412 for the next writer holding the same ETag' <<'SH'
curl -X PUT -H "$AUTH" -H "$J" -H "If-Match: $ETAG" -d '{"seen":43}' $DS/records/last-run
SH
status 200
[ "$(header etag)" != "$ETAG" ] || fail "a write kept the ETag $ETAG"
step <<'SH'
curl -X PUT -H "$AUTH" -H "$J" -H "If-Match: $ETAG" -d '{"seen":44}' $DS/records/last-run
SH
status 412
body '.type == "https://datastores.dev/problems/precondition-failed"'
step 'create only: 201, then 412 since it exists' <<'SH'
curl -X PUT -H "$AUTH" -H "$J" -H 'If-None-Match: *' -d '1' $DS/records/lock
SH
status 201
step <<'SH'
curl -X PUT -H "$AUTH" -H "$J" -H 'If-None-Match: *' -d '2' $DS/records/lock
SH
status 412
step 'the key "session/abc", gone in 5 minutes' <<'SH'
curl -X PUT -H "$AUTH" -H "$J" -d '"soon gone"' "$DS/records/session%2Fabc?ttl=300"
SH
status 201
body '.key == "session/abc"' ".expiresAt | $rfc3339"
step 'HEAD: has key? (records/a%2Fb and records/a/b are the same key)' <<'SH'
curl -I -H "$AUTH" $DS/records/session/abc
SH
status 200
[ -n "$(header expires-at)" ] || fail "no Expires-At"
step 'a page in key order; pass nextCursor back as cursor until it is null' <<'SH'
curl -H "$AUTH" "$DS/records?prefix=session/&limit=100&values=false"
SH
status 200
body '[.records[].key] == ["session/abc"]' '.records[0] | has("value") | not' '.nextCursor == null'
step 'every key, every record (up to 1,024 records)' <<'SH'
curl -H "$AUTH" $DS/keys
SH
status 200
body '.keys == ["last-run","lock","session/abc"]'
step <<'SH'
curl -H "$AUTH" $DS/entries
SH
status 200
body '.entries == {"last-run":{"seen":43},"lock":1,"session/abc":"soon gone"}'
step <<'SH'
curl -X DELETE -H "$AUTH" $DS/records/lock
SH
status 204
step <<'SH'
curl -X DELETE -H "$AUTH" $DS/records/lock
SH
status 404
body '.type == "https://datastores.dev/problems/record-not-found"'
step 'plan and usage' <<'SH'
curl -H "$AUTH" $API/v1/workspaces/$WS
SH
status 200
body ".id == \"$WS\"" '.usage.stores == 2' '.usage.keys == 2'
gap

say "atomic operations: exact under any concurrency, on any number of replicas"
step <<'SH'
curl -X POST -H "$AUTH" -H "$J" -d '{"key":"hits"}' $DS/increment
SH
status 201
body '.key == "hits"' '.value == 1' ".etag | $opaque_etag"
step 'exact decimals: 0.1 + 0.2 = 0.3' <<'SH'
curl -X POST -H "$AUTH" -H "$J" -d '{"key":"total","by":0.1}' $DS/increment
SH
status 201
body '.value == 0.1'
step <<'SH'
curl -X POST -H "$AUTH" -H "$J" -d '{"key":"total","by":0.2}' $DS/increment
SH
status 200
grep -Eq '"value":0.3[,}]' "$work/body" || fail "0.1 + 0.2 is not 0.3: $(cat "$work/body")"
step <<'SH'
curl -X POST -H "$AUTH" -H "$J" -d '{"key":"log","value":{"step":1}}' $DS/append
SH
status 201
body '.key == "log"' '.length == 1'
step 'created (201), then the existing record (200), untouched' <<'SH'
curl -X POST -H "$AUTH" -H "$J" -d '{"key":"cfg","value":{"v":1}}' $DS/get-or-create
SH
status 201
body '.created == true' '.value == {"v":1}'
step <<'SH'
curl -X POST -H "$AUTH" -H "$J" -d '{"key":"cfg","value":{"v":2}}' $DS/get-or-create
SH
status 200
body '.created == false' '.value == {"v":1}'
step 'set the expiry ("ttl":null clears it)' <<'SH'
curl -X POST -H "$AUTH" -H "$J" -d '{"key":"cfg","ttl":3600}' $DS/expire
SH
status 200
body '.key == "cfg"' ".expiresAt | $rfc3339"
step 'all or nothing' <<'SH'
curl -X POST -H "$AUTH" -H "$J" -d '{"set":[{"key":"a","value":1},{"key":"b","value":2,"ttl":300}],"delete":["log"]}' $DS/batch
SH
status 200
body '. == {"set":2,"deleted":1}'
step <<'SH'
curl -X POST -H "$AUTH" -H "$J" -d '{"keys":["a","b","zz"]}' $DS/batch-get
SH
status 200
body '[.records[] | [.key, .value]] == [["a",1],["b",2]]' '.missing == ["zz"]'
step 'the records whose key the other store lacks' <<'SH'
curl -X POST -H "$AUTH" -H "$J" -d '{"set":[{"key":"a","value":1},{"key":"hits","value":0}]}' $API/v1/workspaces/$WS/stores/$OTHER_STORE/batch
SH
status 200
body '. == {"set":2,"deleted":0}'
step <<'SH'
curl -H "$AUTH" "$DS/diff?against=$OTHER_STORE&limit=100&values=false"
SH
status 200
body '[.records[].key] == ["b","cfg","last-run","session/abc","total"]' '.nextCursor == null'
gap

say "changes in commit order, resumable from any position: a long poll here (SSE with Accept: text/event-stream)"
step 'the changes of "cfg" since the beginning: created, then its expiry set (the get-or-create that found it changed nothing)' <<'SH'
curl -H "$AUTH" "$DS/changes?since=0000000000000000&prefix=cfg&values=false"
SH
status 200
body '[.changes[] | [.type, .key]] == [["set","cfg"],["set","cfg"]]' ".changes[1].expiresAt | $rfc3339" '.next | test("^[0-9a-f]{16}$")'
gap

say "whole stores: streamed out and in as NDJSON (one record per line, key order), or pushed to another service"
step <<'SH'
curl -H "$AUTH" $DS/export > store.ndjson
SH
status 200
[ "$(wc -l < store.ndjson)" -eq 7 ] || fail "the export has $(wc -l < store.ndjson) lines, not 7"
[ "$(jq -r .key store.ndjson | paste -sd,)" = "a,b,cfg,hits,last-run,session/abc,total" ] || fail "export keys"
step 'clear the store, then restore it from the export' <<'SH'
curl -X DELETE -H "$AUTH" $DS/records
SH
status 200
body '. == {"deleted":7}'
step <<'SH'
curl -X POST -H "$AUTH" -H 'Content-Type: application/x-ndjson' --data-binary @store.ndjson $DS/import
SH
status 200
body '. == {"imported":7,"skippedExpired":0}'
step <<'SH'
curl -H "$AUTH" $DS/keys
SH
status 200
body '.keys == ["a","b","cfg","hits","last-run","session/abc","total"]'
step '$HOOK: a URL that takes POSTs; session.sh starts one on 127.0.0.1, which the operator must allow' \
     '(DATASTORES_EXPORTS_ALLOWED_DESTINATIONS=127.0.0.1); by default loopback and private addresses are refused' <<'SH'
JOB=$(curl -X POST -H "$AUTH" -H "$J" -d '{"url":"'$HOOK'","chunkSize":5,"deleteAfterExport":true}' $DS/exports | jq -r .id)
SH
status 202
body '.id | startswith("exp_")' '.status == "running"' '.chunkSize == 5' '.deleteAfterExport == true'
step -q 'wait for the job to end' <<'SH'
until curl -H "$AUTH" $DS/exports/$JOB | jq -e '.status != "running"' >/dev/null; do sleep 0.2; done
SH
status 200
body '.status == "succeeded"'
step <<'SH'
curl -H "$AUTH" $DS/exports/$JOB
SH
status 200
body '.status == "succeeded"' '.chunks == 2' '.exported == 7' '.deleted == 7' '.error == null' ".finishedAt | $rfc3339"
step 'delivered and acknowledged, so deleted' <<'SH'
curl -H "$AUTH" $DS/keys
SH
status 200
body '.keys == []'

# What the receiver got: the store in key order, in chunks of 5.
[ "$(jq -c '[.[].key]' "$work/received" | paste -sd' ')" = \
  '["a","b","cfg","hits","last-run"] ["session/abc","total"]' ] || fail "the receiver got: $(cat "$work/received")"

echo "session.sh: every answer was as expected (workspace $WS)" >&2
