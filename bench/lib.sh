# bench/lib.sh -- shell pieces the forum load scripts share (sourced, not run).
# Needs TPY (Tandem's venv python) and log() from the sourcing script.

ensure_wrk() {  # apt-get installs Debian's wrk when it is missing (needs root)
  command -v wrk >/dev/null && return 0
  log "installing wrk"
  apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
}

stop_pid() {  # PID -> TERM, up to 10 s, then KILL; nothing when it is not running
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
}

tandem_prod_env() {  # STATIC_ROOT -> Tandem as in production, throwaway secrets, static files collected
  # DEBUG off, manifest static files, plain HTTP on 127.0.0.1 (no TLS proxy in front).
  export DATABASE_URL DJANGO_SETTINGS_MODULE=tandem.settings TANDEM_ENV=prod DEBUG=0
  export SECRET_KEY="bench-throwaway-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  export ALLOWED_HOSTS=127.0.0.1,localhost EMAIL_HOST=127.0.0.1 SECURE_SSL_REDIRECT=0
  TANDEM_ENCRYPTION_KEYS=$("$TPY" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
  export TANDEM_ENCRYPTION_KEYS STATIC_ROOT=$1
  "$TPY" -m tandem.manage collectstatic --noinput -v0
}
