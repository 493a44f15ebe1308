#!/usr/bin/env bash
# Install or update Gett Store Kiosk on one store PC, unattended. Run as root on the PC; safe to
# run again (same arguments: same result; a newer .deb: an upgrade; local kiosk settings such as
# the manager PIN are kept).
#
#   printf '%s\n' "$GETT_API_KEY" | sudo ./install-fleet.sh --store-id UUID --store-name NAME \
#       [--api-url URL] [--user USER] [--deb FILE] [--reinstall] [--no-key] [--no-check]
#       [--login-keyring]
#
#   --store-id UUID    the store this kiosk controls (from the Gett partner portal)
#   --store-name NAME  the name the kiosk shows, e.g. "Main Street"
#   --api-url URL      Gett API base URL (https; default: the app's production URL)
#   --user USER        the desktop account the kiosk runs as (default: kiosk). It must exist;
#                      the key goes into THAT user's keyring. It need not be logged in.
#   --deb FILE         the package (default: the one gett-store-kiosk_*.deb next to this script;
#                      without one, an installed kiosk is only reconfigured)
#   --reinstall        reinstall even if this version is already installed
#   --no-key           leave the keyring alone (nothing is read from stdin)
#   --no-check         skip the final `kiosk status` (it needs the network to reach Gett)
#   --login-keyring    keep the key in USER's login keyring (unlocked by a password login; USER
#                      must be logged in now) instead of the kiosk's own keyring, which opens
#                      with no password at every boot (the default: automatic login works).
#                      What each protects against: packaging/README.md.
#
# The API key is read from standard input (one line; a hidden prompt on a terminal) before
# anything is changed, and handed on a pipe to `kiosk key set --unattended` running as USER (in
# USER's session if USER is logged in, otherwise in a private D-Bus session with its own
# gnome-keyring: the kiosk's keyring is a file in USER's home that every later session opens).
# It is never an argument, never written to a file or a log, and never exported. Do not run this
# script with `bash -x` (the trace would show it).
#
# What it does: (1) checks everything first, (2) installs the .deb with apt-get (which also
# installs the Qt libraries and gnome-keyring it depends on), (3) writes USER's
# ~/.config/gett-store-kiosk/config.toml (adds the store to [[stores]], or renames it if it is
# there, and sets api_url; the other stores and settings already in the file are kept, the
# previous file is saved as config.toml.bak), (4) stores the key, (5) runs
# `kiosk status` as USER to prove the config, key, store id and network work together.
#
# Exit codes follow the kiosk's: 0 done (or done but Gett not reachable right now: a warning);
# 2 bad arguments or config; 3 key or keyring problem; 4 Gett rejected the store id; 5 Gett's
# TLS certificate could not be verified from this PC (a TLS-inspecting proxy whose root
# certificate is not trusted here, or a wrong clock: it will not fix itself, so the roll-out
# fails); 1 anything else (package installation, missing user or session).
set -euo pipefail

PKG=gett-store-kiosk
KIOSK=/usr/bin/kiosk
KEY_TIMEOUT=60

say() { printf 'install-fleet: %s\n' "$*" >&2; }
die() {
  local code=$1
  shift
  printf 'install-fleet: error: %s\n' "$*" >&2
  exit "$code"
}
usage() { sed -n '2,/^set -euo pipefail/{/^#/p}' "$0" | sed 's/^# \{0,1\}//' >&2; }

