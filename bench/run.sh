#!/usr/bin/env bash
# The benchmark in one command, from a fresh clone: installs wrk if it is missing, builds in Release and runs
# every scenario. Options are passed on (bash bench/run.sh --help lists them; --quick is a smoke run).
# Everything runs on 127.0.0.1; the report goes to bench/results/latest.md.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null; then
  echo "The .NET 10 SDK is required on PATH." >&2
  exit 1
fi

if ! command -v wrk >/dev/null; then
  if command -v apt-get >/dev/null; then
    echo "Installing wrk (HTTP load generator)..."
    sudo_cmd=()
    if [ "$(id -u)" -ne 0 ]; then
      sudo_cmd=(sudo)
    fi
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is not installed and this machine has no apt-get: install wrk (https://github.com/wg/wrk) with your package manager and run again." >&2
    exit 1
  fi
fi

dotnet build bench/Tvm.Benchmarks -c Release -nologo -v quiet

# TVM itself runs as the container image ships it: published for Linux on this machine's architecture, which
# Tvm.csproj makes self-contained, trimmed and composite ReadyToRun.
rm -rf bench/.publish/tvm
dotnet publish Tvm.csproj -c Release --os linux -nologo -v quiet -o bench/.publish/tvm
export TVM_EXECUTABLE="$PWD/bench/.publish/tvm/Tvm"

exec dotnet bench/Tvm.Benchmarks/bin/Release/net10.0/Tvm.Benchmarks.dll "$@"
