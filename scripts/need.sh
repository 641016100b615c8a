# Sourced by the check scripts: `need COMMAND PACKAGE WHO` installs
# Debian's PACKAGE when COMMAND is missing (as root, or with sudo -n),
# refreshing the package lists once if the first try fails. WHO names the
# script in its message.
need() {
  command -v "$1" >/dev/null && return 0
  local sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo -n)
  echo "$3: installing $2" >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -y -q -o DPkg::Lock::Timeout=600 \
    install --no-install-recommends "$2" >/dev/null \
    || { DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -y -q update >/dev/null \
      && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -y -q install --no-install-recommends "$2" >/dev/null; }
  command -v "$1" >/dev/null || { echo "$3: $1 is still missing after installing $2" >&2; return 1; }
}
