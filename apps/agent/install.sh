#!/bin/sh
# Installs the Tyto agent on a systemd host:
#   curl -fsSL http://HUB:8080/downloads/install.sh | sudo sh -s -- \
#     --download-from http://HUB:8080 --hub https://HUB:8443 --ca-fingerprint sha256:HEX [--token T] ...
# --download-from is where the hub's web port serves /downloads/tyto-agent.js; every other flag is
# written to /etc/tyto-agent/agent.env (mode 0600: it may hold the enrollment token) as
# TYTO_AGENT_* variables, which the agent reads through --config.
set -eu

BIN_DIR=${TYTO_AGENT_BIN_DIR:-/usr/local/lib/tyto-agent}
CONF_DIR=${TYTO_AGENT_CONF_DIR:-/etc/tyto-agent}
UNIT=${TYTO_AGENT_UNIT:-/etc/systemd/system/tyto-agent.service}
download_from=""
env_lines=""

die() { echo "install.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --download-from) [ $# -ge 2 ] || die "--download-from needs a value"; download_from=$2; shift 2 ;;
    --*)
      [ $# -ge 2 ] || die "$1 needs a value"
      name=$(printf '%s' "${1#--}" | tr 'a-z-' 'A-Z_')
      case "$name" in *[!A-Z_]*) die "unknown option '$1'" ;; esac
      case "$2" in *"
"*) die "$1: value must be one line" ;; esac
      env_lines="${env_lines}TYTO_AGENT_${name}=$2
"
      shift 2 ;;
    *) die "unexpected argument '$1'" ;;
  esac
done
[ -n "$download_from" ] || die "--download-from http://HUB:PORT is required"

command -v node >/dev/null 2>&1 || die "node (>= 20) is not installed"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || die "node $(node -v) is too old: the agent needs >= 20"

mkdir -p "$BIN_DIR" "$CONF_DIR"
tmp="$BIN_DIR/tyto-agent.js.tmp"
if command -v curl >/dev/null 2>&1; then
  curl -fsSL -o "$tmp" "${download_from%/}/downloads/tyto-agent.js"
else
  wget -qO "$tmp" "${download_from%/}/downloads/tyto-agent.js"
fi
chmod 0755 "$tmp"
mv "$tmp" "$BIN_DIR/tyto-agent.js"

umask 077
printf '%s' "$env_lines" > "$CONF_DIR/agent.env"
chmod 0600 "$CONF_DIR/agent.env"

# Refuses bad flags before the unit is started (exit 2 with one line).
node "$BIN_DIR/tyto-agent.js" --config "$CONF_DIR/agent.env" --check

NODE=$(command -v node)
# The agent is idle between samples (well under 1 % of a core): V8's optimizing and baseline
# compilers, their code and a 16 MB young generation buy it nothing but resident memory, and one
# malloc arena per thread only fragments. Measured in docs/benchmarks.md (## Agent): about 9 MB
# less RSS at the same CPU. tools/bench/agent-bench.mjs reads these two lines to run the agent
# exactly as this unit does.
NODE_FLAGS="--no-opt --no-sparkplug --optimize-for-size --max-semi-space-size=1"
MALLOC_ARENA_MAX=1
cat > "$UNIT" <<UNITEOF
[Unit]
Description=Tyto monitoring agent
After=network-online.target
Wants=network-online.target

[Service]
Environment=MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX
ExecStart=$NODE $NODE_FLAGS $BIN_DIR/tyto-agent.js --config $CONF_DIR/agent.env
Restart=always
RestartSec=5
# 2: bad configuration, 3: CA fingerprint mismatch, 4: enrollment refused; restarting cannot help.
RestartPreventExitStatus=2 3 4
StateDirectory=tyto-agent
StateDirectoryMode=0700
ReadOnlyPaths=/proc /sys
NoNewPrivileges=true

[Install]
WantedBy=multi-user.target
UNITEOF

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable --now tyto-agent.service
  echo "tyto-agent installed and started: journalctl -u tyto-agent -f"
else
  echo "tyto-agent installed in $BIN_DIR; no running systemd found, start it with:"
  echo "  MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX node $NODE_FLAGS $BIN_DIR/tyto-agent.js --config $CONF_DIR/agent.env"
fi
