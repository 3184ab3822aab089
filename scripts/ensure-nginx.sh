# Sourced by the test and demo scripts: makes sure an nginx binary, and its stream module for
# the chain lab's L4 tiers, are on the machine.
# The tests start their own nginx with a private prefix on loopback ports; the system
# service is never used.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "nginx not found: installing Debian's nginx-light" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq || true
  # The package's own service may fail to start where port 80 is taken or there is no init;
  # only the binary is needed, so that failure is not fatal.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null || true
  $SUDO systemctl stop nginx >/dev/null 2>&1 || $SUDO service nginx stop >/dev/null 2>&1 || true
  if [ ! -x /usr/sbin/nginx ]; then
    echo "could not install nginx; install it (apt-get install -y nginx-light) and retry" >&2
    exit 1
  fi
fi
# The chain lab's L4 tiers (nginx stream) need the dynamic stream module.
if [ ! -f /usr/lib/nginx/modules/ngx_stream_module.so ]; then
  echo "nginx stream module not found: installing Debian's libnginx-mod-stream" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libnginx-mod-stream >/dev/null || true
  $SUDO systemctl stop nginx >/dev/null 2>&1 || $SUDO service nginx stop >/dev/null 2>&1 || true
  if [ ! -f /usr/lib/nginx/modules/ngx_stream_module.so ]; then
    echo "could not install nginx's stream module; install it (apt-get install -y libnginx-mod-stream) and retry" >&2
    exit 1
  fi
fi
