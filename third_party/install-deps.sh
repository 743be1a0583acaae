#!/usr/bin/env bash
# Installs what dopa needs: the Debian packages listed in third_party/packages.txt that are not
# installed yet, then the PyPI packages of third_party/requirements.txt into dopa's Python
# environment (a virtual environment made with Debian's python3). Idempotent: when everything is
# present it does nothing (no apt-get update, no pip, no root needed).
#
#   third_party/install-deps.sh            install what is missing
#   third_party/install-deps.sh --python   print the Python environment's interpreter (installs nothing)
#
# The Python environment lives outside the checkout, so that every clone and CI run on a machine
# shares one copy of its ~5 GiB: $DOPA_PYTHON_ENV, by default ~/.local/share/dopa/python.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python_env="${DOPA_PYTHON_ENV:-${XDG_DATA_HOME:-$HOME/.local/share}/dopa/python}"
if [[ "${1:-}" == --python ]]; then
  echo "$python_env/bin/python"
  exit 0
fi

# The PyPI packages, after the Debian ones (python3-venv). The environment keeps a copy of the
# requirements it was made from; pip runs only when they differ. An environment made from other
# requirements is made anew (pip would leave packages the new list no longer has); one without the
# copy is an interrupted install, which pip finishes.
install_python_packages() {
  local stamp="$python_env/dopa-requirements.txt"
  if cmp -s "$here/requirements.txt" "$stamp"; then
    echo "install-deps: Python environment up to date ($python_env)"
    return
  fi
  echo "install-deps: installing third_party/requirements.txt into $python_env (about 5 GiB)"
  [[ -f "$stamp" ]] && rm -rf "$python_env"
  [[ -x "$python_env/bin/python" ]] || /usr/bin/python3 -m venv "$python_env"
  "$python_env/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$stamp"
}
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/packages.txt" | grep -v '^$')

missing=()
for pkg in "${wanted[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#wanted[@]} Debian packages present"
  install_python_packages
  exit 0
fi

echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Refresh the package index only when a package is unknown to it (fresh machines have an empty one).
if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
  "${as_root[@]}" apt-get update -q
fi
if ! "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  # A stale index can point at versions the mirror no longer has: refresh once and retry.
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "install-deps: Debian packages done"
install_python_packages