# ---- The config file, composed from the old one (functions first: the tests source them). ----
toml_string() { # a TOML basic string: escape backslash and double quote (no control chars left)
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

# One part of an existing file ($1 = top | stores | tables | matched; the file on stdin):
# top-level lines (less api_url when a new one is given), the [[stores]] tables (the one with
# store id $STORE_ID renamed to $STORE_NAME_TOML), the other tables ([ui]...), or 1 if the
# store was already there. Every other store, and every other setting, is kept as it was.
split_cfg() {
  STORE_NAME_TOML=$(toml_string "$3") awk -v want="$1" -v sid="$2" -v drop_url="$4" '
    function flush(   i, named) {
      if (!nb) return
      if (bid == sid) {
        matched = 1
        for (i = 1; i <= nb; i++)
          if (buf[i] ~ /^[[:space:]]*name[[:space:]]*=/) { buf[i] = "name = " ENVIRON["STORE_NAME_TOML"]; named = 1 }
        if (!named) buf[++nb] = "name = " ENVIRON["STORE_NAME_TOML"]
      }
      if (want == "stores") for (i = 1; i <= nb; i++) print buf[i]
      nb = 0
      bid = ""
    }
    /^[[:space:]]*\[/ {
      flush()
      in_top = 0
      in_store = ($0 ~ /^[[:space:]]*\[\[[[:space:]]*stores[[:space:]]*\]\]/)
      if (in_store) buf[++nb] = $0
      else if (want == "tables") print
      next
    }
    NR == 1 { in_top = 1 }
    in_top {
      if (drop_url && $0 ~ /^[[:space:]]*api_url[[:space:]]*=/) next
      if ($0 ~ /^# Gett Store Kiosk configuration/) next
      if (want == "top") print
      next
    }
    in_store {
      if ($0 ~ /^[[:space:]]*id[[:space:]]*=/) {
        v = $0
        sub(/^[^=]*=/, "", v)
        sub(/#.*/, "", v)
        gsub(/[^0-9A-Za-z-]/, "", v)
        bid = tolower(v)
      }
      buf[++nb] = $0
      next
    }
    want == "tables" { print }
    END {
      flush()
      if (want == "matched") print matched + 0
    }
  '
}

# Run by `sh -c` as $user: standard input to file $2 in folder $1, atomically (a new file, then
# a rename; the previous file kept as .bak). Owner-only, like the kiosk's own Save: the file holds
# the manager PIN's hash. The folder is 0700 and the file 0600 whatever the umask, also when an
# older version (or a hand) left them more open.
# shellcheck disable=SC2016  # $1/$2 are the inner shell's arguments
WRITE_CFG_SH='
  umask 077
  mkdir -p "$1" && chmod 700 "$1" || exit 1
  if [ -f "$2" ]; then cp -p "$2" "$2.bak" && chmod 600 "$2.bak" || exit 1; fi
  rm -f "$2.tmp" && cat >"$2.tmp" && chmod 600 "$2.tmp" && mv -f "$2.tmp" "$2"'

# The new config: the old one ($1, may be empty) with store $2 named $3 added (or renamed, if it
# is there already) and api_url $4 (if not empty) set.
compose_cfg() {
  local old=$1 sid=${2,,} name=$3 url=$4 top='' stores='' tables='' matched=0
  if [[ -n "$old" ]]; then
    top=$(split_cfg top "$sid" "$name" "$url" <<<"$old" | sed -e '/./,$!d' | cat -s)
    stores=$(split_cfg stores "$sid" "$name" "$url" <<<"$old" | sed -e '/./,$!d' | cat -s)
    tables=$(split_cfg tables "$sid" "$name" "$url" <<<"$old" | sed -e '/./,$!d' | cat -s)
    matched=$(split_cfg matched "$sid" "$name" "$url" <<<"$old")
  fi
  echo "# Gett Store Kiosk configuration. Written by install-fleet.sh: run it again to add a store or rename one."
  [[ -z "$top" ]] || printf '%s\n' "$top"
  [[ -z "$url" ]] || echo "api_url = $(toml_string "$url")"
  [[ -z "$stores" ]] || printf '\n%s\n' "$stores"
  if [[ "$matched" != 1 ]]; then
    echo
    echo "[[stores]]"
    echo "id = $(toml_string "$sid")"
    echo "name = $(toml_string "$name")"
  fi
  [[ -z "$tables" ]] || printf '\n%s\n' "$tables"
}

# Sourced (by the tests): only the functions above.
if (return 0 2>/dev/null); then
  return 0
fi

store_id='' store_name='' api_url='' user=kiosk deb='' reinstall=0 want_key=1 want_check=1
login_keyring=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --store-id | --store-name | --api-url | --user | --deb)
      [[ $# -ge 2 ]] || die 2 "$1 needs a value"
      case $1 in
        --store-id) store_id=$2 ;;
        --store-name) store_name=$2 ;;
        --api-url) api_url=$2 ;;
        --user) user=$2 ;;
        --deb) deb=$2 ;;
      esac
      shift 2
      ;;
    --store-id=* | --store-name=* | --api-url=* | --user=* | --deb=*)
      set -- "${1%%=*}" "${1#*=}" "${@:2}"
      ;;
    --reinstall) reinstall=1; shift ;;
    --no-key) want_key=0; shift ;;
    --no-check) want_check=0; shift ;;
    --login-keyring) login_keyring=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage; die 2 "unknown argument '$1'" ;;
  esac
