#!/usr/bin/env bash
# Smoke-test a frozen Gett Store Kiosk: the PyInstaller bundle, or an installed copy.
#   packaging/smoke-test.sh dist/gett-store-kiosk [OUT_DIR]
#   packaging/smoke-test.sh /opt/gett-store-kiosk          (after installing the .deb)
# Runs every check, prints PASS/FAIL/SKIP for each, and exits non-zero if any failed. OUT_DIR (if
# given) keeps the demo screenshot and the logs. Never touches the real user's config, data or
# keyring: it runs with a throwaway HOME and, for the keyring checks, a private D-Bus session with
# its own gnome-keyring. Needs: gnome-keyring, dbus (dbus-run-session), curl; xvfb-run optional.
#
# Environment:
#   SMOKE_TLS_URL=https://pypi.org   also check that HTTPS works from the frozen build (truststore
#                                    + the OS trust store): needs the network, off by default.
set -euo pipefail

TIMEOUT=${SMOKE_TIMEOUT:-90}
DEMO_STORE=80570ca0-21aa-4143-95e4-257b97084d2c # the simulator's default store (kiosk/simulator)
DEMO_KEY=demo-key                               # and its default key: a test value, not a secret

failures=0
pass() { printf 'PASS  %s\n' "$*"; }
skip() { printf 'SKIP  %s\n' "$*"; }
fail() {
  printf 'FAIL  %s\n' "$1"
  # shellcheck disable=SC2001  # indent every line of the output
  [[ $# -lt 2 || -z "$2" ]] || sed 's/^/      | /' <<<"$2"
  failures=$((failures + 1))
}
# run CMD...: sets $rc and $out (stdout+stderr), never aborts the script, never hangs.
run() {
  set +e
  out=$(timeout --kill-after=10 "$TIMEOUT" "$@" 2>&1 </dev/null)
  rc=$?
  set -e
}
# run_in TEXT CMD...: the same, with TEXT on standard input.
run_in() {
  local input=$1
  shift
  set +e
  out=$(printf '%s\n' "$input" | timeout --kill-after=10 "$TIMEOUT" "$@" 2>&1)
  rc=$?
  set -e
}

# ---------------------------------------------------------------------------------------------
# Checks that need the keyring run inside a private D-Bus session: the script calls itself there.
keyring_checks() {
  local exe=$1 sim_url=$2
  export KIOSK_API_URL=$sim_url KIOSK_STORE_ID=$DEMO_STORE

  run "$exe" key status
  if [[ $rc -eq 3 && "$out" == *"No API key is stored (keyring backend: keyring.backends.SecretService"* ]]; then
    pass "key status, empty Secret Service keyring: exit 3, '$out'"
  else
    fail "key status, empty Secret Service keyring: expected exit 3 naming the SecretService backend, got exit $rc" "$out"
  fi

  run_in "$DEMO_KEY" "$exe" key set
  if [[ $rc -eq 0 && "$out" == *"stored in keyring.backends.SecretService"* && "$out" != *"$DEMO_KEY"* ]]; then
    pass "key set from stdin: exit 0, '${out%%$'\n'*}'"
  else
    fail "key set from stdin: exit $rc" "$out"
  fi

  run "$exe" key status
  if [[ $rc -eq 0 && "$out" == *"An API key is stored"* ]]; then
    pass "key status after set: exit 0"
  else
    fail "key status after set: exit $rc" "$out"
  fi

  run "$exe" status
  if [[ $rc -eq 0 ]]; then
    pass "status against the frozen simulator: '$out'"
  else
    fail "status against the frozen simulator: exit $rc" "$out"
  fi

  run "$exe" pause --reason too_busy --for 15m --json
  if [[ $rc -eq 0 && "$out" == *'"status": "paused"'* && "$out" == *'"resumeAt": "2'* ]]; then
    pass "pause --reason too_busy --for 15m --json: exit 0, status paused with a resumeAt"
  else
    fail "pause --json: exit $rc" "$out"
  fi

  run "$exe" resume
  if [[ $rc -eq 0 ]]; then
    pass "resume: exit 0, '$out'"
  else
    fail "resume: exit $rc" "$out"
  fi

  if [[ -n "${SMOKE_TLS_URL:-}" ]]; then
    # Any HTTP answer (401/403 -> 3, 404/4xx -> 4) proves the TLS handshake was verified;
    # 75 means it could not connect (TLS failure or no network).
    run env KIOSK_API_URL="$SMOKE_TLS_URL" "$exe" status
    if [[ $rc -eq 3 || $rc -eq 4 ]]; then
      pass "HTTPS to $SMOKE_TLS_URL verified (exit $rc: the server answered)"
    else
      fail "HTTPS to $SMOKE_TLS_URL: exit $rc (expected an HTTP answer: 3 or 4)" "$out"
    fi
  else
    skip "HTTPS with the OS trust store (set SMOKE_TLS_URL=https://pypi.org to check it)"
  fi

  run "$exe" key clear
  if [[ $rc -eq 0 ]]; then pass "key clear: exit 0"; else fail "key clear: exit $rc" "$out"; fi
  exit "$((failures > 99 ? 99 : failures))"
}

if [[ "${1:-}" == --keyring-checks ]]; then
  shift
  keyring_checks "$@"
fi

# ---------------------------------------------------------------------------------------------
[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 BUNDLE_DIR [OUT_DIR]" >&2; exit 2; }
exe=$(cd "$1" && pwd)/gett-store-kiosk
[[ -x "$exe" ]] || { echo "smoke-test: no executable at $exe" >&2; exit 2; }
for tool in curl dbus-run-session gnome-keyring-daemon timeout; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "smoke-test: '$tool' is missing (apt-get install curl dbus gnome-keyring)" >&2
    exit 2
  }
done
repo=$(cd "$(dirname "$0")/.." && pwd)

scratch=$(mktemp -d -t kiosk-smoke.XXXXXX)
sim_pid=
cleanup() {
  if [[ -n "$sim_pid" ]]; then kill "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
out_dir=${2:-$scratch/out}
mkdir -p "$out_dir"

# A throwaway user: no config, data, keyring or display of the person running this.
export HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/.config" \
  XDG_DATA_HOME="$scratch/home/.local/share" XDG_CACHE_HOME="$scratch/home/.cache" \
  XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY QT_QPA_PLATFORM \
  KIOSK_CONFIG KIOSK_API_URL KIOSK_STORE_ID KIOSK_DATA_DIR PYTHONPATH PYTHONHOME

echo "Smoke test of $exe"

# 1. --version is the version in the source tree (when there is one).
run "$exe" --version
want=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$repo/kiosk/__init__.py" 2>/dev/null || true)
if [[ $rc -eq 0 && "$out" =~ ^kiosk\ [0-9] && (-z "$want" || "$out" == "kiosk $want") ]]; then
  pass "--version: '$out'"
else
  fail "--version: exit $rc, expected 'kiosk ${want:-<version>}'" "$out"
fi

# 2. Every runtime file of resources/ is in the bundle where importlib.resources looks.
if [[ -d "$repo/resources" ]]; then
  missing=$(cd "$repo/resources" && find . -type f ! -name '*.py' ! -name '*.pyc' \
    ! -name '*.po' ! -name '*.pot' ! -name '*.cfg' ! -name '*.md' \
    ! -path './screenshots/*' ! -path '*/__pycache__/*' ! -name '.*' -printf '%P\n' | sort \
    | while read -r f; do [[ -f "$(dirname "$exe")/_internal/kiosk/resources/$f" ]] || echo "$f"; done)
  count=$(find "$(dirname "$exe")/_internal/kiosk/resources" -type f | wc -l)
  if [[ -z "$missing" ]]; then
    pass "resources: all $count files under _internal/kiosk/resources"
  else
    fail "resources missing from the bundle" "$missing"
  fi
fi

# 3. No keyring at all (no D-Bus session, as over ssh): the clear message and exit 6 (the
#    keyring, not the key), not a traceback.
run "$exe" key status
if [[ $rc -eq 6 && "$out" == *"no keyring in this session"* && "$out" != *Traceback* ]]; then
  pass "key status, no keyring: exit 6, '${out:0:90}...'"
else
  fail "key status, no keyring: expected exit 6 and 'no keyring in this session', got exit $rc" "$out"
fi

# 4. The simulator starts on a free port and answers its control endpoint.
"$exe" simulator --port 0 >"$scratch/sim.out" 2>"$scratch/sim.err" &
sim_pid=$!
sim_url=
for _ in $(seq 1 100); do
  sim_url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$scratch/sim.out" 2>/dev/null | head -n 1 || true)
  [[ -z "$sim_url" ]] && kill -0 "$sim_pid" 2>/dev/null && sleep 0.2 && continue
  break
done
if [[ -n "$sim_url" ]] && body=$(curl -fsS --max-time 10 "$sim_url/_sim/") \
  && [[ "$body" == *'"endpoints"'* ]]; then
  pass "simulator --port 0: $sim_url/_sim/ answers (${body:0:60}...)"
else
  fail "simulator --port 0 did not start or answer" "$(cat "$scratch/sim.out" "$scratch/sim.err")"
  sim_url=
fi

# 5. The keyring, the CLI and the HTTP client, in a private Secret Service session.
if [[ -n "$sim_url" ]]; then
  password="smoke-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  set +e
  # shellcheck disable=SC2016  # the inner script expands its own variables
  KIOSK_SMOKE_KEYRING_PASSWORD=$password dbus-run-session -- bash -c '
    printf %s "$KIOSK_SMOKE_KEYRING_PASSWORD" \
      | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
    unset KIOSK_SMOKE_KEYRING_PASSWORD
    exec "$@"' smoke "$BASH" "$0" --keyring-checks "$exe" "$sim_url" 2>&1 \
    | grep -v 'Failed to set fd limit'
  inner=${PIPESTATUS[0]}
  set -e
  failures=$((failures + inner))
else
  skip "keyring, CLI and HTTP checks (no simulator)"
fi

# 6. The simulator stops cleanly on SIGTERM.
if [[ -n "$sim_pid" ]]; then
  kill -TERM "$sim_pid" 2>/dev/null || true
  set +e
  wait "$sim_pid"
  sim_rc=$?
  set -e
  sim_pid=
  if [[ $sim_rc -eq 0 ]]; then
    pass "simulator stops on SIGTERM: exit 0"
  else
    fail "simulator on SIGTERM: exit $sim_rc" "$(cat "$scratch/sim.err")"
  fi
fi

# 7. The app itself, headless: the demo starts, gets its first status, prints the timings.
# KIOSK_SMOKE_LANGUAGES: --smoke also prints each language's check (dates, Qt's words, fonts);
# off by default so the start-up benchmark measures the start-up alone.
run env QT_QPA_PLATFORM=offscreen KIOSK_SMOKE_LANGUAGES=1 "$exe" --demo --smoke
printf '%s\n' "$out" >"$out_dir/demo-smoke.log"
if [[ $rc -eq 0 && "$out" == *"first status"* ]]; then
  pass "--demo --smoke (offscreen): '$(grep 'first status' <<<"$out")'"
else
  fail "--demo --smoke (offscreen): exit $rc (the UI may not be finished yet)" "$out"
fi
# Every language's dates (Babel's trimmed data), Qt's own words (qtbase_*.qm) and fonts.
if [[ "$out" == *"languages: ok:"* ]]; then
  pass "languages in the bundle: '$(grep 'languages:' <<<"$out")'"
else
  fail "languages in the bundle (dates, Qt's words or fonts missing)" "$(grep 'languages:' <<<"$out")"
fi

# 8. The demo's main screen as a PNG.
shot="$out_dir/demo.png"
rm -f "$shot"
run env QT_QPA_PLATFORM=offscreen "$exe" --demo --screenshot "$shot"
if [[ $rc -eq 0 && -s "$shot" && "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" == 89504e470d0a1a0a ]]; then
  pass "--demo --screenshot: PNG, $(stat -c %s "$shot") bytes"
else
  fail "--demo --screenshot: exit $rc, no PNG" "$out"
fi

# 9. The real X11 platform plugin (what a store PC uses), under a virtual X server.
if command -v xvfb-run >/dev/null 2>&1; then
  run env QT_QPA_PLATFORM=xcb xvfb-run -a -s '-screen 0 1280x800x24' "$exe" --demo --smoke
  if [[ $rc -eq 0 && "$out" == *"first status"* ]]; then
    pass "--demo --smoke on X11 (xcb, Xvfb): '$(grep 'first status' <<<"$out")'"
  else
    fail "--demo --smoke on X11 (xcb, Xvfb): exit $rc" "$out"
  fi
else
  skip "X11 (xcb) platform plugin: xvfb-run is not installed"
fi

echo
if [[ $failures -eq 0 ]]; then
  echo "smoke test: all checks passed"
else
  echo "smoke test: $failures check(s) FAILED"
  exit 1
fi
