#!/bin/bash
# Installs what the MoS2 model factory (training/) needs on Debian 12, idempotently.
#   sudo training/setup.sh          (or as root)
# Python: always use Debian's interpreter /usr/bin/python3 (the packages below live there).
set -e
PKGS="python3 python3-numpy python3-scipy python3-ase gpaw gpaw-data python3-matplotlib python3-h5py python3-pytest python3-torch python3-yaml nwchem"
# optional, for later steps (CP2K cross-checks): cp2k cp2k-data
[ "${WITH_EXTRA:-0}" = 1 ] && PKGS="$PKGS cp2k cp2k-data"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
else
  echo "all factory packages present"
fi
/usr/bin/python3 -c "import ase, gpaw, numpy, scipy; print('ase', ase.__version__, 'gpaw', gpaw.__version__)"
command -v nwchem >/dev/null && echo "nwchem: $(command -v nwchem)"
