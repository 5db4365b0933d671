#!/usr/bin/env bash
# Installs the external programs Switchyard uses (Debian packages), only when missing.
# `--runtime`: only what the engine's demo needs to run (`npm start`: the IVR speaks with
# espeak-ng); without it, also every peer the tests drive (`npm test`).
set -euo pipefail
need=()
# Dialplans (`say`) and the media VAD tests: text to speech.
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
if [ "${1:-}" != "--runtime" ]; then
  command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
  # Speech recognition (pocketsphinx and its US English model), and flite, whose voice the
  # recognition tests speak with.
  command -v flite >/dev/null 2>&1 || need+=(flite)
  command -v pocketsphinx_continuous >/dev/null 2>&1 || need+=(pocketsphinx)
  [ -d /usr/share/pocketsphinx/model/en-us ] || need+=(pocketsphinx-en-us)
  # The console's end-to-end tests drive Debian's chromium through playwright-core (no browser download).
  [ -x /usr/bin/chromium ] || need+=(chromium)
  # The XLSX export tests check the archive with a second, independent ZIP reader.
  command -v unzip >/dev/null 2>&1 || need+=(unzip)
  # Alert e-mail tests deliver to a local SMTP server process (aiosmtpd, run with Debian's python3).
  /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need+=(python3-aiosmtpd)
  # The STARTTLS test makes the SMTP server's self-signed certificate with openssl.
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
fi
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