done

# ---- 1. Check everything before changing anything. -------------------------------------------
[[ $(id -u) -eq 0 ]] || die 1 "run this as root (sudo $0 ...)"

[[ -n "$store_id" ]] || die 2 "--store-id is required (the store's UUID from the Gett partner portal)"
uuid_re='^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$'
[[ "$store_id" =~ $uuid_re ]] \
  || die 2 "--store-id '$store_id' is not a store id; it looks like 3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f4a1b2c"
store_id=${store_id,,}

# Trim the name; no control characters (it goes into a TOML string and onto the screen).
store_name="${store_name#"${store_name%%[![:space:]]*}"}"
store_name="${store_name%"${store_name##*[![:space:]]}"}"
[[ -n "$store_name" ]] || die 2 "--store-name is required and must not be blank, e.g. --store-name \"Main Street\""
[[ "$store_name" != *[[:cntrl:]]* ]] || die 2 "--store-name must not contain control characters (tabs, newlines)"
[[ ${#store_name} -le 80 ]] || die 2 "--store-name is longer than 80 characters"

if [[ -n "$api_url" ]]; then
  api_url=${api_url%/}
  host_re='[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?'
  if [[ "$api_url" =~ ^https://${host_re}(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$ ]]; then
    :
  elif [[ "$api_url" =~ ^http://(127\.0\.0\.1|localhost)(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$ ]]; then
    say "warning: --api-url $api_url is plain http on this PC: only for the simulator, not for Gett"
  else
    die 2 "--api-url '$api_url' must be an https:// URL without query or fragment (e.g. https://api.gett-tech.com); plain http is allowed only to 127.0.0.1/localhost"
  fi
fi

[[ "$user" =~ ^[a-z_][a-z0-9_.-]*[$]?$ ]] || die 2 "--user '$user' is not a valid user name"
passwd_line=$(getent passwd "$user") \
  || die 1 "user '$user' does not exist on this PC. Create the kiosk's desktop account first (adduser $user), or pass --user"
uid=$(cut -d: -f3 <<<"$passwd_line")
home=$(cut -d: -f6 <<<"$passwd_line")
[[ "$uid" -ne 0 ]] || die 2 "the kiosk must not run as root; pass --user with the store's desktop account"
[[ -d "$home" ]] || die 1 "the home folder of '$user' ($home) does not exist"

runtime_dir=/run/user/$uid
bus=$runtime_dir/bus
if [[ $want_key -eq 1 && $login_keyring -eq 1 ]]; then
  [[ -S "$bus" ]] || die 1 "'$user' has no running session (no D-Bus session bus at $bus). With --login-keyring the API key goes into $user's login keyring, which is only reachable while $user is logged in: log in as $user on this PC, then run this again (or leave out --login-keyring)."
fi

# The key: read now, so a missing key stops us before anything changes. It stays in this
# script's memory only (not exported), and reaches `kiosk key set` on a pipe from printf, a bash
# builtin: no process ever has it in its arguments.
key=''
if [[ $want_key -eq 1 ]]; then
  if [[ -t 0 ]]; then
    IFS= read -r -s -p "Gett API key for $store_name (input hidden): " key || true
    echo >&2
  else
    IFS= read -r key || true
  fi
  key="${key#"${key%%[![:space:]]*}"}"
  key="${key%"${key##*[![:space:]]}"}"
  [[ -n "$key" ]] || die 2 "no API key on standard input. Pipe it in: printf '%s\n' \"\$GETT_API_KEY\" | sudo $0 ... (or use --no-key)"
  [[ "$key" != *[[:space:][:cntrl:]]* ]] || die 2 "the API key on standard input contains spaces or control characters; nothing was changed"
fi
exec 0</dev/null # nothing below reads our standard input

if [[ -z "$deb" ]]; then
  shopt -s nullglob
  found=("$(dirname "$0")/${PKG}"_*.deb)
  shopt -u nullglob
  if [[ ${#found[@]} -gt 1 ]]; then
    die 2 "several ${PKG}_*.deb files next to $0; pick one with --deb"
  fi
  [[ ${#found[@]} -eq 0 ]] || deb=${found[0]}
fi
if [[ -n "$deb" ]]; then
  [[ -f "$deb" ]] || die 2 "--deb $deb: no such file"
  deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
  deb_pkg=$(dpkg-deb -f "$deb" Package 2>/dev/null) || die 2 "$deb is not a Debian package"
  [[ "$deb_pkg" == "$PKG" ]] || die 2 "$deb is the package '$deb_pkg', not $PKG"
  deb_version=$(dpkg-deb -f "$deb" Version)
elif ! dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'install ok installed'; then
  die 2 "no .deb given (--deb FILE) and $PKG is not installed"
fi

# As $user, with nothing inherited from root's environment.
as_user() {
  runuser -u "$user" -- env -i HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/sh \
    PATH=/usr/local/bin:/usr/bin:/bin LANG="${LANG:-C.UTF-8}" \
    XDG_RUNTIME_DIR="$runtime_dir" DBUS_SESSION_BUS_ADDRESS="unix:path=$bus" "$@"
}
# As $user with a keyring: in $user's running session if there is one; otherwise in a private
# D-Bus session with its own gnome-keyring (started with nothing on its standard input, as an
# automatic login starts it), which ends with the command.
private_runtime=
as_user_keyring() {
  if [[ -S "$bus" ]]; then
    as_user "$@"
    return
  fi
  command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1 \
    || die 3 "dbus-run-session and gnome-keyring-daemon are needed to store the key while $user is not logged in (apt-get install dbus gnome-keyring; the .deb recommends them)"
  if [[ -z "$private_runtime" ]]; then
    private_runtime=$(runuser -u "$user" -- mktemp -d -t kiosk-install.XXXXXX) \
      || die 1 "could not make a private runtime folder for $user"
    trap 'rm -rf "$private_runtime"' EXIT
  fi
  # shellcheck disable=SC2016  # the inner shell expands "$@"
  runuser -u "$user" -- env -i HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/sh \
    PATH=/usr/local/bin:/usr/bin:/bin LANG="${LANG:-C.UTF-8}" XDG_RUNTIME_DIR="$private_runtime" \
    dbus-run-session -- sh -c \
    'gnome-keyring-daemon --start --components=secrets </dev/null >/dev/null 2>&1; exec "$@"' \
    sh "$@"
}

# ---- 2. The package. --------------------------------------------------------------------------
if [[ -n "$deb" ]]; then
  installed=$(dpkg-query -W -f='${Status} ${Version}' "$PKG" 2>/dev/null || true)
  if [[ "$installed" == "install ok installed $deb_version" && $reinstall -eq 0 ]]; then
    say "$PKG $deb_version is already installed (--reinstall to install it again)"
  else
    say "installing $PKG $deb_version from $deb"
    flags=(-y -q -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    [[ $reinstall -eq 0 ]] || flags+=(--reinstall)
    DEBIAN_FRONTEND=noninteractive apt-get install "${flags[@]}" "$deb" >&2 \
      || die 1 "apt-get could not install $deb (see above; it needs the Debian/Ubuntu package mirrors for the Qt libraries)"
  fi
fi
[[ -x "$KIOSK" ]] || die 1 "$KIOSK is missing after the installation"

# ---- 3. The config, written as $user so nothing in their home becomes root's. ---------------
cfg_dir=$home/.config/$PKG
cfg=$cfg_dir/config.toml

old_cfg=
if as_user test -f "$cfg"; then
  old_cfg=$(as_user cat "$cfg") || die 1 "cannot read $cfg"
fi
if grep -Eq '^[[:space:]]*stores[[:space:]]*=' <<<"$old_cfg"; then
  die 2 "$cfg lists its stores as 'stores = [...]'; write each as a [[stores]] table (as the kiosk does), then run this again"
fi
new_cfg=$(compose_cfg "$old_cfg" "$store_id" "$store_name" "$api_url")

if [[ "$new_cfg" == "$old_cfg" ]]; then
  say "config $cfg is already up to date"
else
  # Atomic: a new file next to the old one, then rename; the previous file is kept as .bak.
  printf '%s\n' "$new_cfg" | as_user sh -c "$WRITE_CFG_SH" sh "$cfg_dir" "$cfg" \
    || die 1 "could not write $cfg as $user"
  say "wrote $cfg (store $store_id \"$store_name\")${old_cfg:+; the previous file is $cfg.bak}"
fi

# ---- 4. The API key, on a pipe into `kiosk key set` as $user, in $user's session. ---------
if [[ $want_key -eq 1 ]]; then
  key_args=(key set --unattended)
  if [[ $login_keyring -eq 1 ]]; then
    key_args=(key set)
    say "storing the API key from standard input in $user's login keyring"
  else
    say "storing the API key from standard input in $user's own kiosk keyring (opens with no password at every boot)"
  fi
  set +e
  printf '%s\n' "$key" | as_user_keyring timeout "$KEY_TIMEOUT" "$KIOSK" "${key_args[@]}" >&2
  rc=${PIPESTATUS[1]}
  set -e
  key=''
  if [[ $rc -ne 0 ]]; then
    hint=""
    case $rc in
      124) hint=" It timed out: $user's keyring is probably waiting for a password on the PC's screen (see packaging/README.md)." ;;
      2) hint=" kiosk did not accept the key's format." ;;
      6) hint=" $user's session has no usable keyring, or it is locked: install gnome-keyring and log in to a desktop session as $user." ;;
    esac
    die 3 "the API key was NOT stored (kiosk key set: exit $rc).$hint"
  fi
  as_user_keyring timeout "$KEY_TIMEOUT" "$KIOSK" key status >&2 \
    || die 3 "the key was stored but '$KIOSK key status' as $user does not find it"
fi

# ---- 5. Prove it works: the live status, as the kiosk will see it. --------------------------
if [[ $want_check -eq 1 && ($login_keyring -eq 0 || -S "$bus") ]]; then
  set +e
  status=$(as_user_keyring timeout 60 "$KIOSK" status 2>&1)
  rc=$?
  set -e
  case $rc in
    0) say "check passed: $status" ;;
    75 | 124)
      say "warning: could not reach Gett from this PC right now (exit $rc): $status"
      say "the kiosk is installed and configured; it will connect when the network is back"
      ;;
    5) die 5 "check failed: Gett's TLS certificate could not be verified from this PC (kiosk status: exit 5), so this kiosk can never reach Gett. Install the TLS-inspecting proxy's root certificate (/usr/local/share/ca-certificates/, then update-ca-certificates) or fix the PC's date, then run this again. $status" ;;
    2 | 3 | 4 | 6) die "$rc" "check failed (kiosk status: exit $rc): $status" ;;
    *) die 1 "check failed (kiosk status: exit $rc): $status" ;;
  esac
elif [[ $want_check -eq 1 ]]; then
  say "skipped the check: $user is not logged in (the key cannot be read outside their session)"
fi

say "done: the kiosk starts at $user's next desktop login (/etc/xdg/autostart/$PKG.desktop)"
